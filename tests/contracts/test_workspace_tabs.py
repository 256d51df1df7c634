"""The tender workspace (issue 18.2): the tender page and each staff screen of a tender carry
the procedure's timeline and one row of tabs, only those the user's roles allow."""

import re

import pytest
from django.urls import reverse

from accounts.roles import AUDITOR, INKOPER, VOORZITTER

pytestmark = pytest.mark.django_db


def tabs_of(page: str) -> list[str]:
    nav = re.search(r'<nav class="app-tabs".*?</nav>', page, re.S)
    assert nav, "no workspace tabs"
    return re.findall(r'class="app-tabs__link[^"]*" href="[^"]+"[^>]*>([^<]+)</a>', nav.group(0))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (INKOPER, ["Overzicht", "Opzet", "Communicatie", "Ranking", "Gunning", "Contracten"]),
        (
            VOORZITTER,
            [
                "Overzicht",
                "Communicatie",
                "Inschrijvingen",
                "Beoordeling",
                "Ranking",
                "Gunning",
                "Contracten",
            ],
        ),
        (AUDITOR, ["Overzicht", "Communicatie", "Ranking", "Gunning", "Contracten"]),
    ],
)
def test_the_tabs_follow_the_roles_and_sit_under_the_timeline(
    demo_tender, client_for, role, expected
):
    client = client_for(role)
    page = client.get(reverse("tender-detail", args=[demo_tender.slug])).content.decode()
    assert tabs_of(page) == expected
    assert page.index('class="app-timeline"') < page.index('class="app-tabs"')
    assert 'aria-current="page">Overzicht</a>' in page
    # a tab opens its screen, which carries the same tabs with itself current
    nav = re.search(r'<nav class="app-tabs".*?</nav>', page, re.S).group(0)
    url = dict((label, href) for href, label in re.findall(r'href="([^"]+)"[^>]*>([^<]+)</a>', nav))
    screen = client.get(url["Communicatie"]).content.decode()
    assert tabs_of(screen) == expected
    assert 'aria-current="page">Communicatie</a>' in screen

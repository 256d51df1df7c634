"""The start page per role (issue 18.1): after login every role lands on ``start/``, which
says per role what to do next and links each line to its screen; each role's page costs a
fixed number of queries, whatever the number of tenders, dossiers or contracts."""

import re

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from accounts.roles import AUDITOR, BEOORDELAAR, CONTRACTMANAGER, INKOPER, VOORZITTER
from tests.evaluation.scoring_support import assign, dossiers_of
from tests.providers.submission_support import (  # noqa: F401 (media is a fixture)
    complete_draft,
    draft_with_bid,
    media,
    open_tender,
    provider,
)

pytestmark = pytest.mark.django_db

# session + user + OTP device (municipal roles) + roles, then the page's own queries
# a provider's lines: the drafts with everything their checklists read, invitations, open tenders
DRAFT_QUERIES = 14
PINS = {INKOPER: 11, VOORZITTER: 11, BEOORDELAAR: 7, CONTRACTMANAGER: 7, AUDITOR: 4}


def first_todo(page) -> tuple[str, str]:
    """(link text, href) of the first line of the start page."""
    match = re.search(r'class="utrecht-link app-todo__action" href="([^"]+)">([^<]+)</a>', page)
    assert match, page
    return match.group(2), match.group(1)


def test_login_lands_on_the_start_page_and_home_sends_non_staff_there(client_for):
    assert resolve_url(settings.LOGIN_REDIRECT_URL) == reverse("start")
    client = client_for(BEOORDELAAR)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("start")


@pytest.mark.parametrize("role", [INKOPER, VOORZITTER, BEOORDELAAR, CONTRACTMANAGER, AUDITOR])
def test_each_municipal_role_gets_its_next_actions_in_fixed_queries(
    demo_tender, client_for, make_user, role, django_assert_num_queries
):
    client = client_for(role, f"start-{role}")
    if role == BEOORDELAAR:
        chair = make_user("chair-start", VOORZITTER)
        for dossier in dossiers_of(demo_tender)[:2]:
            assign(dossier, [client.user], chair)
    with django_assert_num_queries(PINS[role]):
        page = client.get(reverse("start")).content.decode()
    if role == CONTRACTMANAGER:  # the demo has no contracts yet
        assert "Er wacht geen contract op een besluit." in page
        return
    action, url = first_todo(page)
    expected = {
        INKOPER: ("Publiceren", reverse("tender-detail", args=[demo_tender.slug])),
        VOORZITTER: ("Bekijken", reverse("tender-detail", args=[demo_tender.slug])),
        AUDITOR: ("Auditlog doorzoeken en controleren", reverse("audit-home")),
    }
    if role in expected:
        assert (action, url) == expected[role]
    if role == BEOORDELAAR:
        assert action == "Belangenconflict verklaren"
        assert page.count("Belangenconflict verklaren") == 2
    assert client.get(url).status_code == 200  # the first to-do opens its screen


def test_a_provider_sees_open_tenders_then_its_draft_with_the_deadline(client):
    tender = open_tender()
    user, organisation = provider()
    client.force_login(user)
    action, url = first_todo(client.get(reverse("start")).content.decode())
    assert (action, url) == ("Open voor inschrijving", reverse("portal-tender", args=[tender.slug]))
    assert client.get(url).status_code == 200
    draft_with_bid(tender, user, organisation, clients=3, months=1, hours=1)
    page = client.get(reverse("start")).content.decode()
    action, url = first_todo(page)
    assert action == "Concept versie 1 afmaken en indienen"
    assert url == reverse("portal-submission", args=[tender.slug])
    assert "Open voor inschrijving" not in page


def test_the_procurement_lines_cost_the_same_queries_for_more_tenders_and_questions(
    demo_tender, client_for, django_assert_num_queries
):
    """A second tender and open questions add lines, not queries; the open questions show
    with the nota's deadline (6 days before the round's deadline) and lead to the questions."""
    from django.utils import timezone

    from communication.models import Question
    from communication.services.notas import nota_latest_publication

    client = client_for(INKOPER)
    second = open_tender()
    _, organisation = provider("Vrager BV")
    for text in ("Vraag een", "Vraag twee"):
        Question.objects.create(
            tender=second, organisation=organisation, text=text, asked_at=timezone.now()
        )
    with django_assert_num_queries(PINS[INKOPER]):
        page = client.get(reverse("start")).content.decode()
    assert page.count('class="utrecht-link app-todo__action"') == 3
    line = re.search(
        r"<tr[^>]*>(?:(?!</tr>).)*2 vragen beantwoorden(?:(?!</tr>).)*</tr>", page, re.S
    )
    assert line, page
    assert reverse("communication-questions", args=[second.slug]) in line.group(0)
    due = timezone.localtime(nota_latest_publication(second))
    assert f"{due.day} " in line.group(0) and due.strftime("%H:%M") in line.group(0)


def test_the_contract_manager_sees_extension_decisions_within_half_a_year(
    contracts, django_assert_num_queries
):
    from datetime import timedelta

    from contracts.models import Contract, ContractState
    from contracts.services.contracts import contract_notice_deadline
    from contracts.todo_selectors import contract_manager_todos

    Contract.objects.filter(pk__in=[c.pk for c in contracts]).update(state=ContractState.ACTIVE)
    contract = Contract.objects.get(pk=contracts[0].pk)
    deadline = contract_notice_deadline(contract, list(contract.segments.all()))
    with django_assert_num_queries(4):  # contracts, their segments, reports, settlements
        todos = contract_manager_todos(today=deadline - timedelta(days=30))
    line = next(t for t in todos if t.subject.startswith(contract.number))
    assert line.action == "Besluiten over verlenging" and line.due == deadline
    assert line.url == reverse("contract-detail", args=[contract.tender.slug, contract.number])
    later = contract_manager_todos(today=deadline + timedelta(days=1))
    assert not any(t.subject.startswith(contract.number) for t in later)


@pytest.mark.usefixtures("media")
def test_a_providers_drafts_show_their_checklist_state_in_fixed_queries(
    django_assert_num_queries,
):
    """Each draft's line says how far its checklist is (the portal's own checklist), read for
    all drafts at once: the same number of queries for one draft as for three."""
    from providers.todo_selectors import provider_todos

    tenders = [open_tender(slug=f"inkoop-start-{n}") for n in range(3)]
    user, organisation = provider()
    complete_draft(tenders[0], user, organisation)
    with django_assert_num_queries(DRAFT_QUERIES):
        [line, *_others] = provider_todos(organisation=organisation)
    assert line.subject == tenders[0].title and line.note == "klaar om in te dienen"
    for tender in tenders[1:]:
        draft_with_bid(tender, user, organisation, clients=3, months=1, hours=1)
    with django_assert_num_queries(DRAFT_QUERIES):
        lines = provider_todos(organisation=organisation)
    assert [t.note for t in lines][0] == "klaar om in te dienen"
    assert all(re.fullmatch(r"\d+ van \d+ onderdelen klaar", t.note) for t in lines[1:3])
    assert len(lines) == 3


@pytest.mark.parametrize(
    ("state", "expected"),
    [("draft", "Publiceren"), ("offers_opened", None), ("consultation", "Publiceren")],
)
def test_the_next_action_is_a_step_forward_never_cancelling(
    demo_tender, client_for, state, expected
):
    """Cancelling is possible in almost every state and the market consultation is optional:
    neither is what a tender's line offers as the next action."""
    from tender.models import Tender
    from tender.services.lifecycle import available_transitions

    Tender.objects.filter(pk=demo_tender.pk).update(state=state)
    client = client_for(INKOPER)
    tender = Tender.objects.get(pk=demo_tender.pk)
    possible = [t.name for t in available_transitions(tender=tender, user=client.user)]
    assert "cancel" in possible
    action, url = first_todo(client.get(reverse("start")).content.decode())
    assert action not in ("Aanbesteding intrekken", "Marktconsultatie starten")
    if expected:
        assert action == expected

"""Issue 18.7: a confirmed member of a combination reads the combination's sealed submission
(read only) in its own portal; an invited (unconfirmed) member, the lead and anyone else get a
404. Every read is audited."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from providers.models import DocumentKind
from providers.services import submissions as services
from providers.services.combinations import (
    combination_create,
    combination_invite,
    combination_member_decide,
)

from .factories import uea_signed
from .submission_support import (
    complete_draft,
    media,  # noqa: F401
    open_tender,
    pdf_bytes,
    provider,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def _client(client, user):
    client.force_login(user)
    return client


def test_only_a_confirmed_member_reads_the_sealed_combination_bid(client):
    tender = open_tender()
    lead_user, lead = provider("Penvoerder Zorg")
    member_user, member = provider("Lid Zorg")
    invited_user, invited = provider("Genodigde Zorg")
    combination = combination_create(
        tender=tender, organisation=lead, user=lead_user, name="Samen Oost"
    )
    confirmed = combination_invite(combination=combination, kvk=member.kvk, user=lead_user)
    combination_member_decide(member=confirmed, user=member_user, accept=True)
    uea_signed(tender=tender, organisation=member, user=member_user)
    draft = complete_draft(tender, lead_user, lead)
    services.document_upload(
        submission=draft,
        kind=DocumentKind.CONVENANT,
        name="convenant.pdf",
        data=pdf_bytes(1),
        user=lead_user,
    )
    sealed = services.submission_seal(submission=draft, user=lead_user)
    combination_invite(combination=combination, kvk=invited.kvk, user=lead_user)  # not confirmed
    url = reverse("portal-member-submission", args=[tender.slug])

    page = _client(client, member_user).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Combinatie Samen Oost (penvoerder Penvoerder Zorg, lid Lid Zorg)" in text
    assert "JH-DYS" in text
    assert "convenant.pdf" in text and sealed.content_hash in text
    assert 'method="post"' not in text.split("<main")[-1]  # read only
    assert AuditEntry.objects.filter(
        action="submission.member_view", actor=member_user, object_id=str(sealed.pk)
    ).exists()
    tender_page = client.get(reverse("portal-tender", args=[tender.slug])).content.decode()
    assert url in tender_page

    client.logout()
    receipt = _client(client, lead_user).get(
        reverse("portal-submission-receipt", args=[tender.slug, sealed.version])
    )
    assert "Combinatie Samen Oost (penvoerder Penvoerder Zorg, lid Lid Zorg)" in (
        receipt.content.decode()
    )

    for user in (invited_user, lead_user, provider("Buiten Zorg")[0]):
        client.logout()
        assert _client(client, user).get(url).status_code == 404

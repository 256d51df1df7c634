"""Combinations: the lead forms one, invites members by KvK, members confirm or decline."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEntry
from providers.models import Combination, CombinationMember, Submission
from providers.portal_selectors import combination_is_complete, combination_of
from providers.services.combinations import combination_create, combination_invite
from tender.errors import ApplicationError

pytestmark = pytest.mark.django_db


def url(tender):
    return reverse("portal-combination", args=[tender.slug])


def create(client, tender, name="Combinatie Achterhoek"):
    return client.post(url(tender), {"action": "create", "name": name})


def invite(client, tender, kvk):
    return client.post(url(tender), {"action": "invite", "kvk": kvk})


def test_invite_confirm_flow_with_mails(
    org_client, open_tender, django_capture_on_commit_callbacks
):
    lead, member = org_client(), org_client()
    assert create(lead, open_tender).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert invite(lead, open_tender, member.org.kvk).status_code == 302
    assert mail.outbox[-1].to == [member.user.email]
    assert "combinatie" in mail.outbox[-1].subject.lower()

    combination = Combination.objects.get(tender=open_tender)
    assert combination_of(tender=open_tender, organisation=lead.org) == combination
    assert combination_of(tender=open_tender, organisation=member.org) is None
    assert not combination_is_complete(combination_of(tender=open_tender, organisation=lead.org))

    page = member.get(url(open_tender))
    assert "Deelname bevestigen" in page.content.decode()
    row = CombinationMember.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = member.post(url(open_tender), {"action": "confirm", "member": row.pk})
    assert response.status_code == 302
    assert mail.outbox[-1].to == [lead.user.email]
    assert "bevestigd" in mail.outbox[-1].subject

    assert combination_of(tender=open_tender, organisation=member.org) == combination
    assert combination_is_complete(combination_of(tender=open_tender, organisation=lead.org))
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"combination.create", "combination.invite", "combination.confirm"} <= actions


def test_decline_and_remove(org_client, open_tender, django_capture_on_commit_callbacks):
    lead, member = org_client(), org_client()
    create(lead, open_tender)
    invite(lead, open_tender, member.org.kvk)
    row = CombinationMember.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        member.post(url(open_tender), {"action": "decline", "member": row.pk})
    row.refresh_from_db()
    assert row.is_declined
    assert "afgewezen" in mail.outbox[-1].subject
    assert not combination_is_complete(combination_of(tender=open_tender, organisation=lead.org))

    assert lead.post(url(open_tender), {"action": "remove", "member": row.pk}).status_code == 302
    assert not CombinationMember.objects.exists()


def test_confirmed_member_cannot_be_removed(org_client, open_tender):
    lead, member = org_client(), org_client()
    create(lead, open_tender)
    invite(lead, open_tender, member.org.kvk)
    row = CombinationMember.objects.get()
    member.post(url(open_tender), {"action": "confirm", "member": row.pk})
    response = lead.post(url(open_tender), {"action": "remove", "member": row.pk}, follow=True)
    assert "kan niet meer worden verwijderd" in response.content.decode()
    assert CombinationMember.objects.filter(pk=row.pk).exists()


def test_unregistered_kvk_gets_a_clear_message(org_client, open_tender):
    lead = org_client()
    create(lead, open_tender)
    response = invite(lead, open_tender, "99999999")
    assert response.status_code == 400
    assert "Er is geen organisatie met KvK-nummer 99999999 geregistreerd" in (
        response.content.decode()
    )
    bad = invite(lead, open_tender, "123")
    assert "8 cijfers" in bad.content.decode()


def test_one_combination_per_tender(org_client, open_tender):
    a, b, c = org_client(), org_client(), org_client()
    create(a, open_tender)
    invite(a, open_tender, c.org.kvk)
    c.post(url(open_tender), {"action": "confirm", "member": CombinationMember.objects.get().pk})

    # c is a confirmed member of a's combination: b's invitation goes out like any other, but
    # c cannot confirm it, and c cannot lead a combination of its own.
    create(b, open_tender, "Tweede")
    assert invite(b, open_tender, c.org.kvk).status_code == 302
    second = CombinationMember.objects.get(combination__lead=b.org)
    refused = c.post(url(open_tender), {"action": "confirm", "member": second.pk}, follow=True)
    assert "neemt al deel aan een andere combinatie" in refused.content.decode()
    second.refresh_from_db()
    assert second.is_pending
    assert create(c, open_tender, "Derde").status_code in (200, 400)
    assert not Combination.objects.filter(lead=c.org).exists()
    # A lead cannot invite itself, nor lead a second combination.
    assert "penvoerder is al deel" in invite(a, open_tender, a.org.kvk).content.decode()
    with pytest.raises(ApplicationError):
        combination_create(tender=open_tender, organisation=a.org, user=a.user, name="Nog een")


def _blanked(html: str, name: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r"\d+", "N", html.replace(name, "NAAM"))


def _answer_to_invite(lead, tender, invited, capture):
    """The inviter's view of an invitation: status, redirect, the messages and the invited
    organisation's row on the page after it (its name blanked), the queries it took and the
    mails it sent."""
    outbox = len(mail.outbox)
    with capture(execute=True), CaptureQueriesContext(connection) as queries:
        response = invite(lead, tender, invited.org.kvk)
    after = lead.get(url(tender))
    row = re.search(
        rf"<tr[^>]*>\s*<t[hd][^>]*>{re.escape(invited.org.name)}.*?</tr>",
        after.content.decode(),
        re.S,
    )
    return {
        "status": response.status_code,
        "location": response.get("Location"),
        "messages": [str(m).replace(invited.org.name, "NAAM") for m in after.context["messages"]],
        "row": _blanked(row.group(0), invited.org.name) if row else None,
        "queries": len(queries),
        "mails": len(mail.outbox) - outbox,
    }


def test_inviting_an_organisation_that_is_in_another_combination_answers_the_same(
    org_client, open_tender, django_capture_on_commit_callbacks
):
    """Nothing tells the inviter that the KvK already takes part elsewhere in this tender: the
    same status, message, page row and work (queries, mail) as for a free organisation."""
    other_lead, engaged, free = org_client(), org_client(), org_client()
    create(other_lead, open_tender, "Bestaand")
    invite(other_lead, open_tender, engaged.org.kvk)
    engaged.post(
        url(open_tender), {"action": "confirm", "member": CombinationMember.objects.get().pk}
    )
    assert combination_of(tender=open_tender, organisation=engaged.org) is not None

    lead_one, lead_two = org_client(), org_client()
    create(lead_one, open_tender, "Nieuw")
    create(lead_two, open_tender, "Nieuw")
    capture = django_capture_on_commit_callbacks
    to_engaged = _answer_to_invite(lead_one, open_tender, engaged, capture)
    to_free = _answer_to_invite(lead_two, open_tender, free, capture)
    assert to_engaged["status"] == 302 and to_engaged["mails"] == 1
    assert to_engaged["messages"][-1] == "NAAM is uitgenodigd." and to_engaged["row"]
    assert to_engaged == to_free

    # The engaged organisation's admin meets the conflict when answering.
    row = CombinationMember.objects.get(combination__lead=lead_one.org, organisation=engaged.org)
    answer = engaged.post(url(open_tender), {"action": "confirm", "member": row.pk}, follow=True)
    assert "neemt al deel aan een andere combinatie" in answer.content.decode()


def test_bidding_alone_blocks_confirming(org_client, open_tender):
    lead, member = org_client(), org_client()
    create(lead, open_tender)
    invite(lead, open_tender, member.org.kvk)
    Submission.objects.create(tender=open_tender, bidder=member.org)
    response = member.post(
        url(open_tender),
        {"action": "confirm", "member": CombinationMember.objects.get().pk},
        follow=True,
    )
    assert "schrijft alleen in of in een combinatie" in response.content.decode()
    assert CombinationMember.objects.get().confirmed_at is None


def test_non_admin_cannot_decide_and_closed_tender_refuses(org_client, open_tender):
    lead, member = org_client(), org_client()
    create(lead, open_tender)
    invite(lead, open_tender, member.org.kvk)
    colleague = org_client(member.org, is_admin=False)
    colleague.post(
        url(open_tender), {"action": "confirm", "member": CombinationMember.objects.get().pk}
    )
    assert CombinationMember.objects.get().confirmed_at is None

    open_tender.state = "requests_closed"
    open_tender.save(update_fields=["state"])
    combination = Combination.objects.get()
    with pytest.raises(ApplicationError):
        combination_invite(combination=combination, kvk=member.org.kvk, user=lead.user)


def test_other_organisations_get_404(org_client, open_tender):
    lead, member, outsider = org_client(), org_client(), org_client()
    create(lead, open_tender)
    invite(lead, open_tender, member.org.kvk)
    row = CombinationMember.objects.get()
    for action in ("confirm", "decline", "remove"):
        response = outsider.post(url(open_tender), {"action": action, "member": row.pk})
        assert response.status_code == 404
    # The lead cannot confirm on the member's behalf; the member cannot remove.
    assert lead.post(url(open_tender), {"action": "confirm", "member": row.pk}).status_code == 404
    assert member.post(url(open_tender), {"action": "remove", "member": row.pk}).status_code == 404
    assert "Combinatie Achterhoek" not in outsider.get(url(open_tender)).content.decode()

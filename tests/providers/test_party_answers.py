"""Who answers what (issue 14, point 6): a requirement that binds every party is answered by
the lead, each confirmed member and each subcontractor, each with its own evidence, sealed like
the answers; reviewed per party; one party failing excludes the bid with a reason naming the
party and the code. A combination in formation has no KvK number of its own."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import INKOPER, VOORZITTER
from evaluation import ranking as engine
from evaluation.selectors import ranking_inputs
from evaluation.services.review import party_answer_review
from providers.models import (
    Combination,
    CombinationMember,
    DocumentKind,
    PartyAnswer,
    SubmissionEnvelope,
)
from providers.services import submissions as services
from providers.services.combinations import combination_create
from providers.submission_selectors import submission_checklist, submission_detail
from tender.errors import ApplicationError
from tender.models import Requirement, Tender
from tender.services.lifecycle import tender_confirm_opening

from .factories import uea_signed
from .submission_support import (
    complete_draft,
    media,  # noqa: F401
    open_tender,
    pdf_bytes,
    provider,
    staff,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def _open_procedure_with_quality_requirement():
    tender = open_tender(slug="inkoop-2033", procedure="open")
    Requirement.objects.filter(tender=tender, code="AM1").update(binds="every_party")
    return tender


def test_every_party_answers_and_one_failing_party_is_named_in_the_ranking(client, client_for):
    tender = _open_procedure_with_quality_requirement()
    user, lead = provider("Zorg Penvoerder")
    member_user, member = provider("Partner Oost")
    combination = Combination.objects.create(tender=tender, lead=lead, name="Samen Oost")
    CombinationMember.objects.create(
        combination=combination, organisation=member, confirmed_at=timezone.now()
    )
    uea_signed(tender=tender, organisation=member, user=member_user)
    draft = complete_draft(tender, user, lead)
    services.document_upload(
        submission=draft, kind=DocumentKind.CONVENANT, name="c.pdf", data=pdf_bytes(), user=user
    )
    helper_user, helper = provider("Hulp BV")
    uea_signed(tender=tender, organisation=helper, user=helper_user)
    sub = services.subcontractor_add(submission=draft, name="Hulp BV", kvk=helper.kvk, user=user)

    # The checklist names each party that has not answered AM1 yet; sealing refuses.
    open_items = [i.label for i in submission_checklist(submission_detail(draft.pk)) if not i.done]
    assert any(
        "Eis AM1" in label and "lid Partner Oost" in label and "onderaannemer Hulp BV" in label
        for label in open_items
    )
    with pytest.raises(ApplicationError, match="onderaannemer Hulp BV"):
        services.submission_seal(submission=draft, user=user)

    # The portal asks the answer per party (the form posts party-<requirement>-<party>).
    am1 = Requirement.objects.get(tender=tender, code="AM1")
    client.force_login(user)
    url = reverse("portal-submission", args=[tender.slug])
    page = client.get(url).content.decode()
    assert f'name="party-{am1.pk}-m{member.pk}"' in page
    assert f'name="party-{am1.pk}-s{sub.pk}"' in page
    response = client.post(
        reverse("portal-submission-answers", args=[tender.slug]),
        {
            f"req-{am1.pk}": "ja",
            f"party-{am1.pk}-m{member.pk}": "ja",
            f"party-{am1.pk}-s{sub.pk}": "ja",
        },
    )
    assert response.status_code == 302
    member_answer = PartyAnswer.objects.get(submission=draft, member=member)
    assert not member_answer.met  # sealed: the column stays neutral until the opening
    services.document_upload(
        submission=draft,
        kind=DocumentKind.EVIDENCE,
        name="keurmerk.pdf",
        data=pdf_bytes(),
        user=user,
        requirement=am1,
        party_answer=member_answer,
    )
    # A party that is not in the bid is refused.
    with pytest.raises(ApplicationError, match="hoort niet bij uw inschrijving"):
        services.submission_answers_save(
            submission=draft, answers={}, party_answers={(am1, "m999999"): True}, user=user
        )
    sealed = services.submission_seal(submission=draft, user=user)
    roles = {(a["role"], a["met"]) for a in sealed.manifest["party_answers"]}
    assert roles == {("member", True), ("subcontractor", True)}

    # The opening writes the answers; the chair rejects the member's answer.
    Tender.objects.filter(pk=tender.pk).update(
        state="offers_closed", deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    tender.refresh_from_db()
    chair = staff("voorzitter", VOORZITTER)
    for person in (staff("inkoper", INKOPER), chair):
        tender = tender_confirm_opening(tender=tender, user=person)
    assert not SubmissionEnvelope.objects.filter(submission=sealed).exists()
    member_answer.refresh_from_db()
    assert member_answer.met
    with pytest.raises(ApplicationError, match="reden"):
        party_answer_review(party_answer=member_answer, accepted=False, user=chair)
    party_answer_review(
        party_answer=member_answer, accepted=False, reason="Geen keurmerk", user=chair
    )

    # The review screen shows each party's answer with its own form; a chair accepts the
    # subcontractor's answer there.
    reviewer = client_for(VOORZITTER, "voorzitter-2")
    review_url = reverse("scoring-review", args=[tender.slug, sealed.pk])
    page = reviewer.get(review_url).content.decode()
    assert "lid Partner Oost" in page and "Geen keurmerk" in page
    sub_answer = PartyAnswer.objects.get(submission=sealed, subcontractor__isnull=False)
    assert f'name="party_answer" value="{sub_answer.pk}"' in page
    response = reviewer.post(
        review_url, {"party_answer": sub_answer.pk, f"p{sub_answer.pk}-accepted": "1"}
    )
    assert response.status_code == 302
    assert not PartyAnswer.objects.get(pk=sub_answer.pk).rejected

    inputs = ranking_inputs(tender=tender)
    result = engine.rank_tender(inputs, phase="selection")
    row = next(r for s in result.segments for r in s.results if r.bidder == lead.kvk)
    assert row.status == "excluded"
    assert f"eis AM1 niet voldaan door lid Partner Oost ({member.kvk})" in row.reasons


def test_a_combination_in_formation_is_identified_by_its_lead_kvk():
    tender = open_tender(slug="inkoop-2034")
    user, lead = provider("Coöperatie i.o. Lead")
    with pytest.raises(ApplicationError, match="geen eigen KvK-nummer"):
        combination_create(
            tender=tender, organisation=lead, user=user, name="Coop i.o.", kvk="12345678"
        )
    with pytest.raises(ApplicationError, match="8 cijfers"):
        combination_create(
            tender=tender, organisation=lead, user=user, name="Coop", legal_entity=True
        )
    combination = combination_create(tender=tender, organisation=lead, user=user, name="Coop i.o.")
    assert (combination.kvk, combination.identifying_kvk) == ("", lead.kvk)

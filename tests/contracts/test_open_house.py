"""Open House: the admission period, batch opening with four-eyes, the decision rules (a
requirement not met, a threshold missed), letters, contracts and re-application."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from audit.models import AuditEntry
from communication.models import TenderDocument
from contracts.models import AdmissionDecision, Contract, ContractState
from contracts.services import admission
from evaluation.services.review import requirement_review
from providers.services import submissions as services
from tender.errors import ApplicationError
from tender.models import Criterion, Segment
from tests.providers.submission_support import (  # noqa: F401
    complete_draft,
    media,
    open_tender,
    provider,
    staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def house(media):  # noqa: F811
    tender = open_tender(slug="wmo-open-house")
    tender.procedure = "open_house"
    tender.state = "admission_open"
    tender.admission_start = timezone.now() - dt.timedelta(days=1)
    tender.admission_end = None
    tender.save()
    segment = Segment.objects.get(tender=tender, code="JH-DYS")
    segment.min_total = Decimal("30")
    segment.start_date = dt.date(2027, 1, 1)
    segment.save()
    Criterion.objects.filter(segment=segment, code="A").update(min_level=Decimal("0.5"))
    return tender


@pytest.fixture
def officers(db):
    return staff("inkoper1", "inkoper"), staff("voorzitter1", "voorzitter")


def apply(tender, name):
    user, organisation = provider(name)
    draft = complete_draft(tender, user, organisation)
    return user, services.submission_seal(submission=draft, user=user)


def open_batch(tender, officers):
    first, second = officers
    admission.admission_batch_confirm(tender=tender, user=first)
    return admission.admission_batch_confirm(tender=tender, user=second)


def review_all(submission, chair, *, reject=()):
    for answer in submission.answers.select_related("requirement"):
        if answer.met:
            code = answer.requirement.code
            requirement_review(
                answer=answer, accepted=code not in reject, reason="geen bewijs", user=chair
            )


def level(submission, chair, value):
    dossier = submission.dossiers.get()
    criterion = Criterion.objects.get(segment=dossier.segment, code="A")
    admission.application_level_set(dossier=dossier, criterion=criterion, level=value, user=chair)


def test_outside_the_admission_period_an_application_is_refused(house):
    user, organisation = provider("Thuiszorg Oost")
    draft = complete_draft(house, user, organisation)
    house.admission_end = timezone.now() + dt.timedelta(days=2)
    house.save()
    before = house.admission_start - dt.timedelta(minutes=1)
    with (
        time_machine.travel(house.admission_end, tick=False),
        pytest.raises(ApplicationError, match="toelatingsperiode is op"),
    ):
        services.submission_seal(submission=draft, user=user)
    with (
        time_machine.travel(before, tick=False),
        pytest.raises(ApplicationError, match="toelatingsperiode begint"),
    ):
        services.submission_seal(submission=draft, user=user)
    sealed = services.submission_seal(submission=draft, user=user)  # inside: a receipt
    assert sealed.state == "sealed" and sealed.round == "application" and sealed.content_hash


def test_batch_opening_needs_two_people_and_holds_what_was_sealed_before_the_first(house, officers):
    first, second = officers
    early_user, early = apply(house, "Thuiszorg Oost")
    batch = admission.admission_batch_confirm(tender=house, user=first)
    with pytest.raises(ApplicationError, match="tweede, andere gebruiker"):
        admission.admission_batch_confirm(tender=house, user=first)
    _, late = apply(house, "Zorg Noord")  # after the first confirmation: the next batch
    early.refresh_from_db()
    assert not early.application_opened  # sealed until the second confirmation
    batch = admission.admission_batch_confirm(tender=house, user=second)
    early.refresh_from_db()
    late.refresh_from_db()
    assert early.application_opened
    assert late.admission_batch_id is None
    assert TenderDocument.objects.filter(tender=house, title__contains="batch 1").exists()
    entries = AuditEntry.objects.filter(tender_slug=house.slug)
    actions = set(entries.values_list("action", flat=True))
    assert {"admission.batch_confirm", "admission.batch_open"} <= actions
    assert batch.number == 1
    with pytest.raises(ApplicationError, match="geopend en wordt beoordeeld"):
        services.submission_start(tender=house, organisation=early.bidder, user=early_user)


def test_admitted_when_everything_is_met_with_letter_and_contract(house, officers):
    _, application = apply(house, "Thuiszorg Oost")
    open_batch(house, officers)
    chair = officers[1]
    with pytest.raises(ApplicationError, match="Nog te doen"):
        admission.application_decide(submission=application, user=chair)
    review_all(application, chair)
    level(application, chair, "1")
    [decision] = admission.application_decide(submission=application, user=chair)
    assert decision.admitted and decision.points == Decimal("60.00")
    application.refresh_from_db()
    assert application.admission_outcome == "admitted"
    assert application.admission_letter.pdf.read().startswith(b"%PDF")
    contract = Contract.objects.get(tender=house, provider=application.bidder)
    assert contract.state == ContractState.ACTIVE
    assert contract.start_date == max(timezone.localdate(), dt.date(2027, 1, 1))
    assert contract.end_date == admission.common_end_date(decision.segment)


def test_rejected_for_a_requirement_not_met_and_a_threshold_missed(house, officers):
    _, application = apply(house, "Thuiszorg Oost")
    open_batch(house, officers)
    chair = officers[1]
    review_all(application, chair, reject={"JH-M1"})
    level(application, chair, "0.25")  # below min_level 0.5 and 15 points below min_total 30
    [decision] = admission.application_decide(submission=application, user=chair)
    assert not decision.admitted
    failed = {(r["kind"], r["code"]) for r in decision.reasons if not r["met"]}
    assert failed == {("requirement", "JH-M1"), ("criterion", "A"), ("total", "JH-DYS")}
    assert not Contract.objects.filter(tender=house).exists()
    assert not application.admission_letter.admitted


def test_a_rejected_provider_applies_again_and_is_admitted(house, officers):
    user, first_try = apply(house, "Thuiszorg Oost")
    open_batch(house, officers)
    chair = officers[1]
    review_all(first_try, chair)
    level(first_try, chair, "0.25")
    admission.application_decide(submission=first_try, user=chair)
    draft = services.submission_start(tender=house, organisation=first_try.bidder, user=user)
    assert draft.version == 2
    second_try = services.submission_seal(submission=draft, user=user)
    batch = open_batch(house, officers)
    assert batch.number == 2
    second_try.refresh_from_db()
    review_all(second_try, chair)
    level(second_try, chair, "0.75")
    [decision] = admission.application_decide(submission=second_try, user=chair)
    assert decision.admitted
    decisions = AdmissionDecision.objects.filter(submission__bidder=first_try.bidder)
    assert sorted(d.admitted for d in decisions) == [False, True]  # the first stays on record
    assert Contract.objects.get(tender=house).submission == second_try
    with pytest.raises(ApplicationError, match="al toegelaten"):
        services.submission_start(tender=house, organisation=first_try.bidder, user=user)


def test_the_open_house_demo_waits_in_its_admission_period_and_ranks_everyone_selected():
    """The demo file is valid, loads in its admission period (``load_demo``) and ``manage.py
    ranking`` selects every non-excluded application although the segment has one place."""
    import io
    import json

    from django.core.management import call_command

    from evaluation.management.commands.load_demo import open_house_admission_start
    from tender.models import Tender
    from tender.scenario import DEMO_DIR, load_scenario_file, validate_scenario

    path = DEMO_DIR / "wmo-open-house-2027.json"
    assert validate_scenario(load_scenario_file(path)) == []
    call_command("load_scenario", str(path), stdout=io.StringIO())
    tender = Tender.objects.get(slug="wmo-hh-open-house-2027")
    open_house_admission_start(tender)
    tender.refresh_from_db()
    assert tender.state == "admission_open" and tender.admission_end is None
    assert tender.in_admission_period(timezone.now())
    assert {s.round for s in tender.submissions.all()} == {"application"}
    out = io.StringIO()
    call_command("ranking", tender.slug, "--phase", "selection", "--format", "json", stdout=out)
    [segment] = json.loads(out.getvalue())["segments"]
    assert segment["places"] == 1
    statuses = sorted(r["status"] for r in segment["results"])
    assert statuses == ["excluded", "selected", "selected"]


def test_the_admission_closes_only_after_a_last_batch_past_its_end(house, officers):
    """Closed, every application is readable: so first the period ends, then a last batch is
    opened; only then may the admission close."""
    from tender.services.lifecycle import tender_transition

    apply(house, "Thuiszorg Oost")
    buyer = officers[0]
    with pytest.raises(ApplicationError, match="einde van de toelatingsperiode"):
        tender_transition(tender=house, name="close_admission", user=buyer)
    house.admission_end = timezone.now() + dt.timedelta(minutes=5)
    house.save()
    with time_machine.travel(house.admission_end + dt.timedelta(minutes=1), tick=False):
        with pytest.raises(ApplicationError, match="laatste batch"):
            tender_transition(tender=house, name="close_admission", user=buyer)
        open_batch(house, officers)
        tender_transition(tender=house, name="close_admission", user=buyer)
    house.refresh_from_db()
    assert house.state == "admission_closed"

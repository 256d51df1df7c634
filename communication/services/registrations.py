"""Writing organisations and submissions."""

import hashlib
from datetime import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import can_act_for_organisation, can_manage_tender_communication
from tender.constants import TenderState
from tender.errors import ApplicationError
from tender.models import (
    Lot,
    OpeningConfirmation,
    Segment,
    Session,
    Tender,
    TenderDocument,
)
from tender.pdf import render_to_pdf
from tender.services.communication import is_public, local_display
from tender.services.mail import absolute_url, mail_after_commit, mail_render

from ..constants import SubmissionState
from ..models import (
    Combination,
    CombinationMember,
    Dossier,
    Organisation,
    Question,
    RequirementAnswer,
    SessionRegistration,
    Subcontractor,
    Submission,
)


@transaction.atomic
def organisations_upsert_from_scenario(*, data: list[dict]) -> dict[str, Organisation]:
    """Create organisations by KvK number, keeping the ones that exist (KvK is unique)."""
    existing = Organisation.objects.in_bulk([o["kvk"] for o in data], field_name="kvk")
    new = [
        Organisation(kvk=o["kvk"], name=o["name"], legal_form=o["legal_form"], agb=o.get("agb", ""))
        for o in data
        if o["kvk"] not in existing
    ]
    for org in new:
        org.full_clean(validate_unique=False)
    Organisation.objects.bulk_create(new)
    return {**existing, **{o.kvk: o for o in new}}


@transaction.atomic
def submissions_create_from_scenario(
    *, tender: Tender, data: list[dict], organisations: dict[str, Organisation]
) -> dict[tuple[str, str], Dossier]:
    """Create sealed submissions with their dossiers and requirement answers.

    Returns the dossiers keyed by (bidder KvK, segment code) for the evaluation import.
    A submission without ``submitted_at`` counts as received at the deadline.
    """
    segments = {s.code: s for s in tender.segments.all()}
    requirements = {r.code: r for r in tender.requirements.all()}
    municipalities = {m.code: m for m in tender.region.municipalities.all()}
    combinations = Combination.objects.bulk_create(
        Combination(
            tender=tender,
            lead=organisations[item["bidder"]],
            name=f"Combinatie {organisations[item['bidder']].name}",
        )
        for item in data
        if item.get("members")
    )
    combination_of = {c.lead.kvk: c for c in combinations}
    CombinationMember.objects.bulk_create(
        CombinationMember(
            combination=combination_of[item["bidder"]],
            organisation=organisations[kvk],
            confirmed_at=tender.deadline,
        )
        for item in data
        for kvk in item.get("members", [])
    )
    submissions = Submission.objects.bulk_create(
        Submission(
            tender=tender,
            bidder=organisations[item["bidder"]],
            combination=combination_of.get(item["bidder"]),
            state=SubmissionState.SEALED,
            submitted_at=(
                datetime.fromisoformat(item["submitted_at"])
                if item.get("submitted_at")
                else tender.deadline
            ),
        )
        for item in data
    )
    Subcontractor.objects.bulk_create(
        Subcontractor(
            submission=submission,
            organisation=organisations[kvk],
            name=organisations[kvk].name,
            kvk=kvk,
        )
        for submission, item in zip(submissions, data, strict=True)
        for kvk in item.get("subcontractors", [])
    )
    answers, dossiers, served = [], {}, []
    for submission, item in zip(submissions, data, strict=True):
        answers.extend(
            RequirementAnswer(submission=submission, requirement=requirements[code], met=met)
            for code, met in item["requirements"].items()
        )
        for entry in item["segments"]:
            bid = entry.get("bid")
            dossiers[(item["bidder"], entry["segment"])] = Dossier(
                submission=submission,
                segment=segments[entry["segment"]],
                specialisms=list(entry.get("specialisms", [])),
                bid_clients=bid["clients"] if bid else None,
                bid_months=Decimal(bid["months"]) if bid else None,
                bid_hours_per_month=Decimal(bid["hours_per_month"]) if bid else None,
            )
            served.append(entry["municipalities"])
            answers.extend(
                RequirementAnswer(submission=submission, requirement=requirements[code], met=met)
                for code, met in entry.get("requirements", {}).items()
            )
    Dossier.objects.bulk_create(dossiers.values())
    Dossier.municipalities.through.objects.bulk_create(
        Dossier.municipalities.through(dossier=dossier, municipality=municipalities[code])
        for dossier, codes in zip(dossiers.values(), served, strict=True)
        for code in codes
    )
    RequirementAnswer.objects.bulk_create(answers)
    return dossiers


def proces_verbaal_create(*, tender: Tender, user=None) -> None:
    """After-hook of the opening: the proces-verbaal PDF listing every sealed submission with
    its receipt time and hash, stored as a (non-public) tender document."""
    submissions = (
        Submission.objects.filter(tender=tender, is_current=True, state=SubmissionState.SEALED)
        .select_related("bidder")
        .order_by("submitted_at", "bidder__kvk")
    )
    confirmations = (
        OpeningConfirmation.objects.filter(tender=tender)
        .select_related("user")
        .order_by("confirmed_at", "pk")
    )
    opened_at = timezone.now()
    reference = f"PV-{tender.slug}-{timezone.localtime(opened_at):%Y%m%d%H%M%S}"
    pdf = render_to_pdf(
        "pdf/proces_verbaal.html",
        {
            "tender": tender,
            "submissions": submissions,
            "confirmations": confirmations,
            "opened_at": opened_at,
            "reference": reference,
            "region_name": tender.region.name,
        },
    )
    document = TenderDocument(
        tender=tender,
        kind=TenderDocument.Kind.PROCES_VERBAAL,
        title=f"Proces-verbaal van opening {tender.title}",
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    document.file.save(f"{reference}.pdf", ContentFile(pdf), save=True)


# -- Session registrations (DOMAIN.md, "Sessions and Q&A"; docs/rules.md) ---------------------


def _check_acts_for(user, organisation: Organisation, tender: Tender) -> None:
    """A provider user acts for its own organisation; staff who manage the tender's
    communication may register or cancel on an organisation's behalf (e.g. by phone)."""
    if not (
        can_act_for_organisation(user, organisation.pk)
        or can_manage_tender_communication(user, tender)
    ):
        raise ApplicationError(_("U kunt alleen voor uw eigen organisatie handelen."))


def _session_group(session: Session) -> tuple[Session, Session | None]:
    """Lock and return the main session and its overflow session (in that order, always, so
    concurrent registrations and cancellations queue on the main session's row)."""
    main = (
        Session.objects.select_for_update(of=("self",)).select_related("tender").get(pk=session.pk)
    )
    overflow = None
    if main.overflow_id is not None:
        overflow = Session.objects.select_for_update().get(pk=main.overflow_id)
    return main, overflow


def _active(session: Session):
    return SessionRegistration.objects.filter(session=session, cancelled_at__isnull=True)


@transaction.atomic
def session_register(
    *,
    session: Session,
    organisation: Organisation,
    participant_name: str,
    participant_email: str,
    user,
    base_url: str = "",
) -> SessionRegistration:
    """Register one participant of ``organisation`` for ``session``.

    Places it in the session while there is room, else in the overflow session (registration
    order: the main session's row lock makes concurrent registrations queue), else refuses:
    the session is full. Refused too: after the registration deadline, for a second
    participant of the same organisation in the session or its overflow (one group), for an
    overflow session directly (register for its main session), and for a tender that is not
    public or is cancelled. The participant gets a confirmation mail naming the session they
    are placed in.
    """
    if session.main_session is not None:
        raise ApplicationError(
            _("Meld u aan voor de sessie '%(title)s'; deze extra sessie vult zich vanzelf.")
            % {"title": session.main_session.title},
            field="session",
        )
    main, overflow = _session_group(session)
    tender = main.tender
    _check_acts_for(user, organisation, tender)
    if not is_public(tender) or tender.state == TenderState.CANCELLED:
        raise ApplicationError(_("Voor deze sessie kunt u zich niet aanmelden."), field="session")
    now = timezone.now()
    if now > main.registration_deadline:
        raise ApplicationError(
            _("Aanmelden kon tot %(deadline)s; de aanmeldtermijn is verstreken.")
            % {"deadline": local_display(main.registration_deadline)},
            field="session",
        )
    group = [main] if overflow is None else [main, overflow]
    if SessionRegistration.objects.filter(
        session__in=group, organisation=organisation, cancelled_at__isnull=True
    ).exists():
        raise ApplicationError(
            _("Uw organisatie is al aangemeld voor deze sessie (maximaal 1 deelnemer)."),
            field="organisation",
        )
    if _active(main).count() < main.capacity:
        placed = main
    elif overflow is not None and _active(overflow).count() < overflow.capacity:
        placed = overflow
    else:
        raise ApplicationError(_("Deze sessie is vol."), field="session")
    registration = SessionRegistration(
        session=placed,
        organisation=organisation,
        participant_name=participant_name.strip(),
        participant_email=participant_email.strip(),
        registered_by=user if getattr(user, "is_authenticated", False) else None,
        registered_at=now,
    )
    registration.full_clean()
    registration.save()
    mail_after_commit(
        [
            mail_render(
                "session_registered",
                {
                    "tender": tender,
                    "session": placed,
                    "main": main,
                    "in_overflow": placed is overflow,
                    "registration": registration,
                    "url": absolute_url(
                        reverse("public-session", args=[tender.slug, main.pk]), base_url
                    ),
                },
                registration.participant_email,
            )
        ]
    )
    return registration


@transaction.atomic
def session_registration_cancel(*, registration: SessionRegistration, user) -> SessionRegistration:
    """Cancel a registration; its place is free for the next registration. Nobody moves up
    from the overflow session by this (docs/rules.md). Refused once the session has begun."""
    placed = Session.objects.select_related("tender").get(pk=registration.session_id)
    main = placed.main_session or placed
    _session_group(main)
    registration = SessionRegistration.objects.select_for_update().get(pk=registration.pk)
    _check_acts_for(user, registration.organisation, placed.tender)
    if registration.cancelled_at is not None:
        raise ApplicationError(_("Deze aanmelding is al afgemeld."))
    if timezone.now() >= placed.starts_at:
        raise ApplicationError(_("De sessie is al begonnen; afmelden kan niet meer."))
    registration.cancelled_at = timezone.now()
    registration.cancelled_by = user if getattr(user, "is_authenticated", False) else None
    registration.save(update_fields=["cancelled_at", "cancelled_by"])
    return registration


# -- Questions --------------------------------------------------------------------------------


@transaction.atomic
def question_ask(
    *,
    tender: Tender,
    organisation: Organisation,
    user,
    text: str,
    lot: Lot | None = None,
    segment: Segment | None = None,
) -> Question:
    """A bidder asks a question, optionally about one lot or segment (a segment implies its
    lot). Accepted while the tender is published or open for submissions, until the
    deadline. Other bidders never learn who asked: the nota shows the question only."""
    if not can_act_for_organisation(user, organisation.pk):
        raise ApplicationError(_("Alleen een zorgaanbieder kan vragen stellen."))
    now = timezone.now()
    if tender.state not in (TenderState.PUBLISHED, TenderState.SUBMISSIONS_OPEN) or (
        now >= tender.deadline
    ):
        raise ApplicationError(
            _(
                "Vragen stellen kan alleen bij een gepubliceerde aanbesteding, "
                "tot de sluitingstermijn."
            )
        )
    if segment is not None:
        if segment.tender_id != tender.pk or (lot is not None and segment.lot_id != lot.pk):
            raise ApplicationError(_("Kies een segment van deze aanbesteding."), field="segment")
        lot = segment.lot
    if lot is not None and lot.tender_id != tender.pk:
        raise ApplicationError(_("Kies een perceel van deze aanbesteding."), field="lot")
    question = Question(
        tender=tender,
        organisation=organisation,
        asked_by=user,
        lot=lot,
        segment=segment,
        text=text.strip(),
        asked_at=now,
    )
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def question_answer(
    *, question: Question, user, answer: str, public_text: str | None = None
) -> Question:
    """Staff answer a question, and may reword it for publication (anonymised). Changeable
    until the nota it is in is published; the asker sees the answer only in that nota."""
    question = (
        Question.objects.select_for_update(of=("self",))
        .select_related("tender", "nota")
        .get(pk=question.pk)
    )
    if not can_manage_tender_communication(user, question.tender):
        raise ApplicationError(_("U mag vragen van deze aanbesteding niet beantwoorden."))
    if question.nota_id is not None and question.nota.is_published:
        raise ApplicationError(
            _("Deze vraag is gepubliceerd in nota %(number)s en kan niet meer wijzigen.")
            % {"number": question.nota.number}
        )
    if not answer.strip():
        raise ApplicationError(_("Vul een antwoord in."), field="answer")
    question.answer = answer.strip()
    if public_text is not None:
        question.public_text = public_text.strip()
    question.answered_at = timezone.now()
    question.answered_by = user
    question.full_clean()
    question.save()
    return question

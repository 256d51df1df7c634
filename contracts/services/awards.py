"""The award decision: decision letters per bidder per phase, sending them, the standstill
per segment, objections and the final award (DOMAIN.md, "Award decision letters";
docs/rules.md, "Award decision, letters and standstill").

Letters are made by Celery tasks, one task and one transaction per letter: the run's task
(``contracts.tasks.generate_letters``) queues a ``generate_letter`` for each letter still
missing, so the workers render them in parallel; a worker that dies loses at most the letters
it was rendering, and a resumed run queues only the letters still missing. The unique
constraint on (tender, phase, bidder, version) is the last guard against duplicates.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.services import audit_record
from config.queue import enqueue
from evaluation.models import RankingRow
from evaluation.selectors import final_ranking
from evaluation.services.reopen import ranking_reopen
from providers.models import Organisation
from tender.constants import Phase, TenderState
from tender.errors import ApplicationError
from tender.models import Segment, Tender
from tender.pdf import render_to_pdf
from tender.services.lifecycle import tender_transition
from tender.services.mail import absolute_url, mail_render

from ..award_models import (
    BLOCKING_OBJECTIONS,
    AwardDecision,
    AwardLetter,
    DeliveryStatus,
    LetterDelivery,
    LetterRun,
    Objection,
    ObjectionResult,
    RunStatus,
    SegmentStandstill,
    SelectionStandstill,
)
from ..award_selectors import letter_content, letter_targets, phases_of, rationale_gaps

logger = logging.getLogger(__name__)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
END_OF_DAY = time(23, 59, 59)
MIN_STANDSTILL_DAYS = 20


# -- dates --------------------------------------------------------------------------------


def local_today(now: datetime | None = None) -> date:
    """Today's date in Europe/Amsterdam."""
    return (now or timezone.now()).astimezone(AMSTERDAM).date()


def standstill_end(decision_date: date, days: int) -> datetime:
    """The end of the standstill: 23:59:59 Europe/Amsterdam on the calendar day ``days`` days
    after ``decision_date`` (calendar days, month ends and DST changes count as ordinary
    days). Returned as an aware datetime in Europe/Amsterdam; it is stored in UTC."""
    return datetime.combine(decision_date + timedelta(days=days), END_OF_DAY, tzinfo=AMSTERDAM)


def display_moment(moment: datetime) -> str:
    return date_format(moment.astimezone(AMSTERDAM), "j F Y, H:i:s")


# -- letters ------------------------------------------------------------------------------


def letter_reference(*, tender: Tender, phase: str, bidder: Organisation, version: int) -> str:
    return f"{tender.slug}/{phase}/{bidder.kvk}/v{version}"


def _decision_open(tender: Tender, phase: str) -> None:
    """Refuse unless the phase has a final ranking and its decision was not sent yet."""
    if phase not in phases_of(tender):
        raise ApplicationError(_("Deze aanbesteding heeft geen selectiefase."), field="phase")
    if tender.state == TenderState.CANCELLED:
        raise ApplicationError(_("De aanbesteding is ingetrokken."))
    if final_ranking(tender=tender, phase=phase) is None:
        raise ApplicationError(
            _("Stel eerst de ranking van deze fase definitief vast."), field="phase"
        )
    if phase == Phase.AWARD and tender.state != TenderState.AWARD:
        raise ApplicationError(
            _("Brieven voor de gunning worden gemaakt in de gunningsfase (status nu: %(s)s).")
            % {"s": tender.get_state_display()}
        )
    if AwardDecision.objects.filter(tender=tender, phase=phase, sent_at__isnull=False).exists():
        raise ApplicationError(
            _("De beslissing is al verzonden; maak zo nodig een nieuwe versie van één brief.")
        )
    _require_reasons(tender, phase)


def _require_reasons(tender: Tender, phase: str) -> None:
    """Refuse while a scored criterion of a bidder in the phase's ranking has no consensus
    rationale: a letter states the reasons (Aanbestedingswet 2012 art. 2.130), so it is never
    made without them. The message names what is missing (the award page links to it)."""
    gaps = rationale_gaps(tender=tender, phase=phase)
    if gaps:
        listed = "; ".join(
            f"{g.segment_code} {g.bidder_name} {g.criterion_code}" for g in gaps[:10]
        )
        more = len(gaps) - 10
        raise ApplicationError(
            _(
                "Er ontbreekt een motivering van de consensus bij %(n)s beoordeelde criteria: "
                "%(list)s%(more)s. Vul die eerst aan op de consensusschermen."
            )
            % {"n": len(gaps), "list": listed, "more": f" (en {more} meer)" if more > 0 else ""}
        )


@transaction.atomic
def letters_request(
    *, tender: Tender, phase: str, user, client_address: str | None = None
) -> LetterRun:
    """Set the decision date to today and queue the letter job for ``phase``.

    The letters carry the decision date and the standstill end that follows from it, so
    they are made on the day they are sent: a run on a later day re-makes every unsent
    letter with the new date (``letters_execute``)."""
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    _decision_open(tender, phase)
    live = live_run(tender=tender, phase=phase)
    if live is not None:
        # A double click (or a second member of staff) attaches to the running job: its
        # progress is shown, no second job is queued (the tender lock makes this race-free).
        live.attached = True
        return live
    today = local_today()
    decision, _created = AwardDecision.objects.select_for_update().get_or_create(
        tender=tender,
        phase=phase,
        defaults={
            "decision_date": today,
            "standstill_ends_at": standstill_end(today, tender.standstill_days),
        },
    )
    if decision.decision_date != today:
        decision.decision_date = today
        decision.standstill_ends_at = standstill_end(today, tender.standstill_days)
        decision.save(update_fields=["decision_date", "standstill_ends_at"])
    run = LetterRun.objects.create(
        tender=tender,
        phase=phase,
        total=len(letter_targets(tender=tender, phase=phase)),
        requested_by=user if user and user.is_authenticated else None,
    )
    audit_record(
        action="award.letters_request",
        actor=user,
        obj=run,
        tender=tender,
        client_address=client_address,
        details={"phase": phase, "decision_date": today.isoformat(), "letters": run.total},
    )
    enqueue("contracts.tasks.generate_letters", run.pk)
    return run


def live_run(*, tender: Tender, phase: str) -> LetterRun | None:
    """The phase's letter run that is still alive (pending or running with a recent
    heartbeat), or None. A stalled run is not alive: it is resumed, not attached to."""
    run = (
        LetterRun.objects.filter(
            tender=tender, phase=phase, status__in=(RunStatus.PENDING, RunStatus.RUNNING)
        )
        .order_by("-created_at", "-id")
        .first()
    )
    return run if run is not None and not run.is_stalled else None


def letters_execute(*, run_id: int) -> LetterRun:
    """Make the missing letters of a run one after another in this process, each in its own
    transaction (what the fanned-out tasks do in parallel: ``letters_start`` and
    ``letter_make``). Idempotent: a letter that exists and carries the decision's date is
    skipped, so a retried, redelivered or restarted run never makes a second letter."""
    run, missing = letters_start(run_id=run_id)
    for bidder_id in missing:
        run = letter_make(run_id=run.pk, bidder_id=bidder_id)
    return run


def letters_start(*, run_id: int) -> tuple[LetterRun, list[int]]:
    """Start (or resume) a run: mark it running with a fresh heartbeat and return the ids of
    the bidders whose letter is still missing, one ``letter_make`` each. A run with nothing
    missing is done at once; a done run stays done."""
    with transaction.atomic():
        run = LetterRun.objects.select_for_update().select_related("tender").get(pk=run_id)
        if run.status == RunStatus.DONE:
            return run, []
        missing = _missing_bidders(run)
        run.status = RunStatus.RUNNING if missing else RunStatus.DONE
        run.done, run.heartbeat_at = max(run.total - len(missing), 0), timezone.now()
        run.save(update_fields=["status", "done", "heartbeat_at"])
    return run, missing


def letter_make(*, run_id: int, bidder_id: int) -> LetterRun:
    """Make one letter of a run (``letter_ensure``: skipped when it exists already, so a
    retried or duplicated task never makes a second one), then record the run's progress from
    the letters that exist; the task that finds none missing marks the run done."""
    run = LetterRun.objects.select_related("tender").get(pk=run_id)
    if run.status in (RunStatus.DONE, RunStatus.FAILED):
        return run
    bidder = Organisation.objects.get(pk=bidder_id)
    try:
        letter_ensure(tender=run.tender, phase=run.phase, bidder=bidder)
    except OperationalError:
        raise  # the database was away: the task is retried (``generate_letter``)
    except Exception as exc:
        LetterRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=str(exc)[:2000])
        raise
    with transaction.atomic():
        run = LetterRun.objects.select_for_update().select_related("tender").get(pk=run_id)
        if run.status != RunStatus.RUNNING:
            return run
        missing = _missing_bidders(run)
        run.done, run.heartbeat_at = max(run.total - len(missing), 0), timezone.now()
        if not missing:
            run.status = RunStatus.DONE
        run.save(update_fields=["status", "done", "heartbeat_at"])
    return run


def _missing_bidders(run: LetterRun) -> list[int]:
    """The ids of the run's addressees without an up-to-date letter of its phase: the newest
    version is neither sent nor of the decision's date (``letter_ensure`` makes exactly
    these). Two queries, whatever the number of letters."""
    decision = AwardDecision.objects.get(tender_id=run.tender_id, phase=run.phase)
    latest: dict[int, AwardLetter] = {}
    for letter in AwardLetter.objects.filter(tender_id=run.tender_id, phase=run.phase).order_by(
        "version"
    ):
        latest[letter.bidder_id] = letter
    missing = []
    for bidder in letter_targets(tender=run.tender, phase=run.phase):
        letter = latest.get(bidder.pk)
        if letter is None or (
            letter.sent_at is None and letter.decision_date != decision.decision_date
        ):
            missing.append(bidder.pk)
    return missing


@transaction.atomic
def letters_resume(*, run: LetterRun, user, client_address: str | None = None) -> LetterRun:
    """Queue a stalled letter run again (its worker died, or it was never queued). The job
    makes only the letters still missing (``letters_execute``), so a resumed run never makes a
    letter twice. Refused while the run is still alive, or once the decision was sent."""
    run = LetterRun.objects.select_for_update().select_related("tender").get(pk=run.pk)
    if not run.is_stalled:
        raise ApplicationError(_("Deze taak loopt nog of is al afgerond; hervatten is niet nodig."))
    _decision_open(run.tender, run.phase)
    run.heartbeat_at = timezone.now()  # resumed now: not stalled again until the next timeout
    run.save(update_fields=["heartbeat_at"])
    audit_record(
        action="award.letters_resume",
        actor=user,
        obj=run,
        tender=run.tender,
        client_address=client_address,
        details={"phase": run.phase, "done": run.done, "letters": run.total},
    )
    enqueue("contracts.tasks.generate_letters", run.pk)
    return run


def letter_ensure(*, tender: Tender, phase: str, bidder: Organisation) -> AwardLetter | None:
    """One transaction: make the bidder's letter of the phase unless an up-to-date one
    exists. An unsent letter with an older decision date is re-made in place (same version);
    a sent letter is never touched."""
    try:
        with transaction.atomic():
            decision = _decision_shared(tender, phase)
            latest = (
                AwardLetter.objects.select_for_update()
                .filter(tender=tender, phase=phase, bidder=bidder)
                .order_by("-version")
                .first()
            )
            if latest is not None and (
                latest.sent_at is not None or latest.decision_date == decision.decision_date
            ):
                return latest
            letter = latest or AwardLetter(tender=tender, phase=phase, bidder=bidder, version=1)
            _render_into(letter, decision)
            return letter
    except IntegrityError:
        # Another worker made this letter between our check and our insert.
        logger.info("Letter for %s/%s/%s already made", tender.slug, phase, bidder.kvk)
        return None


def _decision_shared(tender: Tender, phase: str) -> AwardDecision:
    """The phase's decision, locked against a change of its date (``letters_request``,
    sending) until the letter's transaction ends, but not against the other letters: on
    PostgreSQL ``FOR SHARE``, so the workers render the letters of a run in parallel."""
    if connection.vendor != "postgresql":
        return AwardDecision.objects.select_for_update().get(tender=tender, phase=phase)
    table = AwardDecision._meta.db_table
    return AwardDecision.objects.raw(
        f"SELECT * FROM {table} WHERE tender_id = %s AND phase = %s FOR SHARE",  # noqa: S608
        [tender.pk, phase],
    )[0]


def _render_into(
    letter: AwardLetter,
    decision: AwardDecision,
    *,
    corrects: AwardLetter | None = None,
    decision_date: date | None = None,
    ends_at: datetime | None = None,
) -> None:
    """Render the letter's PDF with the current final ranking and save it (new or unsent).
    A first version carries the decision's date and standstill end; a correction its own
    (``decision_date``, ``ends_at``: see ``correction_dates``)."""
    tender = Tender.objects.select_related("region").get(pk=letter.tender_id)
    content = letter_content(tender=tender, phase=letter.phase, bidder=letter.bidder)
    letter.kind = content.kind
    letter.decision_date = decision_date or decision.decision_date
    ends_at = ends_at or decision.standstill_ends_at  # set with the decision date
    letter.standstill_ends_at = ends_at
    letter.reference = letter_reference(
        tender=tender, phase=letter.phase, bidder=letter.bidder, version=letter.version
    )
    pdf = render_to_pdf(
        "pdf/award_letter.html",
        {
            "tender": tender,
            "region_name": tender.region.name,
            # The municipalities of the lots the letter is about, not the whole region's.
            "municipalities": content.municipalities,
            "content": content,
            "letter": letter,
            "reference": letter.reference,
            "decision_date": letter.decision_date,
            "ends_at": ends_at.astimezone(AMSTERDAM),
            "standstill_days": tender.standstill_days,
            "corrects": corrects,
            "portal_path": reverse("portal-letters"),
        },
    )
    letter.sha256 = hashlib.sha256(pdf).hexdigest()
    letter.generated_at = timezone.now()
    replaced = letter.pdf.name if letter.pdf else None
    letter.pdf.save(letter.reference.replace("/", "-") + ".pdf", ContentFile(pdf), save=False)
    letter.save()
    if replaced:  # an unsent letter re-made in place: drop its old file once this commits
        storage = letter.pdf.storage
        transaction.on_commit(lambda: storage.delete(replaced))
    audit_record(
        action="award.letter_generate",
        obj=letter,
        tender=tender,
        details={"reference": letter.reference, "sha256": letter.sha256, "kind": letter.kind},
    )


@transaction.atomic
def letter_new_version(
    *, letter: AwardLetter, user, client_address: str | None = None
) -> AwardLetter:
    """Correct a letter: an unsent letter is re-made in place; a sent one stays as it is and
    a new version (v+1, unsent) is made from the current final ranking. A correction is a new
    decision for its addressee: it carries today's date and a standstill of its own
    (``correction_dates``); sending it moves the end of its segments' standstill
    (``letter_send``). Only the newest version."""
    letter = AwardLetter.objects.select_for_update().select_related("bidder").get(pk=letter.pk)
    newest = (
        AwardLetter.objects.filter(tender_id=letter.tender_id, phase=letter.phase)
        .filter(bidder_id=letter.bidder_id)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    if letter.version != newest:
        raise ApplicationError(_("Alleen de nieuwste versie van een brief kan worden vervangen."))
    tender = Tender.objects.select_for_update().get(pk=letter.tender_id)
    if tender.state == TenderState.CANCELLED:
        raise ApplicationError(_("De aanbesteding is ingetrokken."))
    decision = AwardDecision.objects.select_for_update().get(tender=tender, phase=letter.phase)
    _require_final_ranking(tender, letter.phase)
    _require_reasons(tender, letter.phase)
    if letter.sent_at is None:
        _rerender_unsent(letter, decision, tender)
        target = letter
    else:
        target = AwardLetter(
            tender=tender, phase=letter.phase, bidder=letter.bidder, version=letter.version + 1
        )
        _render_into(target, decision, corrects=letter, **correction_dates(tender))
    audit_record(
        action="award.letter_new_version",
        actor=user,
        obj=target,
        tender=tender,
        client_address=client_address,
        details={"reference": target.reference, "replaces": letter.reference},
    )
    return target


def _require_final_ranking(tender: Tender, phase: str) -> None:
    """A corrected letter states the corrected ranking: refused while the phase's ranking is
    reopened (an upheld objection) and not finalised again."""
    if final_ranking(tender=tender, phase=phase) is None:
        raise ApplicationError(
            _(
                "De ranking van deze fase is heropend. Corrigeer de beoordeling, bereken de "
                "ranking opnieuw en stel haar definitief vast; maak daarna de gecorrigeerde "
                "brieven."
            )
        )


def correction_dates(tender: Tender, now: datetime | None = None) -> dict:
    """The date and standstill end of a corrected letter: today, and the end of the day the
    tender's standstill days (at least 20, Aanbestedingswet 2012 art. 2.127) later."""
    today = local_today(now)
    return {
        "decision_date": today,
        "ends_at": standstill_end(today, max(tender.standstill_days, MIN_STANDSTILL_DAYS)),
    }


def _rerender_unsent(letter: AwardLetter, decision: AwardDecision, tender: Tender) -> None:
    """Re-make an unsent letter in place: a first version with the decision's dates, a
    correction (v2+) with today's."""
    if letter.version == 1:
        _render_into(letter, decision)
        return
    previous = AwardLetter.objects.get(
        tender=tender, phase=letter.phase, bidder=letter.bidder, version=letter.version - 1
    )
    _render_into(letter, decision, corrects=previous, **correction_dates(tender))


def _letter_segment_ids(letter: AwardLetter) -> set[int]:
    """The segments the letter's addressee is ranked in (current final ranking)."""
    ranking = final_ranking(tender=letter.tender, phase=letter.phase)
    return set(
        RankingRow.objects.filter(ranking=ranking, bidder_kvk=letter.bidder.kvk).values_list(
            "segment_id", flat=True
        )
    )


def _mark_corrected(letter: AwardLetter, user) -> None:
    """A corrected letter sent after an objection was upheld: the objections upheld on the
    addressee's segments stop blocking them; from now on the (extended) standstill holds the
    final award (``Objection.blocks``)."""
    for objection in Objection.objects.select_for_update().filter(
        segment_id__in=_letter_segment_ids(letter),
        phase=letter.phase,
        result=ObjectionResult.UPHELD,
        corrected_at__isnull=True,
        resolved_at__lte=letter.sent_at,
    ):
        objection.corrected_at = letter.sent_at
        objection.save(update_fields=["corrected_at"])
        audit_record(
            action="award.objection_corrected",
            actor=user,
            obj=objection,
            tender=letter.tender,
            details={"segment_id": objection.segment_id, "reference": letter.reference},
        )


def _extend_standstills(letter: AwardLetter, user) -> list[str]:
    """A sent correction restarts the standstill of the segments of its addressee: each
    segment's (award or selection) standstill ends no earlier than the letter's. Segments
    already final (or invited) are left alone. Returns the codes moved."""
    segment_ids = _letter_segment_ids(letter)
    if letter.phase == Phase.AWARD:
        periods = SegmentStandstill.objects.filter(final_at__isnull=True)
    else:
        periods = SelectionStandstill.objects.filter(invited_at__isnull=True)
    moved = []
    for period in (
        periods.select_for_update(of=("self",))
        .filter(segment_id__in=segment_ids, ends_at__lt=letter.standstill_ends_at)
        .select_related("segment")
        .order_by("segment__code")
    ):
        previous = period.ends_at
        period.ends_at, period.extended_by = letter.standstill_ends_at, letter.reference
        period.save(update_fields=["ends_at", "extended_by"])
        moved.append(period.segment.code)
        audit_record(
            action="award.standstill_extend",
            actor=user,
            obj=period,
            tender=letter.tender,
            details={
                "segment": period.segment.code,
                "phase": letter.phase,
                "reference": letter.reference,
                "from": previous.isoformat(),
                "to": letter.standstill_ends_at.isoformat(),
            },
        )
    return moved


def _recipients(organisation: Organisation) -> list[str]:
    emails = [organisation.contact_email] if organisation.contact_email else []
    emails += list(
        get_user_model()
        .objects.filter(organisation_membership__organisation=organisation, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted(set(emails))


def letter_addressees(letter: AwardLetter) -> list[Organisation]:
    """The bidder and, for a combination it leads in the tender, every member: each sees the
    letter in the portal and gets the mail."""
    members = Organisation.objects.filter(
        combinations__tender_id=letter.tender_id, combinations__lead_id=letter.bidder_id
    )
    return sorted(
        {letter.bidder, *members.exclude(pk=letter.bidder_id)}, key=lambda o: (o.name, o.kvk)
    )


def _unreachable_names(organisation_ids: list[int]) -> list[str]:
    """The names of the organisations without an e-mail address (neither a contact e-mail
    nor an active portal user with one), in one query."""
    reachable_users = (
        get_user_model()
        .objects.filter(organisation_membership__organisation=OuterRef("pk"), is_active=True)
        .exclude(email="")
    )
    return list(
        Organisation.objects.filter(pk__in=organisation_ids, contact_email="")
        .exclude(Exists(reachable_users))
        .order_by("name")
        .values_list("name", flat=True)
    )


def unreachable(letters: list[AwardLetter]) -> list[str]:
    """The names of the addressed bidders without an e-mail address: their letters cannot
    be proven delivered."""
    return _unreachable_names([letter.bidder_id for letter in letters])


def _refuse_unreachable(letters: list[AwardLetter]) -> None:
    names = unreachable(letters)
    if names:
        raise ApplicationError(
            _(
                "Versturen kan niet: geen e-mailadres bekend voor %(names)s. Vul het e-mailadres "
                "van de contactpersoon van de organisatie in."
            )
            % {"names": ", ".join(names)}
        )


def _mark_sent(letters: list[AwardLetter], user, base_url: str = "") -> None:
    """Mark the letters sent and record one delivery per addressee organisation and e-mail
    address; the mails go out by the task ``contracts.tasks.deliver_letter`` after commit
    (with retries), which records acceptance or failure."""
    _refuse_unreachable(letters)
    now = timezone.now()
    for letter in letters:
        letter.sent_at = now
        letter.save(update_fields=["sent_at"])
        audit_record(
            action="award.letter_send",
            actor=user,
            obj=letter,
            tender=letter.tender,
            details={"reference": letter.reference, "sha256": letter.sha256},
        )
        for organisation in letter_addressees(letter):
            addresses = _recipients(organisation)
            if not addresses:  # a member without an address: visible on the delivery table
                LetterDelivery.objects.create(
                    letter=letter,
                    organisation=organisation,
                    status=DeliveryStatus.FAILED,
                    detail=_("Geen e-mailadres bekend; de brief staat wel in het portaal."),
                )
            for address in addresses:
                delivery = LetterDelivery.objects.create(
                    letter=letter, organisation=organisation, email=address
                )
                enqueue("contracts.tasks.deliver_letter", delivery.pk, base_url)


def delivery_execute(*, delivery_id: int, base_url: str = "") -> LetterDelivery:
    """Send the mail of one delivery; on success it is 'accepted' (by the mail server). An
    error is raised for the task to retry (``delivery_failed`` after the last attempt)."""
    delivery = LetterDelivery.objects.select_related("letter__tender__region").get(pk=delivery_id)
    if delivery.status != DeliveryStatus.QUEUED:
        return delivery
    LetterDelivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1)
    message = mail_render(
        "award_letter",
        {
            "letter": delivery.letter,
            "tender": delivery.letter.tender,
            "url": absolute_url(reverse("portal-letters"), base_url),
        },
        delivery.email,
    )
    message.send()
    LetterDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.ACCEPTED, detail="", updated_at=timezone.now()
    )
    delivery.refresh_from_db()
    return delivery


def delivery_failed(*, delivery_id: int, error: str) -> None:
    """The last attempt failed (or the mail bounced): shown on the delivery table."""
    LetterDelivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.FAILED, detail=error[:2000], updated_at=timezone.now()
    )


@transaction.atomic
def delivery_resend(
    *, delivery: LetterDelivery, user, base_url: str = "", client_address: str | None = None
) -> LetterDelivery:
    """Queue the mail of a failed delivery again (to the organisation's current address)."""
    delivery = (
        LetterDelivery.objects.select_for_update()
        .select_related("letter__tender", "organisation")
        .get(pk=delivery.pk)
    )
    if delivery.status != DeliveryStatus.FAILED:
        raise ApplicationError(_("Alleen een mislukte bezorging kan opnieuw worden verstuurd."))
    addresses = _recipients(delivery.organisation)
    if not delivery.email and not addresses:
        raise ApplicationError(
            _("Geen e-mailadres bekend voor %(name)s.") % {"name": delivery.organisation.name}
        )
    delivery.email = delivery.email or addresses[0]
    delivery.status, delivery.detail = DeliveryStatus.QUEUED, ""
    delivery.save(update_fields=["email", "status", "detail", "updated_at"])
    audit_record(
        action="award.delivery_resend",
        actor=user,
        obj=delivery.letter,
        tender=delivery.letter.tender,
        client_address=client_address,
        details={"reference": delivery.letter.reference, "email": delivery.email},
    )
    enqueue("contracts.tasks.deliver_letter", delivery.pk, base_url)
    return delivery


@transaction.atomic
def delivery_other_means(
    *, delivery: LetterDelivery, reason: str, user, client_address: str | None = None
) -> LetterDelivery:
    """Record that a failed delivery was made by other means (registered post, by hand),
    with the reason; audited."""
    delivery = (
        LetterDelivery.objects.select_for_update()
        .select_related("letter__tender")
        .get(pk=delivery.pk)
    )
    if delivery.status != DeliveryStatus.FAILED:
        raise ApplicationError(_("Alleen een mislukte bezorging kan zo worden vastgelegd."))
    if not reason.strip():
        raise ApplicationError(_("Beschrijf hoe de brief is bezorgd."), field="reason")
    delivery.status, delivery.detail = DeliveryStatus.OTHER_MEANS, reason.strip()
    delivery.save(update_fields=["status", "detail", "updated_at"])
    audit_record(
        action="award.delivery_other_means",
        actor=user,
        obj=delivery.letter,
        tender=delivery.letter.tender,
        client_address=client_address,
        details={"reference": delivery.letter.reference, "reason": delivery.detail},
    )
    return delivery


def letter_opened(*, letter: AwardLetter, organisation: Organisation) -> None:
    """The first opening of a letter in the portal by the organisation (read receipt)."""
    LetterDelivery.objects.filter(
        letter=letter, organisation=organisation, opened_at__isnull=True
    ).update(opened_at=timezone.now())


def _unsent_latest(tender: Tender, phase: str) -> list[AwardLetter]:
    return list(
        AwardLetter.objects.select_for_update(of=("self",))
        .filter(tender=tender, phase=phase, sent_at__isnull=True)
        .select_related("bidder", "tender")
        .order_by("bidder__name")
    )


def letters_missing(*, tender: Tender, phase: str) -> str | None:
    """Why the phase's decision cannot be sent yet (Dutch), or None."""
    decision = AwardDecision.objects.filter(tender=tender, phase=phase).first()
    if decision is None:
        return _("Maak eerst de brieven.")
    if decision.sent_at is not None:
        return _("De beslissing is al verzonden.")
    if decision.decision_date != local_today():
        return _(
            "De brieven dragen de datum %(date)s; maak ze opnieuw, zodat datum en einde van "
            "de termijn kloppen met de dag van verzenden."
        ) % {"date": date_format(decision.decision_date, "j F Y")}
    targets = letter_targets(tender=tender, phase=phase)
    if not targets:
        return _("Er zijn geen inschrijvers om te berichten.")
    ready = set(
        AwardLetter.objects.filter(
            tender=tender, phase=phase, decision_date=decision.decision_date
        ).values_list("bidder_id", flat=True)
    )
    missing = [t for t in targets if t.pk not in ready]
    if missing:
        return ngettext(
            "Nog niet alle brieven zijn gemaakt (%(n)s ontbreekt).",
            "Nog niet alle brieven zijn gemaakt (%(n)s ontbreken).",
            len(missing),
        ) % {"n": len(missing)}
    names = _unreachable_names([t.pk for t in targets])
    if names:
        return _(
            "Versturen kan niet: geen e-mailadres bekend voor %(names)s. Vul het e-mailadres "
            "van de contactpersoon van de organisatie in."
        ) % {"names": ", ".join(names)}
    return None


@transaction.atomic
def decision_send(
    *, tender: Tender, phase: str, user, base_url: str = "", client_address: str | None = None
) -> AwardDecision:
    """Send the phase's letters: mark them sent (immutable from now on) and mail every
    bidder. For the award phase this is the lifecycle step 'start_standstill', whose guard
    and after-hook (registered in apps.py) check the letters and start the standstill."""
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if phase == Phase.AWARD:
        tender_transition(
            tender=tender, name="start_standstill", user=user, client_address=client_address
        )
        return AwardDecision.objects.get(tender=tender, phase=phase)
    if tender.state == TenderState.SELECTION:
        # The selection decision of the restricted procedure: the lifecycle step that starts
        # the selection standstill per segment (guard and after-hook in apps.py).
        tender_transition(
            tender=tender,
            name="start_selection_standstill",
            user=user,
            client_address=client_address,
        )
        return AwardDecision.objects.get(tender=tender, phase=phase)
    if phase not in phases_of(tender) or tender.state == TenderState.CANCELLED:
        raise ApplicationError(_("Voor deze fase worden geen brieven verstuurd."), field="phase")
    if reason := letters_missing(tender=tender, phase=phase):
        raise ApplicationError(reason)
    decision = AwardDecision.objects.select_for_update().get(tender=tender, phase=phase)
    _send_decision(tender, decision, user, base_url)
    audit_record(
        action="award.decision_send",
        actor=user,
        obj=decision,
        tender=tender,
        client_address=client_address,
        details={"phase": phase, "decision_date": decision.decision_date.isoformat()},
    )
    return decision


def _send_decision(tender: Tender, decision: AwardDecision, user, base_url: str = "") -> None:
    _mark_sent(_unsent_latest(tender, decision.phase), user, base_url)
    decision.sent_at = timezone.now()
    decision.sent_by = user
    decision.save(update_fields=["sent_at", "sent_by"])


@transaction.atomic
def letter_send(
    *, letter: AwardLetter, user, base_url: str = "", client_address: str | None = None
) -> AwardLetter:
    """Send one corrected version after the decision went out."""
    letter = (
        AwardLetter.objects.select_for_update().select_related("bidder", "tender").get(pk=letter.pk)
    )
    if letter.sent_at is not None:
        raise ApplicationError(_("Deze brief is al verzonden."))
    decision = AwardDecision.objects.get(tender_id=letter.tender_id, phase=letter.phase)
    if decision.sent_at is None:
        raise ApplicationError(_("Verstuur eerst de beslissing als geheel."))
    if letter.decision_date != local_today():
        # The correction carries the day it is sent, and its standstill runs from it.
        _require_reasons(letter.tender, letter.phase)
        _rerender_unsent(letter, decision, letter.tender)
    _mark_sent([letter], user, base_url)
    _extend_standstills(letter, user)
    _mark_corrected(letter, user)
    return letter


# -- lifecycle hooks (registered in contracts/apps.py) ------------------------------------


def standstill_needs_letters(tender: Tender) -> str | None:
    """Guard of 'start_standstill': the selection letters are sent and every award letter is
    made today."""
    if (
        Phase.SELECTION in phases_of(tender)
        and not AwardDecision.objects.filter(
            tender=tender, phase=Phase.SELECTION, sent_at__isnull=False
        ).exists()
    ):
        return _("Verstuur eerst de brieven van de selectiefase.")
    return letters_missing(tender=tender, phase=Phase.AWARD)


def standstill_start(*, tender: Tender, user) -> None:
    """After-hook of 'start_standstill': send the award letters and start the standstill of
    every segment in the final award ranking."""
    decision = AwardDecision.objects.select_for_update().get(tender=tender, phase=Phase.AWARD)
    _send_decision(tender, decision, user)
    ranking = final_ranking(tender=tender, phase=Phase.AWARD)
    segment_ids = set(
        RankingRow.objects.filter(ranking=ranking).values_list("segment_id", flat=True)
    )
    SegmentStandstill.objects.bulk_create(
        SegmentStandstill(segment_id=pk, decision=decision, ends_at=decision.standstill_ends_at)
        for pk in sorted(segment_ids)
    )


def selection_standstill_needs_letters(tender: Tender) -> str | None:
    """Guard of 'start_selection_standstill': every selection letter is made today."""
    return letters_missing(tender=tender, phase=Phase.SELECTION)


def selection_standstill_start(*, tender: Tender, user) -> None:
    """After-hook of 'start_selection_standstill': send the selection letters and start the
    selection standstill of every segment in the final selection ranking."""
    decision = AwardDecision.objects.select_for_update().get(tender=tender, phase=Phase.SELECTION)
    _send_decision(tender, decision, user)
    ranking = final_ranking(tender=tender, phase=Phase.SELECTION)
    segment_ids = set(
        RankingRow.objects.filter(ranking=ranking).values_list("segment_id", flat=True)
    )
    SelectionStandstill.objects.bulk_create(
        SelectionStandstill(segment_id=pk, decision=decision, ends_at=decision.standstill_ends_at)
        for pk in sorted(segment_ids)
    )


def awarded_needs_final_segments(tender: Tender) -> str | None:
    """Guard of 'award': every segment's award is final."""
    pending = SegmentStandstill.objects.filter(segment__tender=tender, final_at__isnull=True)
    if not SegmentStandstill.objects.filter(segment__tender=tender).exists():
        return _("Er is nog geen opschortende termijn gestart.")
    if pending.exists():
        codes = ", ".join(pending.order_by("segment__code").values_list("segment__code", flat=True))
        return _("Nog niet definitief gegund: %(codes)s.") % {"codes": codes}
    return None


# -- objections ---------------------------------------------------------------------------


@transaction.atomic
def objection_register(
    *,
    segment: Segment,
    bidder: Organisation,
    kind: str,
    note: str = "",
    user,
    phase: str = Phase.AWARD,
    client_address: str | None = None,
) -> Objection:
    """Register a bezwaar or kort geding against the award (or, ``phase`` selection, the
    selection) of ``segment``. Refused outside the standstill, for a segment already final (or
    already invited to round 2) and for an organisation that got no letter of that phase."""
    tender = Tender.objects.select_for_update().get(pk=segment.tender_id)
    if phase == Phase.SELECTION:
        return _selection_objection_register(
            tender, segment, bidder, kind, note, user, client_address
        )
    standstill = SegmentStandstill.objects.select_for_update().filter(segment=segment).first()
    if tender.state != TenderState.STANDSTILL or standstill is None:
        raise ApplicationError(_("Bezwaren worden geregistreerd tijdens de opschortende termijn."))
    if standstill.final_at is not None:
        raise ApplicationError(_("De gunning van dit segment is al definitief."), field="segment")
    if not AwardLetter.objects.filter(tender=tender, bidder=bidder).exists():
        raise ApplicationError(
            _("Deze organisatie heeft geen beslissing ontvangen in deze aanbesteding."),
            field="bidder",
        )
    objection = Objection.objects.create(
        segment=segment,
        bidder=bidder,
        decision=AwardDecision.objects.filter(tender=tender, phase=Phase.AWARD).first(),
        kind=kind,
        note=note.strip(),
        registered_by=user,
    )
    audit_record(
        action="award.objection_register",
        actor=user,
        obj=objection,
        tender=tender,
        client_address=client_address,
        details={"segment": segment.code, "bidder": bidder.kvk, "kind": kind},
    )
    return objection


def _selection_objection_register(tender, segment, bidder, kind, note, user, client_address):
    standstill = SelectionStandstill.objects.select_for_update().filter(segment=segment).first()
    if standstill is None:
        raise ApplicationError(
            _("Bezwaren tegen de selectie worden geregistreerd na de selectiebeslissing.")
        )
    if standstill.invited_at is not None:
        raise ApplicationError(
            _("De geselecteerden voor dit segment zijn al uitgenodigd tot inschrijving."),
            field="segment",
        )
    if not AwardLetter.objects.filter(tender=tender, phase=Phase.SELECTION, bidder=bidder).exists():
        raise ApplicationError(
            _("Deze organisatie heeft geen selectiebeslissing ontvangen in deze aanbesteding."),
            field="bidder",
        )
    objection = Objection.objects.create(
        segment=segment,
        bidder=bidder,
        phase=Phase.SELECTION,
        decision=AwardDecision.objects.filter(tender=tender, phase=Phase.SELECTION).first(),
        kind=kind,
        note=note.strip(),
        registered_by=user,
    )
    audit_record(
        action="award.objection_register",
        actor=user,
        obj=objection,
        tender=tender,
        client_address=client_address,
        details={"segment": segment.code, "bidder": bidder.kvk, "kind": kind, "phase": "selection"},
    )
    return objection


@transaction.atomic
def objection_resolve(
    *,
    objection: Objection,
    result: str,
    outcome: str,
    user,
    client_address: str | None = None,
) -> Objection:
    """Record the outcome of an objection: ``result`` rejected (ongegrond), withdrawn
    (ingetrokken) or upheld (gegrond), with its reasons (``outcome``). Upheld reopens the
    phase's final ranking (``ranking_reopen``: only the chair), so staff correct the scores,
    rank and finalise again and send corrected letters (a new version each, with a standstill
    of its own of at least 20 days); until the first of those went out the objection keeps
    blocking its segment (``Objection.blocks``). Other segments are not held."""
    objection = (
        Objection.objects.select_for_update()
        .select_related("segment__tender", "bidder")
        .get(pk=objection.pk)
    )
    if objection.resolved_at is not None:
        raise ApplicationError(_("Dit bezwaar is al afgehandeld."))
    if result not in ObjectionResult.values:
        raise ApplicationError(
            _("Kies de uitkomst: ongegrond, gegrond of ingetrokken."), field="result"
        )
    if not outcome.strip():
        raise ApplicationError(_("Beschrijf de uitkomst."), field="outcome")
    tender = objection.segment.tender
    reopened = None
    if result == ObjectionResult.UPHELD:
        ranking = final_ranking(tender=tender, phase=objection.phase)
        if ranking is not None:  # another upheld objection may have reopened it already
            reopened = ranking_reopen(
                ranking=ranking,
                user=user,
                reason=_("Bezwaar gegrond (%(segment)s, %(bidder)s): %(outcome)s")
                % {
                    "segment": objection.segment.code,
                    "bidder": objection.bidder.name,
                    "outcome": outcome.strip(),
                },
                client_address=client_address,
            )
    objection.resolved_at = timezone.now()
    objection.resolved_by = user
    objection.result = result
    objection.outcome = outcome.strip()
    objection.save(update_fields=["resolved_at", "resolved_by", "result", "outcome"])
    audit_record(
        action="award.objection_resolve",
        actor=user,
        obj=objection,
        tender=tender,
        client_address=client_address,
        details={
            "segment": objection.segment.code,
            "phase": objection.phase,
            "result": result,
            "outcome": objection.outcome,
            "reopened_ranking": reopened.pk if reopened else None,
        },
    )
    return objection


def objection_next_step(objection: Objection) -> str:
    """What happens next with an objection, for the award page (Dutch)."""
    if objection.resolved_at is None:
        return _(
            "Het segment wacht: definitief gunnen (of uitnodigen) kan pas als het bezwaar is "
            "afgehandeld."
        )
    if objection.result != ObjectionResult.UPHELD:
        return _("Het segment wordt niet langer door dit bezwaar opgehouden.")
    selection = objection.phase == Phase.SELECTION
    if objection.corrected_at is not None:
        if selection:
            return _(
                "Gecorrigeerde brieven zijn verzonden; de geselecteerden van dit segment worden "
                "uitgenodigd tot inschrijving zodra hun opschortende termijn is verstreken."
            )
        return _(
            "Gecorrigeerde brieven zijn verzonden; het segment wacht op het einde van hun "
            "opschortende termijn."
        )
    if final_ranking(tender=objection.segment.tender, phase=objection.phase) is None:
        if selection:
            return _(
                "De ranking is heropend: corrigeer de beoordeling van de dossiers van dit "
                "segment (alleen dit segment; ook als de inschrijving voor andere segmenten al "
                "loopt), bereken de selectieranking opnieuw en stel haar definitief vast. Maak "
                "en verstuur daarna gecorrigeerde brieven (een nieuwe versie met een eigen "
                "opschortende termijn van minstens 20 dagen); pas daarna wordt dit segment "
                "uitgenodigd tot inschrijving."
            )
        return _(
            "De ranking is heropend: corrigeer de beoordeling, bereken de ranking opnieuw en "
            "stel haar definitief vast. Maak en verstuur daarna gecorrigeerde brieven (een "
            "nieuwe versie met een eigen opschortende termijn van minstens 20 dagen)."
        )
    return _(
        "De gecorrigeerde ranking is definitief: maak en verstuur de gecorrigeerde brieven "
        "(nieuwe versie per brief, met een eigen opschortende termijn van minstens 20 dagen). "
        "Tot dan blijft het segment geblokkeerd."
    )


# -- final award --------------------------------------------------------------------------


def standstill_wait_reason(standstill) -> str:
    """Why a segment's final award (or invitation) waits: the standstill end, and the
    corrected letter that moved it when one did."""
    reason = _("de opschortende termijn loopt tot %(end)s") % {
        "end": display_moment(standstill.ends_at)
    }
    if standstill.extended_by:
        reason += " " + _(
            "(verlengd door de gecorrigeerde brief %(reference)s: een nieuwe beslissing met "
            "een eigen termijn)"
        ) % {"reference": standstill.extended_by}
    return reason


@dataclass
class FinaliseResult:
    finalised: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (segment code, reason)
    already_final: list[str] = field(default_factory=list)
    tender_awarded: bool = False


@transaction.atomic
def award_finalise(
    *, tender: Tender, user=None, now: datetime | None = None, client_address: str | None = None
) -> FinaliseResult:
    """Make the award final for every segment whose standstill has ended without an open
    objection; when every segment is final the tender goes to 'awarded'. ``user`` None is
    the scheduled job. Segments that stay open are reported with their reason."""
    now = now or timezone.now()
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if tender.state != TenderState.STANDSTILL:
        raise ApplicationError(
            _("Definitief gunnen kan alleen tijdens de opschortende termijn (status nu: %(s)s).")
            % {"s": tender.get_state_display()}
        )
    result = FinaliseResult()
    blocking = Objection.objects.filter(segment__tender=tender, phase=Phase.AWARD).filter(
        BLOCKING_OBJECTIONS
    )
    blocked = set(blocking.filter(resolved_at__isnull=True).values_list("segment_id", flat=True))
    awaiting_correction = set(blocking.values_list("segment_id", flat=True)) - blocked
    for standstill in (
        SegmentStandstill.objects.select_for_update(of=("self",))
        .filter(segment__tender=tender)
        .select_related("segment")
        .order_by("segment__code")
    ):
        code = standstill.segment.code
        if standstill.final_at is not None:
            result.already_final.append(code)
        elif standstill.ends_at > now:
            result.refused.append((code, standstill_wait_reason(standstill)))
        elif standstill.segment_id in blocked:
            result.refused.append((code, _("er loopt een bezwaar of kort geding")))
        elif standstill.segment_id in awaiting_correction:
            result.refused.append(
                (
                    code,
                    _(
                        "een bezwaar is gegrond verklaard; de gecorrigeerde brieven zijn nog "
                        "niet verzonden"
                    ),
                )
            )
        else:
            standstill.final_at, standstill.final_by = now, user
            standstill.save(update_fields=["final_at", "final_by"])
            result.finalised.append(code)
            audit_record(
                action="award.segment_final",
                actor=user,
                obj=standstill,
                tender=tender,
                client_address=client_address,
                details={"segment": code, "by": "user" if user else "schedule"},
            )
    if not result.refused:
        tender_transition(
            tender=tender,
            name="award",
            user=user,
            system=user is None,
            client_address=client_address,
        )
        result.tender_awarded = True
    return result


def award_finalise_due(*, now: datetime | None = None) -> dict[str, FinaliseResult]:
    """The scheduled job: finalise what is due in every tender in standstill."""
    results = {}
    for tender in Tender.objects.filter(state=TenderState.STANDSTILL).order_by("slug"):
        results[tender.slug] = award_finalise(tender=tender, now=now)
    return results

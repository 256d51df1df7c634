"""The award decision: decision letters per bidder per phase, sending them, the standstill
per segment, objections and the final award (DOMAIN.md, "Award decision letters";
docs/rules.md, "Award decision, letters and standstill").

Letters are made by a Celery job (``contracts.tasks.generate_letters``) one letter per
transaction, so a worker that dies mid-job loses at most the letter it was rendering, and a
rerun makes only the letters still missing. The unique constraint on (tender, phase, bidder,
version) is the last guard against duplicates.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.services import audit_record
from config.queue import enqueue
from evaluation.models import RankingRow
from evaluation.selectors import final_ranking
from providers.models import Organisation
from tender.constants import Phase, TenderState
from tender.errors import ApplicationError
from tender.models import Segment, Tender
from tender.pdf import render_to_pdf
from tender.services.lifecycle import tender_transition
from tender.services.mail import absolute_url, mail_after_commit, mail_render

from ..award_models import (
    AwardDecision,
    AwardLetter,
    LetterRun,
    Objection,
    RunStatus,
    SegmentStandstill,
    SelectionStandstill,
)
from ..award_selectors import letter_content, letter_targets, phases_of

logger = logging.getLogger(__name__)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
END_OF_DAY = time(23, 59, 59)


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


def letters_execute(*, run_id: int) -> LetterRun:
    """Make the missing letters of a run, each in its own transaction. Idempotent: a letter
    that exists and carries the decision's date is skipped, so a retried, redelivered or
    restarted job never makes a second letter."""
    with transaction.atomic():
        run = LetterRun.objects.select_for_update().select_related("tender").get(pk=run_id)
        if run.status == RunStatus.DONE:
            return run
        run.status, run.done, run.heartbeat_at = RunStatus.RUNNING, 0, timezone.now()
        run.save(update_fields=["status", "done", "heartbeat_at"])
    tender = run.tender
    try:
        for bidder in letter_targets(tender=tender, phase=run.phase):
            letter_ensure(tender=tender, phase=run.phase, bidder=bidder)
            LetterRun.objects.filter(pk=run.pk).update(
                done=F("done") + 1, heartbeat_at=timezone.now()
            )
    except Exception as exc:
        LetterRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=str(exc)[:2000])
        raise
    LetterRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE)
    run.refresh_from_db()
    return run


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
            decision = AwardDecision.objects.select_for_update().get(tender=tender, phase=phase)
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


def _render_into(letter: AwardLetter, decision: AwardDecision, *, corrects=None) -> None:
    """Render the letter's PDF with the current final ranking and save it (new or unsent)."""
    tender = (
        Tender.objects.select_related("region").prefetch_related("region__municipalities")
    ).get(pk=letter.tender_id)
    content = letter_content(tender=tender, phase=letter.phase, bidder=letter.bidder)
    letter.kind = content.kind
    letter.decision_date = decision.decision_date
    letter.reference = letter_reference(
        tender=tender, phase=letter.phase, bidder=letter.bidder, version=letter.version
    )
    ends_at = decision.standstill_ends_at  # set with the decision date (letters_request)
    pdf = render_to_pdf(
        "pdf/award_letter.html",
        {
            "tender": tender,
            "region_name": tender.region.name,
            "municipalities": sorted(m.name for m in tender.region.municipalities.all()),
            "content": content,
            "letter": letter,
            "reference": letter.reference,
            "decision_date": decision.decision_date,
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
    a new version (v+1, unsent) is made from the current final ranking with the decision's
    original date, so the standstill end does not move. Only the newest version."""
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
    if letter.sent_at is None:
        _render_into(letter, decision)
        target = letter
    else:
        target = AwardLetter(
            tender=tender, phase=letter.phase, bidder=letter.bidder, version=letter.version + 1
        )
        _render_into(target, decision, corrects=letter)
    audit_record(
        action="award.letter_new_version",
        actor=user,
        obj=target,
        tender=tender,
        client_address=client_address,
        details={"reference": target.reference, "replaces": letter.reference},
    )
    return target


def _recipients(organisation: Organisation) -> list[str]:
    emails = [organisation.contact_email] if organisation.contact_email else []
    emails += list(
        get_user_model()
        .objects.filter(organisation_membership__organisation=organisation, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted(set(emails))


def _mark_sent(letters: list[AwardLetter], user, base_url: str = "") -> None:
    now = timezone.now()
    messages = []
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
        for address in _recipients(letter.bidder):
            messages.append(
                mail_render(
                    "award_letter",
                    {
                        "letter": letter,
                        "tender": letter.tender,
                        "url": absolute_url(reverse("portal-letters"), base_url),
                    },
                    address,
                )
            )
    mail_after_commit(messages)


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
    _mark_sent([letter], user, base_url)
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
        segment=segment, bidder=bidder, kind=kind, note=note.strip(), registered_by=user
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
    *, objection: Objection, outcome: str, user, client_address: str | None = None
) -> Objection:
    objection = (
        Objection.objects.select_for_update().select_related("segment__tender").get(pk=objection.pk)
    )
    if objection.resolved_at is not None:
        raise ApplicationError(_("Dit bezwaar is al afgehandeld."))
    if not outcome.strip():
        raise ApplicationError(_("Beschrijf de uitkomst."), field="outcome")
    objection.resolved_at = timezone.now()
    objection.resolved_by = user
    objection.outcome = outcome.strip()
    objection.save(update_fields=["resolved_at", "resolved_by", "outcome"])
    audit_record(
        action="award.objection_resolve",
        actor=user,
        obj=objection,
        tender=objection.segment.tender,
        client_address=client_address,
        details={"segment": objection.segment.code, "outcome": objection.outcome},
    )
    return objection


# -- final award --------------------------------------------------------------------------


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
    blocked = set(
        Objection.objects.filter(
            segment__tender=tender, phase=Phase.AWARD, resolved_at__isnull=True
        ).values_list("segment_id", flat=True)
    )
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
            result.refused.append(
                (
                    code,
                    _("de opschortende termijn loopt tot %(end)s")
                    % {"end": display_moment(standstill.ends_at)},
                )
            )
        elif standstill.segment_id in blocked:
            result.refused.append((code, _("er loopt een bezwaar of kort geding")))
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

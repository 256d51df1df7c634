"""Contracts from final awards, their term and the extension decisions (DOMAIN.md "Contracts";
the rules chosen on top are in docs/rules.md, "Contracts and payment schedules")."""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.roles import CONTRACTMANAGER
from audit.services import audit_record
from evaluation.selectors import award_winners, phase_round
from providers.constants import SubmissionState
from providers.models import Dossier, Submission
from tender.constants import Phase, TenderState
from tender.errors import ApplicationError
from tender.models import Tender
from tender.services.mail import absolute_url, mail_after_commit, mail_render

from ..award_selectors import award_final_segments
from ..lumpsum import INITIAL_TERM_YEARS, term_end
from ..models import (
    Contract,
    ContractReminder,
    ContractSegment,
    ContractState,
    ExtensionDecision,
    Instalment,
)
from ..permissions import can_manage_contracts
from .schedule import contracts_lumpsum_store

INITIAL_YEARS = INITIAL_TERM_YEARS
EXTENSION_YEARS = 2
MAX_EXTENSIONS = 2
MAX_YEARS = INITIAL_YEARS + MAX_EXTENSIONS * EXTENSION_YEARS  # 7


def notice_months() -> int:
    return int(getattr(settings, "CONTRACT_NOTICE_MONTHS", 6))


def notice_deadline(end_date: date) -> date:
    """Last day on which an extension can be decided: the end date minus the notice period
    (``CONTRACT_NOTICE_MONTHS``, default 6), month arithmetic clipped to the month's end."""
    return end_date - relativedelta(months=notice_months())


def first_end_in_time(today: date) -> date:
    """The earliest end date whose notice deadline is not yet past on ``today``: a segment
    ending before it is past its decision deadline. (The deadline grows with the end date, so
    this is exact, month-end clipping included.)"""
    end = today + relativedelta(months=notice_months()) - timedelta(days=4)
    while notice_deadline(end) < today:
        end += timedelta(days=1)
    return end


def contract_notice_deadline(contract: Contract, segments=None) -> date:
    """The notice deadline of the decision on the contract's current term: the earliest of its
    segments' own deadlines (each segment's end minus the notice period), since one decision
    extends every segment. Uses prefetched ``segments`` where given."""
    segments = contract.segments.all() if segments is None else segments
    return min(
        (notice_deadline(cs.end_date) for cs in segments),
        default=notice_deadline(contract.end_date),
    )


def extension_refusal(contract: Contract, *, today: date, late_reason: str = "") -> str | None:
    """Why a decision on the current term of ``contract`` cannot be recorded ``today`` (Dutch),
    or None. The same rule for extending and for not extending: one decision per term, none
    after the maximum of 2 extensions, none once the contract has ended, and after the notice
    deadline only with a reason for the late decision."""
    if contract.extensions >= MAX_EXTENSIONS:
        return ngettext(
            "Het contract is al %(n)s keer verlengd; over verlengen valt niets meer te besluiten.",
            "Het contract is al %(n)s keer verlengd; over verlengen valt niets meer te besluiten.",
            contract.extensions,
        ) % {"n": contract.extensions}
    if ExtensionDecision.objects.filter(contract=contract, term=contract.extensions).exists():
        return _("Over deze termijn is al besloten.")
    if today > contract.end_date:
        return _("Het contract is afgelopen; er valt niets meer te besluiten.")
    deadline = contract_notice_deadline(contract)
    if today > deadline and not late_reason.strip():
        return ngettext(
            "De uiterste besluitdatum (%(deadline)s, einddatum min %(months)s maand "
            "opzegtermijn) is verstreken. Leg de reden van het late besluit vast.",
            "De uiterste besluitdatum (%(deadline)s, einddatum min %(months)s maanden "
            "opzegtermijn) is verstreken. Leg de reden van het late besluit vast.",
            notice_months(),
        ) % {"deadline": deadline.strftime("%d-%m-%Y"), "months": notice_months()}
    return None


def contract_terms_sync(contract: Contract) -> None:
    """The contract's start and end follow its segments: earliest start, latest current end
    (a contract ends when its last segment ends)."""
    terms = list(contract.segments.values_list("start_date", "end_date"))
    if not terms:
        return
    start, end = min(s for s, _ in terms), max(e for _, e in terms)
    if (contract.start_date, contract.end_date) != (start, end):
        contract.start_date, contract.end_date = start, end
        contract.save(update_fields=["start_date", "end_date"])


# -- creating contracts -------------------------------------------------------------------------


@transaction.atomic
def contracts_create_from_awards(*, tender: Tender, user) -> list[Contract]:
    """One contract per winning bidder of the final award, with a ContractSegment per awarded
    segment. Idempotent: what exists stays as it is, only missing contracts and segments are
    added. Returns the contracts created now (empty on a second run). Refused without the
    right, or while the tender has no final award.
    """
    if not can_manage_contracts(user, tender):
        raise ApplicationError(_("U mag geen contracten aanmaken."))
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    segments = award_final_segments(tender=tender)
    if not segments:
        raise ApplicationError(
            _("Er is nog geen definitieve gunning: contracten kunnen nog niet worden gemaakt.")
        )
    missing_start = [s.code for s in segments if s.start_date is None]
    if missing_start:
        raise ApplicationError(
            _("Geef eerst een startdatum op voor segment(en) %(codes)s.")
            % {"codes": ", ".join(missing_start)}
        )
    winners = award_winners(tender=tender)
    by_code = {segment.code: segment for segment in segments}
    awarded: dict[str, list] = {}  # kvk -> segments
    for code, segment in by_code.items():
        for kvk in winners.get(code, ()):
            awarded.setdefault(kvk, []).append(segment)

    # The contract holds the submission of the award round (the offer of a restricted tender
    # that has offers) and its dossier with the bid; the municipalities are the ones the first
    # round's dossier serves (an offer takes them from the request).
    submissions = {
        s.bidder.kvk: s
        for s in Submission.objects.filter(
            tender=tender,
            is_current=True,
            state=SubmissionState.SEALED,
            # the round the award ranked: the offers in round 2 of the restricted procedure
            round=phase_round(tender=tender, phase=Phase.AWARD),
        )
        .select_related("bidder", "combination__lead")
        .prefetch_related("combination__members", "subcontractors")
    }
    dossiers = {
        (d.submission.bidder.kvk, d.segment_id): d
        for d in Dossier.objects.filter(
            submission__in=[s.pk for s in submissions.values()]
        ).select_related("submission__bidder", "segment__lot")
    }
    served = {
        (d.submission.bidder.kvk, d.segment_id): d
        for d in Dossier.objects.filter(
            submission__tender=tender,
            submission__is_current=True,
            submission__state=SubmissionState.SEALED,
            submission__round=tender.rounds[0],
        ).select_related("submission__bidder")
    }
    lot_municipalities = {}
    existing = {c.provider.kvk: c for c in tender.contracts.select_related("provider")}
    used_numbers = set(
        Contract.objects.filter(number__startswith=f"{tender.slug}-").values_list(
            "number", flat=True
        )
    )
    counter = len(existing)

    created = []
    for kvk in sorted(awarded):
        submission = submissions.get(kvk)
        if submission is None:
            raise ApplicationError(
                _("Geen verzegelde inschrijving gevonden voor gegunde inschrijver %(kvk)s.")
                % {"kvk": kvk}
            )
        contract = existing.get(kvk)
        bidder_segments = sorted(awarded[kvk], key=lambda s: s.code)
        if contract is None:
            start = min(s.start_date for s in bidder_segments)
            counter += 1
            number = f"{tender.slug}-{counter:03d}"
            while number in used_numbers:
                counter += 1
                number = f"{tender.slug}-{counter:03d}"
            used_numbers.add(number)
            contract = contract_build(
                tender=tender,
                submission=submission,
                number=number,
                start=start,
                end=max(term_end(s.start_date, INITIAL_YEARS) for s in bidder_segments),
                user=user,
                segment_codes=[s.code for s in bidder_segments],
            )
            created.append(contract)
        have = set(contract.segments.values_list("segment_id", flat=True))
        for segment in bidder_segments:
            if segment.pk in have:
                continue
            dossier = dossiers.get((kvk, segment.pk))
            if dossier is None:
                raise ApplicationError(
                    _("Geen dossier van %(kvk)s voor segment %(code)s.")
                    % {"kvk": kvk, "code": segment.code}
                )
            if segment.lot_id not in lot_municipalities:
                lot_municipalities[segment.lot_id] = set(
                    segment.lot.municipalities.values_list("pk", flat=True)
                )
            contract_segment_build(
                contract=contract,
                segment=segment,
                dossier=dossier,
                serving=served.get((kvk, segment.pk)),
                start_date=segment.start_date,
                lot_municipalities=lot_municipalities[segment.lot_id],
            )
            if contract not in created:
                audit_record(
                    action="contract.segment_add",
                    actor=user,
                    obj=contract,
                    tender=tender,
                    details={"number": contract.number, "segment": segment.code},
                )
        contract_terms_sync(contract)
    if created:
        # The amounts per segment do not depend on the year; the schedule of each contract's
        # first calendar year is stored straight away (other years from the contract screens).
        for year in sorted({c.start_date.year for c in tender.contracts.all()}):
            if not _year_locked(tender, year):
                contracts_lumpsum_store(tender=tender, year=year, user=user)
    return created


def contract_build(
    *,
    tender: Tender,
    submission: Submission,
    number: str,
    start: date,
    end: date,
    user,
    segment_codes: list[str],
    state: str = ContractState.DRAFT,
) -> Contract:
    """One new contract for the bidder of ``submission`` (its combination's members and its
    subcontractors as named in the submission), audited. A building block of the award's
    contracts and of Open House admissions."""
    combination = submission.combination
    contract = Contract.objects.create(
        tender=tender,
        submission=submission,
        provider=submission.bidder,
        number=number,
        start_date=start,
        end_date=end,
        state=state,
        combination_name=((combination.name or combination.lead.name) if combination else ""),
        # As named in the submission (a portal subcontractor need not have an account).
        subcontractors=[
            {"kvk": sub.kvk, "name": sub.name}
            for sub in sorted(submission.subcontractors.all(), key=lambda s: s.kvk)
        ],
    )
    if combination is not None:
        contract.members.set([m for m in combination.members.all() if m.pk != submission.bidder_id])
    audit_record(
        action="contract.create",
        actor=user,
        obj=contract,
        tender=tender,
        details={
            "number": contract.number,
            "provider": submission.bidder.kvk,
            "segments": segment_codes,
            "start_date": contract.start_date,
            "end_date": contract.end_date,
        },
    )
    return contract


def contract_segment_build(
    *,
    contract: Contract,
    segment,
    dossier: Dossier,
    start_date: date,
    lot_municipalities: set,
    serving: Dossier | None = None,
) -> ContractSegment:
    """A segment of ``contract`` with the municipalities its dossier serves within the lot
    (others do not count, like in the ranking's coverage)."""
    contract_segment = ContractSegment.objects.create(
        contract=contract, segment=segment, dossier=dossier, start_date=start_date
    )
    # ``serving``: the first round's dossier (an offer serves the municipalities of its request)
    serving = serving or dossier
    contract_segment.municipalities.set(serving.municipalities.filter(pk__in=lot_municipalities))
    return contract_segment


def contract_number_next(tender: Tender) -> str:
    """The next free contract number of the tender: ``<slug>-NNN``."""
    used = set(
        Contract.objects.filter(number__startswith=f"{tender.slug}-").values_list(
            "number", flat=True
        )
    )
    counter = tender.contracts.count()
    while True:
        counter += 1
        number = f"{tender.slug}-{counter:03d}"
        if number not in used:
            return number


def _year_locked(tender, year) -> bool:
    return Instalment.objects.filter(
        contract_segment__contract__tender=tender, year=year, exported_at__isnull=False
    ).exists()


# -- extension decisions ------------------------------------------------------------------------


def _decide(*, contract: Contract, user, extend: bool, note: str, late_reason: str) -> Contract:
    """Record the decision on the current term, dated today (the recording date: a decision
    cannot be backdated). Extending moves every segment's end 2 years on, each segment at most
    7 years from its own start."""
    if not can_manage_contracts(user, contract.tender):
        raise ApplicationError(_("U mag geen verlengingsbesluit vastleggen."))
    contract = Contract.objects.select_for_update().select_related("tender").get(pk=contract.pk)
    today = timezone.localdate()
    if reason := extension_refusal(contract, today=today, late_reason=late_reason):
        raise ApplicationError(reason, field="late_reason")
    segments = list(
        contract.segments.select_for_update().select_related("segment").order_by("segment__code")
    )
    deadline = contract_notice_deadline(contract, segments)
    late = today > deadline
    previous_end = contract.end_date
    terms = []
    for cs in segments:
        old_end = cs.end_date
        if extend and cs.extensions < MAX_EXTENSIONS:
            new_end = term_end(old_end + timedelta(days=1), EXTENSION_YEARS)
            if new_end > term_end(cs.start_date, MAX_YEARS):
                raise ApplicationError(
                    ngettext(
                        "Verlengen zou de looptijd van %(code)s boven %(years)s jaar brengen.",
                        "Verlengen zou de looptijd van %(code)s boven %(years)s jaar brengen.",
                        MAX_YEARS,
                    )
                    % {"code": cs.segment.code, "years": MAX_YEARS},
                    field="decision",
                )
            cs.end_date, cs.extensions = new_end, cs.extensions + 1
            cs.save(update_fields=["end_date", "extensions"])
        terms.append(
            {
                "segment": cs.segment.code,
                "previous_end_date": old_end.isoformat(),
                "end_date": cs.end_date.isoformat(),
            }
        )
    if extend:
        contract.extensions += 1
        contract.save(update_fields=["extensions"])
        contract_terms_sync(contract)
    ExtensionDecision.objects.create(
        contract=contract,
        term=contract.extensions - 1 if extend else contract.extensions,
        extend=extend,
        decided_at=today,
        previous_end_date=previous_end,
        end_date=contract.end_date,
        segment_terms=terms,
        note=note.strip(),
        late_reason=late_reason.strip() if late else "",
        decided_by=user if getattr(user, "is_authenticated", False) else None,
    )
    audit_record(
        action="contract.extend" if extend else "contract.not_extended",
        actor=user,
        obj=contract,
        tender=contract.tender,
        details={
            "number": contract.number,
            "decided_at": today,
            "notice_deadline": deadline,
            "late": late,
            "late_reason": late_reason.strip() if late else "",
            "previous_end_date": previous_end,
            "end_date": contract.end_date,
            "extensions": contract.extensions,
            "segments": terms,
        },
    )
    return contract


@transaction.atomic
def contract_extend(*, contract: Contract, user, note: str = "", late_reason: str = "") -> Contract:
    """Extend every segment's current term by 2 years, decided today. Refused after 2
    extensions (7 years at most per segment), once the term has a decision, or after the
    notice deadline without a reason for the late decision."""
    return _decide(contract=contract, user=user, extend=True, note=note, late_reason=late_reason)


@transaction.atomic
def contract_decline_extension(
    *, contract: Contract, user, note: str = "", late_reason: str = ""
) -> Contract:
    """Record the decision not to extend, today: each segment ends on its current end date."""
    return _decide(contract=contract, user=user, extend=False, note=note, late_reason=late_reason)


# -- reminders before the notice deadline -------------------------------------------------------


def reminder_thresholds() -> list[int]:
    """Months before the notice deadline at which reminders go out, largest first."""
    months = getattr(settings, "CONTRACT_REMINDER_MONTHS", [3, 1])
    return sorted({int(m) for m in months}, reverse=True)


def _contract_managers():
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(groups__name=CONTRACTMANAGER, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .distinct()
    )


def contract_reminders_send(*, today: date | None = None) -> int:
    """Mail the contract managers about every contract whose notice deadline is near: once per
    threshold (``CONTRACT_REMINDER_MONTHS``, default 3 and 1 months before) and term, stored in
    ContractReminder so a second run the same day (or a redelivered task) sends nothing. A
    term with a decision gets no more reminders; a run that finds several thresholds passed
    at once records them all and sends one mail. Returns the number of contracts reminded."""
    today = today or timezone.localdate()
    reminded = 0
    candidates = Contract.objects.exclude(state=ContractState.ENDED).filter(
        extensions__lte=MAX_EXTENSIONS
    )
    for contract_id in candidates.values_list("pk", flat=True):
        if _remind_one(contract_id=contract_id, today=today):
            reminded += 1
    return reminded


@transaction.atomic
def _remind_one(*, contract_id: int, today: date) -> bool:
    contract = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("tender__region", "provider")
        .get(pk=contract_id)
    )
    if ExtensionDecision.objects.filter(contract=contract, term=contract.extensions).exists():
        return False
    if contract.extensions >= MAX_EXTENSIONS:
        return False
    deadline = contract_notice_deadline(contract)
    if today > deadline:
        return False
    due = [m for m in reminder_thresholds() if today >= deadline - relativedelta(months=m)]
    sent_before = set(
        ContractReminder.objects.filter(contract=contract, term=contract.extensions).values_list(
            "months_before", flat=True
        )
    )
    new = [m for m in due if m not in sent_before]
    if not new:
        return False
    now = timezone.now()
    ContractReminder.objects.bulk_create(
        ContractReminder(
            contract=contract,
            term=contract.extensions,
            months_before=m,
            deadline=deadline,
            sent_at=now,
        )
        for m in new
    )
    url = absolute_url(reverse("contract-detail", args=[contract.tender.slug, contract.number]))
    context = {
        "contract": contract,
        "deadline": deadline,
        "notice_months": notice_months(),
        "url": url,
    }
    mail_after_commit(
        mail_render("contract_reminder", context, user.email) for user in _contract_managers()
    )
    audit_record(
        action="contract.reminder",
        actor="system",
        obj=contract,
        tender=contract.tender,
        details={"number": contract.number, "deadline": deadline, "months_before": new},
    )
    return True


# -- lifecycle: "Contracten afsluiten" (awarded -> contracted) ------------------------------


def contracted_needs_contracts(tender: Tender) -> str | None:
    """Guard: every finally awarded segment with a winner has its contract."""
    segments = award_final_segments(tender=tender)
    covered = set(
        ContractSegment.objects.filter(contract__tender=tender).values_list("segment_id", flat=True)
    )
    winners = award_winners(tender=tender)
    missing = [s.code for s in segments if s.pk not in covered and winners.get(s.code)]
    if missing:
        return _("Maak eerst de contracten voor: %(codes)s.") % {"codes": ", ".join(missing)}
    return None


def contract_may_start(contract: Contract) -> bool:
    """A contract starts only with KPIs that have a target, or with the recorded statement
    that the KPIs are set in the implementation phase (DOMAIN.md "Contracts")."""
    from .kpis import kpis_for_contract

    if contract.kpis_deferred_until is not None:
        return True
    return kpis_for_contract(contract).filter(target__isnull=False).exists()


def contracts_activate(*, tender: Tender, user=None, **_kwargs) -> None:
    """After-hook: once the tender is contracted its draft contracts with KPIs (or with the
    recorded deferral) are running; the others stay draft until one of those is recorded."""
    for contract in Contract.objects.filter(tender=tender, state=ContractState.DRAFT):
        if contract_may_start(contract):
            Contract.objects.filter(pk=contract.pk).update(state=ContractState.ACTIVE)


@transaction.atomic
def contract_kpis_defer(
    *, contract: Contract, until: date, user, client_address: str | None = None
) -> Contract:
    """Record "KPI's worden in de implementatiefase vastgesteld" with the date by which they
    are set (audited); a draft contract of a contracted tender starts now."""
    contract = Contract.objects.select_for_update().select_related("tender").get(pk=contract.pk)
    if not can_manage_contracts(user, contract.tender):
        raise ApplicationError(_("U mag dit contract niet wijzigen."))
    if until is None or until < timezone.localdate():
        raise ApplicationError(_("Kies een datum in de toekomst."), field="until")
    contract.kpis_deferred_until = until
    contract.save(update_fields=["kpis_deferred_until"])
    started = False
    if contract.state == ContractState.DRAFT and contract.tender.state == TenderState.CONTRACTED:
        contract.state = ContractState.ACTIVE
        contract.save(update_fields=["state"])
        started = True
    audit_record(
        action="contract.kpis_deferred",
        actor=user,
        obj=contract,
        tender=contract.tender,
        details={
            "contract": contract.number,
            "statement": "KPI's worden in de implementatiefase vastgesteld",
            "until": until.isoformat(),
            "started": started,
        },
        client_address=client_address,
    )
    return contract


@transaction.atomic
def contracts_end_expired(*, today: date | None = None) -> int:
    """Daily: a running (or still draft) contract whose end date has passed has ended. Its end
    date already includes every extension decided before the notice deadline. Audited per
    contract; a second run the same day changes nothing. Returns the number ended."""
    today = today or timezone.localdate()
    expired = list(
        Contract.objects.select_for_update()
        .select_related("tender")
        .exclude(state=ContractState.ENDED)
        .filter(end_date__lt=today)
    )
    for contract in expired:
        contract.state = ContractState.ENDED
        contract.save(update_fields=["state"])
        audit_record(
            action="contract.end",
            obj=contract,
            tender=contract.tender,
            details={"number": contract.number, "end_date": contract.end_date.isoformat()},
        )
    return len(expired)


def contracts_delete_of_tender(tender: Tender) -> None:
    """``tender_delete`` step (a scenario replace): the tender's contracts."""
    Contract.objects.filter(tender=tender).delete()

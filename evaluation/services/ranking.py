"""Running, storing and finalising rankings. The rules are in ``evaluation.ranking``."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from config.queue import enqueue
from providers.models import Dossier
from providers.selectors import bidder_label, with_bidder_label
from tender.constants import Phase
from tender.errors import ApplicationError
from tender.models import Segment, Tender

from .. import ranking as engine
from ..constants import RankingStatus
from ..models import Ranking, RankingGap, RankingRow
from ..selectors import (
    digest_version,
    final_ranking,
    phase_round,
    ranking_run_inputs,
    sealed_refusal,
)
from .assignments import ranking_finalise_guard


def refuse_before_opening(tender: Tender) -> None:
    """Raise ``ApplicationError`` while the bids of ``tender`` are sealed (``sealed_refusal``)."""
    refusal = sealed_refusal(tender)
    if refusal:
        raise ApplicationError(refusal)


def ranking_compute(*, tender: Tender, phase: str, seed: int = 0) -> engine.TenderRanking:
    """The ranking of ``tender`` for ``phase`` on the current data, without storing it.

    The award phase takes the finalised selection ranking where there is one, else the
    selection computed now with the same seed (DOMAIN.md, ranking rule 7).
    """
    if phase not in Phase.values:
        raise ApplicationError(_("Onbekende fase '%(phase)s'.") % {"phase": phase}, field="phase")
    return ranking_run_inputs(tender=tender, phase=phase, seed=seed).rank()


@transaction.atomic
def ranking_request(*, tender: Tender, phase: str, seed: int = 0, user=None) -> Ranking:
    """Create a pending ranking and queue its computation once this transaction commits.
    Refused before the opening: a ranking shows who bid and how (``Tender.bids_readable``)."""
    if phase not in Phase.values:
        raise ApplicationError(_("Onbekende fase '%(phase)s'.") % {"phase": phase}, field="phase")
    refuse_before_opening(tender)
    ranking = Ranking.objects.create(
        tender=tender,
        phase=phase,
        seed=seed,
        requested_by=user if user and user.is_authenticated else None,
    )
    enqueue("evaluation.tasks.rank_tender", ranking.pk)
    return ranking


def ranking_execute(*, ranking_id: int) -> Ranking:
    """Compute and store a requested ranking. Idempotent: a finished ranking is returned as is,
    so a retried or duplicated task never stores rows twice."""
    with transaction.atomic():
        ranking = Ranking.objects.select_for_update().select_related("tender").get(pk=ranking_id)
        if ranking.status == RankingStatus.DONE:
            return ranking
        ranking.status, ranking.progress = RankingStatus.RUNNING, 10
        ranking.heartbeat_at = timezone.now()
        ranking.save(update_fields=["status", "progress", "heartbeat_at"])
    try:
        with transaction.atomic():
            ranking = (
                Ranking.objects.select_for_update().select_related("tender").get(pk=ranking_id)
            )
            if ranking.status == RankingStatus.DONE:  # a parallel delivery got here first
                return ranking
            _store(ranking)
    except Exception as exc:
        Ranking.objects.filter(pk=ranking_id).update(
            status=RankingStatus.FAILED, error=str(exc)[:2000]
        )
        raise
    return ranking


@transaction.atomic
def ranking_resume(*, ranking: Ranking, user, client_address: str | None = None) -> Ranking:
    """Queue a stalled ranking again (its worker died, or it was never queued). The result is
    stored in one transaction and a finished ranking is left as is (``ranking_execute``), so a
    resumed ranking never stores its rows twice. Refused while the ranking is still alive."""
    ranking = Ranking.objects.select_for_update().select_related("tender").get(pk=ranking.pk)
    if not ranking.is_stalled:
        raise ApplicationError(
            _("Deze berekening loopt nog of is al afgerond; hervatten is niet nodig.")
        )
    ranking.heartbeat_at = timezone.now()  # resumed now: not stalled until the next timeout
    ranking.save(update_fields=["heartbeat_at"])
    audit_record(
        action="ranking.resume",
        actor=user,
        obj=ranking,
        tender=ranking.tender,
        client_address=client_address,
        details={"phase": ranking.phase, "seed": ranking.seed},
    )
    enqueue("evaluation.tasks.rank_tender", ranking.pk)
    return ranking


def _store(ranking: Ranking) -> None:
    tender = ranking.tender
    run = ranking_run_inputs(tender=tender, phase=ranking.phase, seed=ranking.seed)
    result = run.rank()
    segments = {s.code: s for s in Segment.objects.filter(tender=tender)}
    # The name stored on a row is the bidder as the documents name it: a combination's
    # display name ("Combinatie X (penvoerder A, leden B, C)"), else the organisation's.
    dossiers = {
        (d.submission.bidder.kvk, d.segment.code): (d.pk, bidder_label(d.submission)[:200])
        for d in with_bidder_label(
            Dossier.objects.filter(
                submission__tender=tender,
                submission__round=phase_round(tender=tender, phase=ranking.phase),
                submission__is_current=True,
            ).select_related("segment"),
            "submission__",
        )
    }
    rows: list[RankingRow] = []
    gaps: list[RankingGap] = []
    for seg in result.segments:
        segment = segments[seg.segment]
        for position, row in enumerate(seg.results, start=1):
            dossier_id, name = dossiers.get((row.bidder, seg.segment), (None, ""))
            rows.append(
                RankingRow(
                    ranking=ranking,
                    segment=segment,
                    dossier_id=dossier_id,
                    bidder_kvk=row.bidder,
                    bidder_name=name,
                    position=position,
                    rank=row.rank,
                    points=row.points,
                    status=row.status,
                    reasons=list(row.reasons),
                )
            )
        gaps.extend(
            RankingGap(
                ranking=ranking, segment=segment, kind=g.kind, code=g.code, shortfall=g.shortfall
            )
            for g in seg.gaps
        )
    RankingRow.objects.bulk_create(rows)
    RankingGap.objects.bulk_create(gaps)
    ranking.result = result.to_dict()
    ranking.provisional = result.provisional
    ranking.inputs = run.document
    ranking.input_hash = run.digest()  # taken from the document just built
    ranking.status, ranking.progress = RankingStatus.DONE, 100
    ranking.save()
    audit_record(
        action="ranking.run",
        actor=ranking.requested_by,
        obj=ranking,
        tender=tender,
        details={
            "phase": ranking.phase,
            "seed": ranking.seed,
            "provisional": ranking.provisional,
            "input_hash": ranking.input_hash,
        },
    )


@transaction.atomic
def ranking_finalise(*, ranking: Ranking, user, client_address: str | None = None) -> Ranking:
    """Store the ranking immutably. Refused while provisional, unfinished, stale or when the
    phase already has a final ranking."""
    ranking = Ranking.objects.select_for_update().select_related("tender").get(pk=ranking.pk)
    refuse_before_opening(ranking.tender)
    if ranking.is_final:
        raise ApplicationError(_("Deze ranking is al definitief."))
    if ranking.status != RankingStatus.DONE:
        raise ApplicationError(_("De ranking is nog niet berekend."))
    if ranking.provisional:
        raise ApplicationError(
            _("Een voorlopige ranking kan niet definitief worden: de consensus is niet compleet.")
        )
    if final_ranking(tender=ranking.tender, phase=ranking.phase) is not None:
        raise ApplicationError(_("Er is al een definitieve ranking voor deze fase."))
    if reason := ranking_finalise_guard(ranking):
        raise ApplicationError(reason)
    current = ranking_run_inputs(
        tender=ranking.tender, phase=ranking.phase, seed=ranking.seed
    ).digest(digest_version(ranking))
    if current != ranking.input_hash:
        raise ApplicationError(
            _("De gegevens zijn gewijzigd sinds deze berekening; bereken de ranking opnieuw.")
        )
    ranking.is_final = True
    ranking.finalised_at = timezone.now()
    ranking.finalised_by = user
    ranking.save(update_fields=["is_final", "finalised_at", "finalised_by"])
    audit_record(
        action="ranking.finalise",
        actor=user,
        obj=ranking,
        tender=ranking.tender,
        client_address=client_address,
        details={"phase": ranking.phase, "seed": ranking.seed, "input_hash": ranking.input_hash},
    )
    return ranking

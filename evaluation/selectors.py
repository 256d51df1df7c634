"""Reading evaluation data: the ranking engine's inputs in a constant number of queries."""

import dataclasses
import functools
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.contrib.postgres.aggregates import StringAgg
from django.db import connection, models
from django.db.models import QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _

from providers.constants import SubmissionState
from providers.models import Dossier, PartyAnswer, RequirementAnswer, Submission
from tender.constants import Phase, Procedure, RequirementBinds, Round
from tender.models import Criterion, Lot, Municipality, Requirement, Segment, Tender

from . import ranking as engine
from .constants import ResultStatus
from .models import FinalLevel, Ranking, RankingRow, Score

SELECTED_STATUSES = (ResultStatus.SELECTED, ResultStatus.SELECTED_COVERAGE)


def sealed_refusal(tender: Tender) -> str | None:
    """Why no ranking or score export of ``tender`` exists yet (Dutch), or None: they show who
    bid and how, so only from the opening on (``Tender.bids_readable``)."""
    if tender.bids_readable():
        return None
    return _(
        "De inschrijvingen zijn nog verzegeld: een ranking of export van scores kan pas na de "
        "opening van de inschrijvingen."
    )


def phase_round(*, tender: Tender, phase: str) -> str:
    """The round whose dossiers a phase scores and ranks: in the restricted procedure the
    selection the requests (round 1) and the award the offers (round 2); a restricted tender
    that holds no offers at all (loaded from a one-round scenario file, or migrated in the
    award phase) scores its award criteria on the requests (docs/rules.md, "Rounds"). The
    open procedure and Open House have one round."""
    if tender.procedure != Procedure.RESTRICTED:
        return tender.rounds[0]
    if phase == Phase.SELECTION:
        return Round.REQUEST
    if Submission.objects.filter(tender=tender, round=Round.OFFER).exists():
        return Round.OFFER
    return Round.REQUEST


# A dossier's specialisms as the stored JSON text: decoded once per distinct value
# (``specialism_set``), not once per row as the JSONField would (issue 19).
_SPECIALISMS_TEXT = Cast("specialisms", models.TextField())


@functools.lru_cache(maxsize=1024)
def specialism_set(text: str | None) -> frozenset[str]:
    """The specialisms of a dossier from their stored JSON text (few distinct values)."""
    return frozenset(json.loads(text) or ()) if text is not None else frozenset()


def _add_codes(codes: dict[int, str], model: type[models.Model], ids: set[int]) -> None:
    """Add the codes of ``model`` rows whose ids ``codes`` lacks (normally none: the rows
    read already hold them)."""
    missing = ids - codes.keys()
    if missing:
        codes.update(model._default_manager.filter(pk__in=missing).values_list("pk", "code"))


class _Levels(dict):
    """A level (its text, or a Decimal) -> one Decimal object per distinct value: equal
    levels share an object, whose hash Python then computes once (hashing a Decimal is
    costly; the engine and the inputs document look every level up by value)."""

    def __missing__(self, key: str | Decimal) -> Decimal:
        value = self[key] = Decimal(key)
        return value


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


def _grouped(queryset: models.QuerySet, key: str, *fields: str) -> list[tuple]:
    """``queryset``'s rows grouped by ``key``: ``(key, [ids], [levels])`` (or ``(key, [ids])``)
    per value of ``key``, for ``fields`` an id and optionally a level; within a group in no
    particular order. On PostgreSQL aggregated in the query, one text per key ("id level id
    level ...": one aggregate, so ids and levels cannot come apart; far fewer rows to turn
    into Python objects), levels as their text; elsewhere (SQLite: ``make run``) grouped here
    from the plain rows, levels as Decimals. Both give the same groups."""
    queryset = queryset.order_by()
    if _postgresql():
        text = [Cast(field, models.TextField()) for field in fields]
        if len(text) > 1:
            text = [Concat(text[0], Value(" "), text[1], output_field=models.TextField())]
        rows = (
            queryset.values(key)
            .annotate(_values=StringAgg(text[0], " "))
            .values_list(key, "_values")
        )
        width = len(fields)
        return [
            (k, list(map(int, parts[0::width])), *([parts[1::width]] if width > 1 else []))
            for k, joined in rows
            for parts in [joined.split(" ")]
        ]
    groups: dict = {}
    for row in queryset.values_list(key, *fields):
        values = groups.get(row[0])
        if values is None:
            values = groups[row[0]] = tuple([] for _field in fields)
        for values_of_field, value in zip(values, row[1:], strict=True):
            values_of_field.append(value)
    return [(k, *values) for k, values in groups.items()]


@engine.gc_paused()
def ranking_inputs(*, tender: Tender, round: str | None = None) -> engine.TenderIn:
    """Everything the engine needs for ``tender``, as plain data, in 10 queries (11 with a
    requirement of every party).

    Only sealed, current submissions of ``round`` (default: the first round) take part; a
    rejected requirement answer counts as not met. An offer (round 2 of the restricted
    procedure) serves the municipalities and specialisms of the bidder's request dossier of
    the same segment (read-only), so coverage works in the award phase.

    The bulk (dossiers, the municipalities they serve, answers, levels) is read as plain
    tuples (``values_list``), never as model instances: this runs for every ranking and its
    cost grows with the number of scores (issue 19). The rows carry ids (criterion,
    requirement, municipality), mapped to codes from the small tables read first; on
    PostgreSQL the municipalities and levels come as one aggregated row per dossier
    (``_grouped``). Levels are shared Decimal objects (``_Levels``), the specialisms JSON is
    decoded once per distinct value (``specialism_set``) and an evaluator's levels of a
    criterion are in canonical (sorted) order.
    """
    round = round or tender.rounds[0]
    # municipality id -> CBS code, of the lots' municipalities (the rest, if a dossier serves
    # one outside its lot, is looked up below)
    municipality_codes: dict[int, str] = {}
    lots = defaultdict(list)
    for lot_id, municipality_id, code in Lot.municipalities.through.objects.filter(
        lot__tender=tender
    ).values_list("lot_id", "municipality_id", "municipality__code"):
        lots[lot_id].append(code)
        municipality_codes[municipality_id] = code
    segments = list(
        Segment.objects.filter(tender=tender).prefetch_related("criteria", "requirements")
    )
    general_rows = list(
        tender.requirements.filter(segment__isnull=True)
        .order_by("position", "code")
        .values_list("pk", "code", "phase", "binds")
    )
    general = [(code, phase) for _pk, code, phase, _binds in general_rows]
    general_codes = tuple(code for code, phase in general if phase == Phase.SELECTION)
    general_award_codes = tuple(code for code, phase in general if phase == Phase.AWARD)
    # The bulk rows carry ids, not codes (no join per row): the codes come from these small
    # tables, read already.
    criterion_codes = {c.pk: c.code for s in segments for c in s.criteria.all()}
    requirement_codes = {pk: code for pk, code, _phase, _binds in general_rows}
    requirement_codes.update((r.pk, r.code) for s in segments for r in s.requirements.all())
    # Only a tender with a requirement of every party reads the parties' answers (one query).
    binds_every_party = any(b == RequirementBinds.EVERY_PARTY for *_r, b in general_rows) or any(
        r.binds == RequirementBinds.EVERY_PARTY for s in segments for r in s.requirements.all()
    )
    sealed = {
        "submission__tender": tender,
        "submission__is_current": True,
        "submission__state": SubmissionState.SEALED,
    }
    of_round = {**sealed, "submission__round": round}
    # (dossier, submission, bidder, segment, kvk, specialisms)
    dossiers = [
        (*row, specialism_set(text))
        for *row, text in Dossier.objects.filter(**of_round)
        .values_list(
            "pk",
            "submission_id",
            "submission__bidder_id",
            "segment_id",
            "submission__bidder__kvk",
            _SPECIALISMS_TEXT,
        )
        .order_by("pk")  # not the model's ordering: it joins the tender and the segment
    ]
    offers = round == Round.OFFER and tender.procedure == Procedure.RESTRICTED
    # an offer serves what the bidder's request dossier of the segment serves
    served_round = Round.REQUEST if offers else round
    served_ids = _grouped(
        Dossier.municipalities.through.objects.filter(
            **{f"dossier__{key}": value for key, value in sealed.items()},
            dossier__submission__round=served_round,
        ),
        "dossier_id",
        "municipality_id",
    )
    _add_codes(
        municipality_codes,
        Municipality,
        {pk for _dossier_id, ids in served_ids for pk in ids},
    )
    served = {
        dossier_id: frozenset(map(municipality_codes.__getitem__, ids))
        for dossier_id, ids in served_ids
    }
    if offers:
        requests = {
            (bidder_id, segment_id): (pk, specialism_set(text))
            for pk, bidder_id, segment_id, text in Dossier.objects.filter(
                **sealed, submission__round=Round.REQUEST
            )
            .values_list("pk", "submission__bidder_id", "segment_id", _SPECIALISMS_TEXT)
            .order_by("pk")
        }
        offered = []
        nothing = frozenset()
        for pk, submission_id, bidder_id, segment_id, kvk, _specialisms in dossiers:
            request_id, specialisms = requests.get((bidder_id, segment_id), (None, nothing))
            offered.append((pk, submission_id, bidder_id, segment_id, kvk, specialisms))
            served[pk] = served.get(request_id, nothing) if request_id else nothing
        dossiers = offered
    answer_rows = list(
        RequirementAnswer.objects.filter(submission__tender=tender).values_list(
            "submission_id", "requirement_id", "met", "rejected"
        )
    )
    _add_codes(requirement_codes, Requirement, {row[1] for row in answer_rows})
    answers = defaultdict(dict)
    for submission_id, requirement_id, met, rejected in answer_rows:
        answers[submission_id][requirement_codes[requirement_id]] = met and not rejected
    # Requirements that bind every party: one party failing fails the bid, and the reason
    # names each party that failed (docs/rules.md, "Rounds": who answers what).
    party_failures: dict = defaultdict(dict)
    parties = (
        PartyAnswer.objects.filter(submission__tender=tender)
        .select_related("requirement", "member", "subcontractor", "submission__bidder")
        .order_by("submission_id", "requirement__code", "pk")
        if binds_every_party
        else []
    )
    for party in parties:
        if party.effective_met:
            continue
        code, given = party.requirement.code, answers[party.submission_id]
        failed = party_failures[party.submission_id].setdefault(code, [])
        if not failed and given.get(code) is False:
            bidder = party.submission.bidder
            failed.append(f"penvoerder {bidder.name} ({bidder.kvk})")
        failed.append(party.party_label)
        given[code] = False
    of_round_dossiers = {f"dossier__{key}": value for key, value in of_round.items()}
    final_rows = _grouped(
        FinalLevel.objects.filter(**of_round_dossiers), "dossier_id", "criterion_id", "level"
    )
    score_rows = _grouped(
        Score.objects.filter(**of_round_dossiers, submitted_at__isnull=False),
        "dossier_id",
        "criterion_id",
        "level",
    )
    _add_codes(
        criterion_codes,
        Criterion,
        {
            pk
            for rows in (final_rows, score_rows)
            for _dossier_id, ids, _levels in rows
            for pk in ids
        },
    )
    code_of = criterion_codes.__getitem__
    level_of = _Levels().__getitem__  # one Decimal object per distinct level
    finals = {
        dossier_id: dict(zip(map(code_of, ids), map(level_of, levels), strict=True))
        for dossier_id, ids, levels in final_rows
    }
    individual = {}
    for dossier_id, ids, levels in score_rows:
        given = individual[dossier_id] = defaultdict(list)
        for code, level in zip(map(code_of, ids), map(level_of, levels), strict=True):
            given[code].append(level)

    dossiers_by_segment = defaultdict(list)
    for dossier in dossiers:
        dossiers_by_segment[dossier[3]].append(dossier)
    no_levels: dict = {}
    no_codes: frozenset[str] = frozenset()

    # What a bid shares with the other dossiers of its submission, made once per submission
    # (read-only mappings: the engine and the inputs document only read them).
    by_submission: dict[int, tuple[dict, dict]] = {}

    def bid_input(dossier: tuple, segment_codes: tuple[str, ...]) -> engine.BidIn:
        pk, submission_id, _bidder_id, _segment_id, kvk, specialisms = dossier
        given = answers[submission_id]
        shared = by_submission.get(submission_id)
        if shared is None:
            failures = party_failures.get(submission_id)
            shared = by_submission[submission_id] = (
                {c: given[c] for c, _phase in general if c in given},
                {c: tuple(p) for c, p in failures.items()} if failures else no_levels,
            )
        given_individual = individual.get(pk)
        return engine.BidIn(
            bidder=kvk,
            municipalities=served.get(pk, no_codes),
            specialisms=specialisms,
            general_answers=shared[0],
            segment_answers={c: given[c] for c in segment_codes if c in given},
            final_levels=finals.get(pk, no_levels),
            individual_levels=(
                {c: tuple(sorted(v)) for c, v in given_individual.items()}
                if given_individual
                else no_levels
            ),
            party_failures=shared[1],
        )

    segment_inputs = []
    for segment in segments:
        segment_requirements = list(segment.requirements.all())
        segment_codes = tuple(r.code for r in segment_requirements)
        selection_codes = tuple(r.code for r in segment_requirements if r.phase == Phase.SELECTION)
        award_codes = tuple(r.code for r in segment_requirements if r.phase == Phase.AWARD)
        segment_inputs.append(
            engine.SegmentIn(
                code=segment.code,
                places=segment.places,
                award_places=segment.award_places,
                min_total=segment.min_total,
                coverage_k=segment.coverage_k,
                municipalities=tuple(sorted(lots[segment.lot_id])),
                specialisms=tuple(segment.specialisms),
                requirement_codes=selection_codes,
                award_requirement_codes=award_codes,
                criteria=tuple(
                    engine.CriterionIn(
                        code=c.code, phase=c.phase, max_points=c.max_points, min_level=c.min_level
                    )
                    for c in segment.criteria.all()
                ),
                bids=tuple(
                    bid_input(d, segment_codes)
                    for d in sorted(dossiers_by_segment[segment.pk], key=lambda d: d[4])
                ),
            )
        )
    return engine.TenderIn(
        slug=tender.slug,
        procedure=tender.procedure,
        requirement_codes=general_codes,
        segments=tuple(segment_inputs),
        award_requirement_codes=general_award_codes,
    )


def _final(*, tender: Tender, phase: str) -> QuerySet[Ranking]:
    """The phase's final ranking (at most one): finalised and not superseded by a rerun."""
    return Ranking.objects.filter(tender=tender, phase=phase, is_final=True, superseded=False)


def final_ranking(*, tender: Tender, phase: str) -> Ranking | None:
    # Without its inputs (a large JSON document at region scale, read only by a rerun; a
    # caller that reads it gets it with one more query).
    return _final(tender=tender, phase=phase).defer("inputs").first()


def final_ranking_ids(*, tender: Tender, phase: str) -> QuerySet[Ranking]:
    """The id of the phase's final ranking as a subquery (``ranking__in=``): a page reads the
    final ranking's rows in the query that filters them, without a query for the ranking and
    without loading its stored result and inputs (large JSON documents at region scale).
    Empty while the phase has no final ranking."""
    return _final(tender=tender, phase=phase).values("pk")


def finalised_selection(*, tender: Tender) -> Mapping[str, frozenset[str]] | None:
    """Bidders selected (either status) per segment code in the final selection ranking."""
    # Its id only: the ranking's row holds its inputs (a large JSON document at region scale).
    ranking_id = _final(tender=tender, phase=Phase.SELECTION).values_list("pk", flat=True).first()
    if ranking_id is None:
        return None
    selected = defaultdict(set)
    for code, kvk in RankingRow.objects.filter(
        ranking_id=ranking_id, status__in=SELECTED_STATUSES
    ).values_list("segment__code", "bidder_kvk"):
        selected[code].add(kvk)
    return {code: frozenset(kvks) for code, kvks in selected.items()}


def latest_ranking(*, tender: Tender, phase: str) -> Ranking | None:
    """The final ranking of the phase if there is one, else the newest computed one."""
    return final_ranking(tender=tender, phase=phase) or (
        Ranking.objects.filter(tender=tender, phase=phase).first()
    )


@dataclass(frozen=True)
class RankingRun:
    """What one computation of a phase ranks: the engine's inputs and, for the award phase,
    the final selection (None where there is none, and always for the selection phase)."""

    inputs: engine.TenderIn
    phase: str
    seed: int
    selection: Mapping[str, frozenset[str]] | None
    #: segments whose selection was computed now (not final) and is provisional: their award
    #: ranking is provisional too (as the engine does when it computes the selection itself)
    provisional_selection: frozenset[str] = frozenset()

    def rank(self) -> engine.TenderRanking:
        result = engine.rank_tender(
            self.inputs, phase=self.phase, seed=self.seed, finalised_selection=self.selection
        )
        if not self.provisional_selection:
            return result
        segments = tuple(
            dataclasses.replace(seg, provisional=True)
            if seg.segment in self.provisional_selection
            else seg
            for seg in result.segments
        )
        return dataclasses.replace(
            result, segments=segments, provisional=any(seg.provisional for seg in segments)
        )

    def digest(self, version: int = 2) -> str:
        """The input hash (``version`` 1: the scheme of rankings stored before version 2);
        taken from the inputs document when it was built already (the worker stores both)."""
        if version == 2 and "document" in self.__dict__:
            return engine.document_inputs_digest(self.document)
        digest = engine.inputs_digest_v1 if version == 1 else engine.inputs_digest
        return digest(
            self.inputs, phase=self.phase, seed=self.seed, finalised_selection=self.selection
        )

    @cached_property
    def document(self) -> dict:
        """The inputs as plain data, stored with the ranking (``Ranking.inputs``)."""
        return engine.inputs_document(
            self.inputs, phase=self.phase, seed=self.seed, finalised_selection=self.selection
        )


def digest_version(ranking: Ranking) -> int:
    """The digest scheme of ``ranking``'s stored input hash: that of its stored inputs document;
    1 for a ranking stored without one (before the inputs were stored)."""
    inputs = ranking.inputs or {}
    return engine.INPUTS_FORMATS.get(inputs.get("format"), 1)


def ranking_run_inputs(*, tender: Tender, phase: str, seed: int = 0) -> RankingRun:
    """The one place that decides what a ranking of ``phase`` is computed from (DOMAIN.md,
    ranking rule 7: the award phase takes the final selection where there is one)."""
    selection = finalised_selection(tender=tender) if phase == Phase.AWARD else None
    round = phase_round(tender=tender, phase=phase)
    inputs = ranking_inputs(tender=tender, round=round)
    provisional: frozenset[str] = frozenset()
    if phase == Phase.AWARD and selection is None and round != tender.rounds[0]:
        # The offers do not carry the selection data: the selection is the one computed now
        # on the requests, with the same seed.
        computed = engine.rank_tender(
            ranking_inputs(tender=tender, round=tender.rounds[0]),
            phase=Phase.SELECTION,
            seed=seed,
        )
        selection = {
            seg.segment: frozenset(
                r.bidder for r in seg.results if r.status in engine.SELECTED_STATUSES
            )
            for seg in computed.segments
        }
        provisional = frozenset(seg.segment for seg in computed.segments if seg.provisional)
    return RankingRun(inputs, phase, seed, selection, provisional)


def award_winners(*, tender: Tender, seed: int = 0) -> Mapping[str, frozenset[str]]:
    """Bidders awarded per segment code: from the final award ranking if there is one, else
    from the award ranking computed now with ``seed``."""
    ranking = final_ranking(tender=tender, phase=Phase.AWARD)
    if ranking is not None:
        winners = defaultdict(set)
        for code, kvk in RankingRow.objects.filter(
            ranking=ranking, status__in=SELECTED_STATUSES
        ).values_list("segment__code", "bidder_kvk"):
            winners[code].add(kvk)
        return {code: frozenset(kvks) for code, kvks in winners.items()}
    result = ranking_run_inputs(tender=tender, phase=Phase.AWARD, seed=seed).rank()
    return {
        seg.segment: frozenset(
            r.bidder for r in seg.results if r.status in engine.SELECTED_STATUSES
        )
        for seg in result.segments
    }

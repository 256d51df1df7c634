"""Synthetic tenders at the scales of issue 19, for the benchmarks (not for the tests).

    region   =   8 municipalities,  10 segments,    400 bidders,  2,000 dossiers,  24,000 scores
    large    =   8 municipalities,  10 segments,  2,000 bidders, 10,000 dossiers, 120,000 scores
    national = 342 municipalities, 100 segments, 10,000 bidders, 50,000 dossiers, 600,000 scores

Every bidder bids in 5 segments; every dossier has a final (consensus) level for each of the
12 criteria of its segment (8 selection, 4 award): the "scores". A restricted tender with its
requests only (one round: the award is ranked on the requests), so both phases have a line.
The skeleton (region, tender, lots, segments, criteria, requirements) goes through
``scenario_load``; the bulk (organisations, submissions, dossiers, the municipalities they
serve, requirement answers, final levels) is written with PostgreSQL ``COPY``.

Deterministic: the same scale gives the same data (``random.Random(scale name)``).

The tables are ANALYZEd after building, and when a kept database is reused without planner
statistics: the benchmark must not depend on autovacuum having run (production has it; a
machine with autovacuum off would otherwise plan from default estimates, with nested loops
that cost twice the time of the queries a production planner picks).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Scale:
    name: str
    municipalities: int
    lots: int
    segments_per_lot: int
    bidders: int
    segments_per_bidder: int = 5
    places: int = 12
    municipalities_per_dossier: int = 5

    @property
    def slug(self) -> str:
        return f"bench-{self.name}"

    @property
    def segments(self) -> int:
        return self.lots * self.segments_per_lot

    @property
    def dossiers(self) -> int:
        return self.bidders * self.segments_per_bidder


SCALES = {
    "region": Scale("region", municipalities=8, lots=2, segments_per_lot=5, bidders=400),
    "large": Scale("large", municipalities=8, lots=2, segments_per_lot=5, bidders=2000),
    "national": Scale(
        "national",
        municipalities=342,
        lots=10,
        segments_per_lot=10,
        bidders=10000,
        places=40,
        municipalities_per_dossier=12,
    ),
}

LEVELS = ("0", "0.25", "0.5", "0.75", "1")
LEVEL_WEIGHTS = (1, 3, 6, 6, 3)
# (code, phase, max_points, min_level): non-integral weights exercise the exact arithmetic
CRITERIA = (
    ("A", "selection", "20", "0.5"),
    ("B", "selection", "17.5", "0.5"),
    ("C", "selection", "15", None),
    ("D", "selection", "12.5", None),
    ("E", "selection", "10", None),
    ("F", "selection", "10", None),
    ("G", "selection", "7.5", None),
    ("H", "selection", "7.5", None),
    ("I", "award", "40", None),
    ("J", "award", "30", "0.25"),
    ("K", "award", "20", None),
    ("L", "award", "10", None),
)
SPECIALISMS = ("GGZ", "LVB", "VG", "NAH")
GENERAL_REQUIREMENTS = ("AM1", "AM2", "AM3", "AM4")


def _municipality_codes(scale: Scale) -> list[str]:
    return [f"GM{n:04d}" for n in range(1, scale.municipalities + 1)]


def skeleton(scale: Scale) -> dict:
    """The scenario document of the tender without submissions."""
    codes = _municipality_codes(scale)
    per_lot = max(1, len(codes) // scale.lots) if scale.lots > 1 and len(codes) > 8 else None
    lots = []
    for lot_no in range(scale.lots):
        lot_codes = codes if per_lot is None else codes[lot_no * per_lot : (lot_no + 1) * per_lot]
        if per_lot is not None and lot_no == scale.lots - 1:
            lot_codes = codes[lot_no * per_lot :]
        segments = []
        for seg_no in range(scale.segments_per_lot):
            code = f"L{lot_no:02d}-S{seg_no:02d}"
            segments.append(
                {
                    "code": code,
                    "name": f"Segment {code}",
                    "places": scale.places,
                    "coverage_k": 1 + seg_no % 2,
                    "start_date": "2026-01-01",
                    "tariff": "75.00",
                    "budget": "1000000.00",
                    "min_total": "50.00",
                    "criteria": [
                        {
                            "code": c,
                            "name": f"Criterium {c}",
                            "phase": phase,
                            "max_points": w,
                            **({"min_level": m} if m else {}),
                        }
                        for c, phase, w, m in CRITERIA
                    ],
                    "requirements": [{"code": f"{code}-M1", "text": "Ervaring met de doelgroep"}],
                    "specialisms": list(SPECIALISMS[: seg_no % 3]),
                }
            )
        lots.append(
            {
                "code": f"L{lot_no:02d}",
                "name": f"Perceel {lot_no}",
                "funding": "lumpsum",
                "municipalities": lot_codes,
                "segments": segments,
            }
        )
    return {
        "format": "tender-scenario/1",
        "region": {
            "code": scale.slug,
            "name": f"Benchmark {scale.name}",
            "municipalities": [{"code": c, "name": f"Gemeente {c}"} for c in codes],
        },
        "tender": {
            "slug": scale.slug,
            "title": f"Benchmark {scale.name}",
            "procedure": "restricted",
            "deadline": "2025-06-01T12:00:00+02:00",
            "standstill_days": 20,
            "requirements": [{"code": c, "text": f"Eis {c}"} for c in GENERAL_REQUIREMENTS],
            "lots": lots,
        },
        "organisations": [],
        "evaluators": [],
        "submissions": [],
    }


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row))
        buffer.write("\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def build(scale: Scale):
    """Create the tender of ``scale`` (or return it when it exists). PostgreSQL only."""
    from django.db import connection, transaction

    from evaluation.models import FinalLevel
    from evaluation.services.scenario import scenario_load
    from providers.constants import SubmissionState
    from providers.models import Dossier, Organisation, RequirementAnswer, Submission
    from tender.constants import Round
    from tender.models import Tender

    existing = Tender.objects.filter(slug=scale.slug).first()
    if existing is not None:
        if not _has_statistics():
            _analyze()
        return existing
    rng = random.Random(scale.name)  # noqa: S311 -- synthetic data
    with transaction.atomic():
        tender = scenario_load(data=skeleton(scale), one_round=True)
        segments = list(tender.segments.select_related("lot").order_by("code"))
        lot_codes = {
            lot.pk: list(lot.municipalities.values_list("pk", flat=True))
            for lot in tender.lots.all()
        }
        requirements = {r.code: r.pk for r in tender.requirements.all()}
        criteria = {
            s.pk: [(c.pk, c.code) for c in s.criteria.order_by("position", "pk")] for s in segments
        }
        base_kvk = {"region": 60000000, "large": 70000000, "national": 80000000}[scale.name]
        now = datetime(2025, 6, 1, 10, 0, tzinfo=UTC).isoformat()
        org_extra = _org_extra_values()
        with connection.cursor() as cursor:
            _copy(
                cursor,
                Organisation._meta.db_table,
                ["kvk", "name", "legal_form", "agb", "contact_name", "contact_email"]
                + _org_extra_columns(),
                (
                    [
                        base_kvk + n,
                        f"Zorgaanbieder {n}",
                        "stichting",
                        "",
                        "Contact",
                        f"bench+{base_kvk + n}@example.nl",
                    ]
                    + org_extra
                    for n in range(scale.bidders)
                ),
            )
        orgs = list(
            Organisation.objects.filter(
                kvk__in=[str(base_kvk + n) for n in range(scale.bidders)]
            ).order_by("kvk")
        )
        submissions = Submission.objects.bulk_create(
            Submission(
                tender=tender,
                round=Round.REQUEST,
                bidder=org,
                state=SubmissionState.SEALED,
                submitted_at=tender.deadline,
            )
            for org in orgs
        )
        plans = []  # (submission, segment)
        for submission in submissions:
            for segment in rng.sample(segments, scale.segments_per_bidder):
                plans.append((submission, segment))
        dossiers = Dossier.objects.bulk_create(
            Dossier(
                submission=submission,
                segment=segment,
                specialisms=sorted(rng.sample(SPECIALISMS, rng.randint(0, 2))),
            )
            for submission, segment in plans
        )
        through = Dossier.municipalities.through
        answer_rows, served_rows, level_rows = [], [], []
        for submission in submissions:
            for code in GENERAL_REQUIREMENTS:
                answer_rows.append((submission.pk, requirements[code], rng.random() > 0.01))
        for dossier, (submission, segment) in zip(dossiers, plans, strict=True):
            answer_rows.append(
                (submission.pk, requirements[f"{segment.code}-M1"], rng.random() > 0.02)
            )
            pool = lot_codes[segment.lot_id]
            for pk in rng.sample(pool, min(len(pool), scale.municipalities_per_dossier)):
                served_rows.append((dossier.pk, pk))
            for criterion_pk, _code in criteria[segment.pk]:
                level = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
                level_rows.append((dossier.pk, criterion_pk, level, "Consensus", now, now))
        answer_extra, final_extra = _answer_extra_values(), _final_extra_values(now)
        with connection.cursor() as cursor:
            _copy(
                cursor,
                RequirementAnswer._meta.db_table,
                ["submission_id", "requirement_id", "met"] + _answer_extra_columns(),
                ([s, r, "t" if met else "f"] + answer_extra for s, r, met in answer_rows),
            )
            _copy(cursor, through._meta.db_table, ["dossier_id", "municipality_id"], served_rows)
            _copy(
                cursor,
                FinalLevel._meta.db_table,
                ["dossier_id", "criterion_id", "level", "rationale"] + _final_extra_columns(),
                ([d, c, lv, r] + final_extra for d, c, lv, r, _a, _b in level_rows),
            )
    _analyze()
    return tender


def _has_statistics() -> bool:
    """Whether the planner has statistics of the largest table (ANALYZE ran on it)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stats WHERE tablename = 'evaluation_finallevel' LIMIT 1")
        return cursor.fetchone() is not None


def _analyze() -> None:
    """Planner statistics for every table (autovacuum may be off on a benchmark machine);
    ANALYZE samples a fixed number of rows per table: seconds even at national scale."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# Columns without a database default that COPY must fill (kept in one place).
def _org_extra_columns() -> list[str]:
    return _required_columns("providers_organisation", _ORG_FILLED)


def _org_extra_values() -> list:
    return [_DEFAULTS[c] for c in _org_extra_columns()]


def _answer_extra_columns() -> list[str]:
    return _required_columns("providers_requirementanswer", _ANSWER_FILLED)


def _answer_extra_values() -> list:
    return [_DEFAULTS[c] for c in _answer_extra_columns()]


def _final_extra_columns() -> list[str]:
    return _required_columns("evaluation_finallevel", _FINAL_FILLED)


def _final_extra_values(now: str) -> list:
    return [now if c.endswith("_at") else _DEFAULTS[c] for c in _final_extra_columns()]


_ORG_FILLED = {"id", "kvk", "name", "legal_form", "agb", "contact_name", "contact_email"}
_ANSWER_FILLED = {"id", "submission_id", "requirement_id", "met"}
_FINAL_FILLED = {"id", "dossier_id", "criterion_id", "level", "rationale"}
_DEFAULTS: dict[str, object] = {}


def _required_columns(table: str, filled: set[str]) -> list[str]:
    """NOT NULL columns of ``table`` without a database default that we do not fill: filled
    from the model field's default (COPY bypasses Django)."""
    from django.apps import apps
    from django.db import connection

    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "AND is_nullable = 'NO' AND column_default IS NULL ORDER BY ordinal_position",
            [table],
        )
        names = [r[0] for r in cursor.fetchall() if r[0] not in filled]
    by_column = {f.column: f for f in model._meta.concrete_fields}
    for name in names:
        field = by_column[name]
        if name.endswith("_at"):
            _DEFAULTS[name] = datetime(2025, 6, 1, 10, 0, tzinfo=UTC).isoformat()
            continue
        value = field.get_default()
        if isinstance(value, bool):
            value = "t" if value else "f"
        elif isinstance(value, (list, dict)):
            import json

            value = json.dumps(value)
        _DEFAULTS[name] = value
    return names

"""Loading a whole scenario file: region, tender, bidders, submissions, scores.

One transaction: a file that fails validation or any later check loads nothing.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.roles import BEOORDELAAR, VOORZITTER
from audit.services import audit_record
from providers.services.scenario import (
    BULK_WRITTEN,
    ScenarioDossier,
    organisations_upsert_from_scenario,
    submissions_create_from_scenario,
)
from tender.bulk import bulk_insert_rows, copy_text, foreign_keys_rebuilt
from tender.constants import Phase
from tender.errors import ApplicationError
from tender.models import Criterion, Tender
from tender.scenario import (
    STREAMED,
    NotStreamable,
    ScenarioChecker,
    iter_scenario_file,
    read_scenario_file,
    scenario_parts,
    validate_scenario,
)
from tender.services.scenario import region_upsert_from_scenario, tender_create_from_scenario

from ..models import Evaluator, FinalLevel, Ranking, Score
from ..scoring_models import Assignment


class ScenarioInvalid(Exception):
    def __init__(self, issues):
        super().__init__(str(issues[0]))
        self.issues = issues


def evaluators_create_from_scenario(*, tender: Tender, data: list[dict]) -> dict[str, Evaluator]:
    """Evaluators get an account (no usable password) in the matching role group."""
    User = get_user_model()
    groups = {g.name: g for g in Group.objects.filter(name__in=[BEOORDELAAR, VOORZITTER])}
    evaluators = {}
    for item in data:
        user, created = User.objects.get_or_create(username=item["username"])
        if created:
            user.first_name = item["name"][:150]
            user.set_unusable_password()
            user.save()
        group = groups.get(VOORZITTER if item.get("chair") else BEOORDELAAR)
        if group:
            user.groups.add(group)
        evaluators[item["username"]] = Evaluator.objects.create(
            tender=tender,
            user=user,
            name=item["name"],
            is_chair=bool(item.get("chair")),
        )
    return evaluators


def demo_rationale(level: Decimal) -> str:
    """The documented default consensus rationale of a scenario level without one
    (docs/rules.md, "Award decision, letters and standstill"): letters are only made with a
    rationale per criterion, and the demo's scenario files carry levels only."""
    shown = f"{level.normalize():f}".replace(".", ",")
    return _(
        "Consensus van de beoordelaars op niveau %(level)s van het beoordelingskader in de "
        "leidraad (standaardmotivering van het demoscenario)."
    ) % {"level": shown}


def scores_create_from_scenario(
    *,
    data: list[dict],
    dossiers: dict[tuple[str, str], dict[str, ScenarioDossier]],
    evaluators: dict[str, Evaluator],
    criteria_cache: dict[int, dict[str, tuple[str, str]]] | None = None,
) -> None:
    """Final levels and individual scores; each lands on the dossier of its criterion's phase
    (in the restricted procedure the request for the selection, the offer for the award).

    The rows go to the database as plain tuples (``bulk_insert_rows``): a national file has
    millions of scores. ``criteria_cache`` (segment id -> criterion code -> (id as text, phase)) is
    kept by a caller that writes in batches, so the criteria are read once per segment."""
    criteria_by_segment = {} if criteria_cache is None else criteria_cache
    level_texts: dict[str, str] = {}  # the file's level text -> the stored value's text
    defaults: dict[str, str] = {}  # level text -> the demo rationale
    finals: list[tuple] = []
    scores: list[tuple] = []
    for item in data:
        for entry in item["segments"]:
            phases = dossiers[(item["bidder"], entry["segment"])]
            segment_id = phases[Phase.SELECTION].segment_id
            criteria = criteria_by_segment.get(segment_id)
            if criteria is None:
                criteria = criteria_by_segment[segment_id] = {
                    code: (str(pk), phase)
                    for pk, code, phase in Criterion.objects.filter(
                        segment_id=segment_id
                    ).values_list("pk", "code", "phase")
                }
            # COPY text of the repeated values, made once per dossier (bulk_insert_rows text)
            targets = {phase: (str(d.pk), copy_text(d.submitted_at)) for phase, d in phases.items()}
            rationales = entry.get("rationales", {})
            for code, raw in entry.get("levels", {}).items():
                level = level_texts.get(raw)
                if level is None:
                    level = level_texts[raw] = str(Decimal(raw))
                    defaults[raw] = copy_text(demo_rationale(Decimal(raw)))
                criterion_id, phase = criteria[code]
                given = rationales.get(code)
                rationale = copy_text(given) if given else defaults[raw]
                finals.append((targets[phase][0], criterion_id, level, rationale))
            for score in entry.get("scores", []):
                evaluator_id = str(evaluators[score["evaluator"]].pk)
                for code, raw in score["levels"].items():
                    level = level_texts.get(raw)
                    if level is None:
                        level = level_texts[raw] = str(Decimal(raw))
                        defaults[raw] = copy_text(demo_rationale(Decimal(raw)))
                    criterion_id, phase = criteria[code]
                    dossier_id, submitted_at = targets[phase]
                    scores.append((dossier_id, criterion_id, evaluator_id, level, submitted_at))
    bulk_insert_rows(
        FinalLevel, ("dossier_id", "criterion_id", "level", "rationale"), finals, text=True
    )
    bulk_insert_rows(
        Score,
        ("dossier_id", "criterion_id", "evaluator_id", "level", "submitted_at"),
        scores,
        text=True,
    )


# A scenario file of at least this size loads with its foreign keys checked once at the end
# (``tender.bulk.foreign_keys_rebuilt``, PostgreSQL): about 25,000 rows (a region's file, 0.9 MB,
# writes 48,000), where the per-row checks at the commit pass the time of the load's COPY. A
# smaller file keeps the per-row checks and takes no exclusive lock (docs/operations.md).
KEYS_REBUILT_FROM_BYTES = 512 * 1024

# Submissions written per batch: bounds the memory of a large file (rows and model objects).
LOAD_BATCH = 250


class _Loader:
    """Writes a scenario part by part as ``ScenarioChecker`` passes it; stops writing at the
    first issue (the transaction is rolled back) and keeps checking, so the issues are those
    of ``validate_scenario``. An ApplicationError of a write (an existing slug) is kept and
    raised only when the file has no issues, as when the whole file was validated first."""

    def __init__(self, *, replace: bool, one_round: bool) -> None:
        self.replace = replace
        self.one_round = one_round
        self.checker = ScenarioChecker()
        self.refused: ApplicationError | None = None
        self.region: dict | None = None
        self.tender: Tender | None = None
        self.organisations: dict = {}
        self.evaluators: dict[str, Evaluator] | None = None
        self.submissions = 0
        self.criteria: dict[int, dict[str, tuple[str, str]]] = {}

    @property
    def writing(self) -> bool:
        return self.checker.clean and self.refused is None

    def value(self, key: str, value) -> None:
        self.checker.value(key, value)
        if not self.writing:
            return
        if key == "region":
            self.region = value
        elif key == "tender" and self.region is not None:
            region = region_upsert_from_scenario(data=self.region)
            try:
                self.tender = tender_create_from_scenario(
                    data=value, region=region, replace=self.replace
                )
            except ApplicationError as exc:
                self.refused = exc
        elif key == "evaluators":
            self._evaluators(value)
        elif key in STREAMED:  # a whole list (the checker refuses any other value)
            self.array(key, iter(value), checked=True)

    def _evaluators(self, data: list[dict]) -> None:
        if self.tender is not None and self.evaluators is None:
            self.evaluators = evaluators_create_from_scenario(tender=self.tender, data=data)

    def array(self, key: str, items, checked: bool = False) -> None:
        if not checked:
            self.checker.array(key)
        if key == "submissions":
            self._evaluators([])
        batch: list[dict] = []
        for index, item in enumerate(items):
            if not checked:
                self.checker.item(key, index, item)
            if key == "submissions":
                self.submissions += 1
            if self.writing:
                batch.append(item)
                if len(batch) >= LOAD_BATCH:
                    self._write(key, batch)
                    batch = []
        if self.writing and batch:
            self._write(key, batch)

    def _write(self, key: str, batch: list[dict]) -> None:
        if self.tender is None:
            return
        if key == "organisations":
            self.organisations.update(organisations_upsert_from_scenario(data=batch))
            return
        dossiers = submissions_create_from_scenario(
            tender=self.tender,
            data=batch,
            organisations=self.organisations,
            one_round=self.one_round,
        )
        scores_create_from_scenario(
            data=batch,
            dossiers=dossiers,
            evaluators=self.evaluators or {},
            criteria_cache=self.criteria,
        )

    def load(self, parts) -> Tender:
        for key, value in parts:
            if isinstance(value, Iterator):
                self.array(key, value)
            else:
                self.value(key, value)
        issues = self.checker.finish()
        if issues:
            raise ScenarioInvalid(issues)
        if self.refused is not None:
            raise self.refused
        if self.tender is None:  # pragma: no cover - a file without issues has a tender
            raise ScenarioInvalid(validate_scenario({}))
        return self.tender


@contextmanager
def _older_objects_not_collected() -> Iterator[None]:
    """While the block runs, the garbage collector leaves the objects that existed before it
    alone (``gc.freeze``; Django's own, some 170,000): a load allocates millions of
    short-lived objects, and the collections they set off rescanned Django's objects each
    time, a sixth of a region's load. Afterwards the old objects are collected as before."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _scenario_load_parts(
    *,
    parts,
    replace: bool,
    actor,
    client_address: str | None,
    one_round: bool,
    keys_rebuilt: bool = False,
) -> Tender:
    loader = _Loader(replace=replace, one_round=one_round)
    written = (*BULK_WRITTEN, FinalLevel, Score)
    with (
        _older_objects_not_collected(),
        foreign_keys_rebuilt(written) if keys_rebuilt else nullcontext(),
    ):
        tender = loader.load(parts)
    audit_record(
        action="scenario.load",
        actor=actor,
        obj=tender,
        tender=tender,
        client_address=client_address,
        details={
            "replace": replace,
            "segments": tender.segments.count(),
            "submissions": loader.submissions,
        },
    )
    return tender


@transaction.atomic
def scenario_load(
    *,
    data: dict,
    replace: bool = False,
    actor=None,
    client_address: str | None = None,
    one_round: bool = False,
    keys_rebuilt: bool = False,
) -> Tender:
    """Validate and load a scenario; raises ScenarioInvalid or ApplicationError, loading nothing.

    A restricted scenario loads in two rounds (requests and offers); ``one_round`` loads it as
    a restricted tender that holds requests only (as a tender migrated in the award phase:
    the award is scored and ranked on the requests, docs/rules.md "Rounds"). The rankings
    and lumpsums are the same either way. ``keys_rebuilt``: the foreign keys of the rows
    written in bulk are checked once at the end, under exclusive locks
    (``tender.bulk.foreign_keys_rebuilt``), for a large load."""
    if not isinstance(data, dict):
        raise ScenarioInvalid(validate_scenario(data))
    return _scenario_load_parts(
        parts=scenario_parts(data),
        replace=replace,
        actor=actor,
        client_address=client_address,
        one_round=one_round,
        keys_rebuilt=keys_rebuilt,
    )


@transaction.atomic
def scenario_load_file(
    *,
    path: str | Path,
    replace: bool = False,
    actor=None,
    client_address: str | None = None,
    one_round: bool = False,
    keys_rebuilt_from_bytes: int | None = KEYS_REBUILT_FROM_BYTES,
) -> Tender:
    """``scenario_load`` of a file, streamed: the organisations and submissions are parsed,
    checked and written a batch at a time, so a national file never sits in memory whole.
    A file that cannot be streamed (keys in another order, not JSON) is read whole, which
    gives the same result and the same errors (``ScenarioError`` when it is not JSON).

    A file of ``keys_rebuilt_from_bytes`` or more loads with ``keys_rebuilt`` (the foreign
    keys checked once at the end, the written tables and those they point to locked
    exclusively until the commit); ``None``: never."""
    try:
        size = Path(path).stat().st_size
    except OSError:  # the load reports the missing file
        size = 0
    options = {
        "replace": replace,
        "actor": actor,
        "client_address": client_address,
        "one_round": one_round,
        "keys_rebuilt": keys_rebuilt_from_bytes is not None and size >= keys_rebuilt_from_bytes,
    }
    try:
        with transaction.atomic():
            return _scenario_load_parts(parts=iter_scenario_file(path), **options)
    except NotStreamable:
        pass
    return scenario_load(data=read_scenario_file(path), **options)


def evaluation_delete_of_tender(tender: Tender) -> None:
    """``tender_delete`` step: rankings, scores, final levels and assignments of the tender's
    dossiers, then its evaluators (an assignment protects its evaluator)."""
    Ranking.objects.filter(tender=tender).delete()
    of_tender = {"dossier__submission__tender": tender}
    Score.objects.filter(**of_tender).delete()
    FinalLevel.objects.filter(**of_tender).delete()
    Assignment.objects.filter(**of_tender).delete()
    Evaluator.objects.filter(tender=tender).delete()

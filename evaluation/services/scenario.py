"""Loading a whole scenario file: region, tender, bidders, submissions, scores.

One transaction: a file that fails validation or any later check loads nothing.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.roles import BEOORDELAAR, VOORZITTER
from audit.services import audit_record
from providers.models import Dossier
from providers.services.scenario import (
    organisations_upsert_from_scenario,
    submissions_create_from_scenario,
)
from tender.models import Tender
from tender.scenario import validate_scenario
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
    dossiers: dict[tuple[str, str], Dossier],
    evaluators: dict[str, Evaluator],
) -> None:
    criteria_by_segment = {}
    finals: list[FinalLevel] = []
    scores: list[Score] = []
    for item in data:
        for entry in item["segments"]:
            dossier = dossiers[(item["bidder"], entry["segment"])]
            if dossier.segment_id not in criteria_by_segment:
                criteria_by_segment[dossier.segment_id] = {
                    c.code: c for c in dossier.segment.criteria.all()
                }
            criteria = criteria_by_segment[dossier.segment_id]
            rationales = entry.get("rationales", {})
            finals.extend(
                FinalLevel(
                    dossier=dossier,
                    criterion=criteria[code],
                    level=Decimal(level),
                    rationale=rationales.get(code) or demo_rationale(Decimal(level)),
                )
                for code, level in entry.get("levels", {}).items()
            )
            for score in entry.get("scores", []):
                evaluator = evaluators[score["evaluator"]]
                scores.extend(
                    Score(
                        dossier=dossier,
                        criterion=criteria[code],
                        evaluator=evaluator,
                        level=Decimal(level),
                        submitted_at=dossier.submission.submitted_at,
                    )
                    for code, level in score["levels"].items()
                )
    FinalLevel.objects.bulk_create(finals)
    Score.objects.bulk_create(scores)


@transaction.atomic
def scenario_load(
    *, data: dict, replace: bool = False, actor=None, client_address: str | None = None
) -> Tender:
    """Validate and load a scenario; raises ScenarioInvalid or ApplicationError, loading nothing."""
    issues = validate_scenario(data)
    if issues:
        raise ScenarioInvalid(issues)
    region = region_upsert_from_scenario(data=data["region"])
    tender = tender_create_from_scenario(data=data["tender"], region=region, replace=replace)
    organisations = organisations_upsert_from_scenario(data=data["organisations"])
    dossiers = submissions_create_from_scenario(
        tender=tender, data=data["submissions"], organisations=organisations
    )
    evaluators = evaluators_create_from_scenario(tender=tender, data=data.get("evaluators", []))
    scores_create_from_scenario(data=data["submissions"], dossiers=dossiers, evaluators=evaluators)
    audit_record(
        action="scenario.load",
        actor=actor,
        obj=tender,
        tender=tender,
        client_address=client_address,
        details={
            "replace": replace,
            "segments": tender.segments.count(),
            "submissions": len(data["submissions"]),
        },
    )
    return tender


def evaluation_delete_of_tender(tender: Tender) -> None:
    """``tender_delete`` step: rankings, scores, final levels and assignments of the tender's
    dossiers, then its evaluators (an assignment protects its evaluator)."""
    Ranking.objects.filter(tender=tender).delete()
    of_tender = {"dossier__submission__tender": tender}
    Score.objects.filter(**of_tender).delete()
    FinalLevel.objects.filter(**of_tender).delete()
    Assignment.objects.filter(**of_tender).delete()
    Evaluator.objects.filter(tender=tender).delete()

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
from tender.constants import Phase
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
    dossiers: dict[tuple[str, str], dict[str, Dossier]],
    evaluators: dict[str, Evaluator],
) -> None:
    """Final levels and individual scores; each lands on the dossier of its criterion's phase
    (in the restricted procedure the request for the selection, the offer for the award)."""
    criteria_by_segment: dict[int, dict] = {}
    finals: list[FinalLevel] = []
    scores: list[Score] = []
    for item in data:
        for entry in item["segments"]:
            phases = dossiers[(item["bidder"], entry["segment"])]
            segment = phases[Phase.SELECTION].segment
            if segment.pk not in criteria_by_segment:
                criteria_by_segment[segment.pk] = {c.code: c for c in segment.criteria.all()}
            criteria = criteria_by_segment[segment.pk]
            rationales = entry.get("rationales", {})

            def dossier_of(code: str, phases=phases, criteria=criteria) -> Dossier:
                return phases[criteria[code].phase]

            finals.extend(
                FinalLevel(
                    dossier=dossier_of(code),
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
                        dossier=dossier_of(code),
                        criterion=criteria[code],
                        evaluator=evaluator,
                        level=Decimal(level),
                        submitted_at=dossier_of(code).submission.submitted_at,
                    )
                    for code, level in score["levels"].items()
                )
    FinalLevel.objects.bulk_create(finals)
    Score.objects.bulk_create(scores)


@transaction.atomic
def scenario_load(
    *,
    data: dict,
    replace: bool = False,
    actor=None,
    client_address: str | None = None,
    one_round: bool = False,
) -> Tender:
    """Validate and load a scenario; raises ScenarioInvalid or ApplicationError, loading nothing.

    A restricted scenario loads in two rounds (requests and offers); ``one_round`` loads it as
    a restricted tender that holds requests only (as a tender migrated in the award phase:
    the award is scored and ranked on the requests, docs/rules.md "Rounds"). The rankings
    and lumpsums are the same either way."""
    issues = validate_scenario(data)
    if issues:
        raise ScenarioInvalid(issues)
    region = region_upsert_from_scenario(data=data["region"])
    tender = tender_create_from_scenario(data=data["tender"], region=region, replace=replace)
    organisations = organisations_upsert_from_scenario(data=data["organisations"])
    dossiers = submissions_create_from_scenario(
        tender=tender,
        data=data["submissions"],
        organisations=organisations,
        one_round=one_round,
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

"""python manage.py ranking TENDER_SLUG --phase selection|award [--seed N] [--format json|table]

Runs the same service as the web application and the Celery task, and prints the result.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from tender.errors import ApplicationError
from tender.models import Tender

from ...services.ranking import ranking_compute


class Command(BaseCommand):
    help = "Bereken de ranking van een aanbesteding per segment en druk die af."

    def add_arguments(self, parser):
        parser.add_argument("tender", help="Slug van de aanbesteding.")
        parser.add_argument("--phase", required=True, choices=["selection", "award"])
        parser.add_argument("--seed", type=int, default=0, help="Seed voor loting (standaard 0).")
        parser.add_argument("--format", default="table", choices=["json", "table"])

    def handle(self, *args, tender, phase, seed, format, **options):
        found = Tender.objects.filter(slug=tender).first()
        if found is None:
            raise CommandError(f"Aanbesteding '{tender}' bestaat niet.")
        try:
            result = ranking_compute(tender=found, phase=phase, seed=seed)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if format == "json":
            self.stdout.write(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
            return
        self.stdout.write(render_table(result))


def render_table(result) -> str:
    lines = [
        f"{result.tender} – fase {result.phase}, seed {result.seed}"
        + (" – VOORLOPIG" if result.provisional else "")
    ]
    for seg in result.segments:
        lines.append("")
        lines.append(f"Segment {seg.segment} ({seg.places} plaatsen)")
        lines.append(f"  {'rang':>4}  {'KvK':<8}  {'punten':>7}  {'status':<17}  redenen")
        for row in seg.results:
            rank = "-" if row.rank is None else str(row.rank)
            lines.append(
                f"  {rank:>4}  {row.bidder:<8}  {row.points!s:>7}  {row.status:<17}  "
                + "; ".join(row.reasons)
            )
        for gap in seg.gaps:
            lines.append(f"  gat: {gap.kind} {gap.code} (tekort {gap.shortfall})")
    return "\n".join(lines)

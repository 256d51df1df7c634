"""python manage.py lumpsum TENDER_SLUG --year YYYY [--seed N] [--format json|table]"""

import json

from django.core.management.base import BaseCommand, CommandError

from tender.models import Tender

from ...services import lumpsum_compute


class Command(BaseCommand):
    help = "Bereken lumpsum en termijnbetalingen per gegunde aanbieder voor een kalenderjaar."

    def add_arguments(self, parser):
        parser.add_argument("tender", help="Slug van de aanbesteding.")
        parser.add_argument("--year", type=int, required=True, help="Kalenderjaar, bv. 2022.")
        parser.add_argument("--seed", type=int, default=0, help="Seed voor loting (standaard 0).")
        parser.add_argument("--format", default="table", choices=["json", "table"])

    def handle(self, *args, tender, year, seed, format, **options):
        found = Tender.objects.filter(slug=tender).first()
        if found is None:
            raise CommandError(f"Aanbesteding '{tender}' bestaat niet.")
        if not 1900 <= year <= 2200:
            raise CommandError(f"Ongeldig jaar: {year}.")
        report = lumpsum_compute(tender=found, year=year, seed=seed)
        if format == "json":
            self.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
            return
        lines = [f"{report.tender} – lumpsum {report.year}"]
        for seg in report.segments:
            budget = "geen" if seg.budget is None else f"{seg.budget}"
            lines.append("")
            lines.append(
                f"Segment {seg.segment} (budget {budget}"
                + (", geschaald" if seg.scaled else "")
                + ")"
            )
            for c in seg.contracts:
                lines.append(
                    f"  {c.bidder}  bod {c.bid:>12}  lumpsum {c.amount:>12}  "
                    f"{report.year}: {c.year_total:>12}  ({len(c.instalments)} termijnen)"
                )
        self.stdout.write("\n".join(lines))

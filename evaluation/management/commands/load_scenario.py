"""python manage.py load_scenario PATH [--replace]"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from tender.errors import ApplicationError
from tender.scenario import ScenarioError

from ...services.scenario import ScenarioInvalid, scenario_load_file


class Command(BaseCommand):
    help = "Laad een scenariobestand (JSON) in één transactie; bij een fout wordt niets geladen."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Pad naar het scenariobestand (tender-scenario/1).")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Vervang een bestaande aanbesteding met dezelfde slug.",
        )

    def handle(self, *args, path, replace, **options):
        try:
            tender = scenario_load_file(path=path, replace=replace, actor="load_scenario")
        except (ScenarioError, ScenarioInvalid) as exc:
            raise CommandError(f"Ongeldig scenario: {exc.issues[0]}") from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        counts = dict(tender.submissions.values_list("round").annotate(n=Count("id")).order_by())
        labels = (
            ("request", "verzoeken tot deelneming"),
            ("offer", "inschrijvingen"),
            ("application", "aanmeldingen"),
        )
        rounds = (
            ", ".join(f"{counts[round]} {label}" for round, label in labels if counts.get(round))
            or "0 inschrijvingen"
        )
        self.stdout.write(
            f"Scenario geladen: {tender.slug} ({tender.segments.count()} segmenten, {rounds})."
        )

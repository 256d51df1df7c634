"""python manage.py load_scenario PATH [--replace] [--online]

A large file (``KEYS_REBUILT_FROM_BYTES`` or more) locks the tables it writes and those they
point to until it is loaded (docs/operations.md, "Loading a scenario"); ``--online`` keeps
them available, checking every row's foreign keys at the commit instead (slower)."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from tender.errors import ApplicationError
from tender.scenario import ScenarioError

from ...services.scenario import KEYS_REBUILT_FROM_BYTES, ScenarioInvalid, scenario_load_file


class Command(BaseCommand):
    help = "Laad een scenariobestand (JSON) in één transactie; bij een fout wordt niets geladen."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Pad naar het scenariobestand (tender-scenario/1).")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Vervang een bestaande aanbesteding met dezelfde slug.",
        )
        parser.add_argument(
            "--online",
            action="store_true",
            help=(
                "Houd de tabellen leesbaar voor andere gebruikers tijdens het laden van een "
                "groot bestand (langzamer: de verwijzingen worden per rij gecontroleerd)."
            ),
        )

    def handle(self, *args, path, replace, online=False, **options):
        try:
            tender = scenario_load_file(
                path=path,
                replace=replace,
                actor="load_scenario",
                keys_rebuilt_from_bytes=None if online else KEYS_REBUILT_FROM_BYTES,
            )
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

"""python manage.py kpis_default TENDER_SLUG: load the seeds' default KPI set into a tender."""

from django.core.management.base import BaseCommand, CommandError

from tender.models import Tender

from ...services.kpis import kpi_default_set_load


class Command(BaseCommand):
    help = "Laad de standaardset KPI's (effect, doelstelling, KPI's) in een aanbesteding."

    def add_arguments(self, parser):
        parser.add_argument("tender", help="Slug van de aanbesteding.")

    def handle(self, *args, tender, **options):
        found = Tender.objects.filter(slug=tender).first()
        if found is None:
            raise CommandError(f"Aanbesteding '{tender}' bestaat niet.")
        made = kpi_default_set_load(tender=found, user="manage.py kpis_default")
        if made:
            self.stdout.write(f"{made} KPI's geladen in {found.slug}.")
        else:
            self.stdout.write(f"{found.slug} heeft al KPI's; niets gewijzigd.")

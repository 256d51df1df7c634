"""python manage.py contracts_recompute_schedules [TENDER_SLUG ...]

Recompute the stored payment schedules after the migration to a term per contracted segment
(contracts 0006): every stored year that is not yet exported is stored again for the months
inside each segment's own term, audited (``contract.schedule_store``, with what changed per
contracted segment). Years already exported to finance stay as they are and are listed.
Running it twice changes nothing the second time.
"""

from django.core.management.base import BaseCommand, CommandError

from tender.models import Tender

from ...services.schedule import contracts_schedules_recompute


class Command(BaseCommand):
    help = "Herbereken de opgeslagen betaalschema's binnen de looptijd van elk segment."

    def add_arguments(self, parser):
        parser.add_argument("tenders", nargs="*", help="Slugs (standaard: alle met contracten).")

    def handle(self, *args, tenders, **options):
        queryset = Tender.objects.filter(contracts__isnull=False).distinct().order_by("slug")
        if tenders:
            queryset = queryset.filter(slug__in=tenders)
            missing = set(tenders) - set(queryset.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"Geen contracten voor: {', '.join(sorted(missing))}.")
        for tender in queryset:
            for year, count in contracts_schedules_recompute(tender=tender).items():
                if count is None:
                    self.stdout.write(f"{tender.slug} {year}: doorgegeven, niet herberekend")
                else:
                    self.stdout.write(f"{tender.slug} {year}: {count} termijnen")

"""Load the demo scenarios shipped with the project, skipping tenders that already exist.

``make run`` calls this, so restarting the demo keeps what people did in it.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from tender.models import Tender
from tender.scenario import DEMO_DIR, load_scenario_file

DEMO_FILES = ["achterhoek-2022.json", "hart-van-brabant-2022.json"]


class Command(BaseCommand):
    help = "Laad de demoscenario's (Achterhoek, Hart van Brabant) als ze er nog niet zijn."

    def handle(self, *args, **options):
        for name in DEMO_FILES:
            path = DEMO_DIR / name
            slug = load_scenario_file(path)["tender"]["slug"]
            if Tender.objects.filter(slug=slug).exists():
                self.stdout.write(f"Demo '{slug}' staat er al; overgeslagen.")
                continue
            call_command("load_scenario", str(path), stdout=self.stdout)

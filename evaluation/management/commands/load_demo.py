"""Load the demo scenarios shipped with the project, skipping tenders that already exist.

``make run`` calls this, so restarting the demo keeps what people did in it.
"""

from datetime import date

from django.core.management import call_command
from django.core.management.base import BaseCommand

from tender.models import Lot, Municipality, Tender
from tender.scenario import DEMO_DIR, load_scenario_file
from tender.services.populations import lot_membership_set, populations_load

DEMO_FILES = ["achterhoek-2022.json", "hart-van-brabant-2022.json"]
HVB = "hvb-2022"


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
            demo_extras(slug)
        populations_load()


def demo_extras(slug: str) -> None:
    """What the scenario format does not hold: in Hart van Brabant, Alphen-Chaam and
    Baarle-Nassau take part in Beschermd Wonen from 1 January 2023 (seeds)."""
    lot = Lot.objects.filter(tender__slug=slug, code="BW").first()
    if slug != HVB or lot is None:
        return
    for code in ("GM1723", "GM0744"):
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is not None:
            lot_membership_set(lot=lot, municipality=municipality, start=date(2023, 1, 1))

"""Load the demo scenarios shipped with the project, skipping tenders that already exist.

``make run`` calls this, so restarting the demo keeps what people did in it. The Open House
demo cannot say its admission period in the scenario format (the schema has no field for it):
it is set here, and the tender is put in its admission period with its applications sealed
and waiting for the first batch opening. The restricted demos get what the format cannot say
about round 2: the offers deadline and the invitations (``restricted_demo_rounds``).
"""

from datetime import date, datetime, timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db.models import Min

from providers.models import Dossier, OfferInvitation, Submission
from tender.constants import Procedure, Round, TenderState
from tender.models import Lot, Municipality, Tender
from tender.scenario import DEMO_DIR, load_scenario_file
from tender.services.populations import lot_membership_set, populations_load

DEMO_FILES = ["achterhoek-2022.json", "hart-van-brabant-2022.json", "wmo-open-house-2027.json"]
HVB = "hvb-2022"
#: The restricted demos' calendar between the rounds (the scenario format holds one deadline).
INVITED_AFTER = timedelta(days=35)
OFFERS_DEADLINE_AFTER = timedelta(days=63)


def open_house_admission_start(tender: Tender) -> None:
    """The Open House demo in its admission period: from the day before its first application
    on, with an open end; its applications wait for the first batch opening."""
    first = tender.submissions.aggregate(first=Min("submitted_at"))["first"]
    Tender.objects.filter(pk=tender.pk).update(
        state=TenderState.ADMISSION_OPEN,
        admission_start=first - timedelta(days=1),
        admission_end=None,
    )


class Command(BaseCommand):
    help = "Laad de demoscenario's (Achterhoek, Hart van Brabant, Open House) als ze ontbreken."

    def handle(self, *args, **options):
        for name in DEMO_FILES:
            path = DEMO_DIR / name
            slug = load_scenario_file(path)["tender"]["slug"]
            if Tender.objects.filter(slug=slug).exists():
                self.stdout.write(f"Demo '{slug}' staat er al; overgeslagen.")
                continue
            call_command("load_scenario", str(path), stdout=self.stdout)
            tender = Tender.objects.get(slug=slug)
            if tender.procedure == Procedure.OPEN_HOUSE:
                open_house_admission_start(tender)
                self.stdout.write(f"Demo '{slug}': toelatingsperiode open (Open House).")
            if tender.procedure == Procedure.RESTRICTED:
                invited = restricted_demo_rounds(tender)
                self.stdout.write(
                    f"Demo '{slug}': {invited} uitnodigingen tot inschrijving, sluitingstermijn "
                    f"inschrijvingen {tender.offers_deadline:%d-%m-%Y}."
                )
            demo_extras(slug)
        populations_load()


def restricted_demo_rounds(tender: Tender) -> int:
    """The restricted demo in two rounds, consistently: the offers deadline nine weeks after the
    requests deadline; an invitation (five weeks after it) of every bidder that made an offer,
    for each segment of its offer; the offers received the day before the offers deadline.
    Returns the number of invitations. The rankings do not change (no ranking reads these)."""
    deadline: datetime = tender.deadline
    tender.offers_deadline = deadline + OFFERS_DEADLINE_AFTER
    Tender.objects.filter(pk=tender.pk).update(offers_deadline=tender.offers_deadline)
    offers = Submission.objects.filter(tender=tender, round=Round.OFFER)
    offers.update(submitted_at=tender.offers_deadline - timedelta(days=1))
    pairs = sorted(
        set(
            Dossier.objects.filter(submission__in=offers).values_list(
                "segment_id", "submission__bidder_id"
            )
        )
    )
    OfferInvitation.objects.bulk_create(
        OfferInvitation(tender=tender, segment_id=segment, organisation_id=organisation)
        for segment, organisation in pairs
    )
    OfferInvitation.objects.filter(tender=tender).update(invited_at=deadline + INVITED_AFTER)
    return len(pairs)


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

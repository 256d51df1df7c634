"""Load the demo scenarios shipped with the project, skipping tenders that already exist.

``make run`` calls this, so restarting the demo keeps what people did in it. The Open House
demo cannot say its admission period in the scenario format (the schema has no field for it):
it is set here, and the tender is put in its admission period with its applications sealed
and waiting for the first batch opening. The restricted demos get what the format cannot say
about round 2: the offers deadline and the invitations (``restricted_demo_rounds``).

So that a newcomer sees a tender at every stage (issue 15.7), the demo also holds, with dates
relative to today:

- ``inkoop-2027-consultatie``: a follow-up of Achterhoek 2022 in market consultation, its
  Beschermd Wonen segment BW-BESCHUT provisional ("onder voorbehoud van besluitvorming");
- ``inkoop-2026-jeugd``: a follow-up with requests to participate open for 30 days, so
  ``aanbieder`` can make and seal a request (round 1);
- ``inkoop-2022`` (Achterhoek 2022) after the opening of its offers: evaluation, ranking and
  award can be walked (``demo_award``).

The seeds' calendar, key dates, news, example documents and a newsletter issue are loaded by
``load_demo_calendar`` (communication app).
"""

import copy
from datetime import date, datetime, timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db.models import Min
from django.utils import timezone

from audit.services import audit_record
from evaluation.services.scenario import scenario_load
from providers.models import Dossier, OfferInvitation, Submission
from tender.constants import PROVISIONAL_NOTE, Procedure, Round, TenderState
from tender.models import Lot, Municipality, Segment, Tender
from tender.scenario import DEMO_DIR, load_scenario_file
from tender.services.lifecycle import tender_transition
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
        achterhoek_after_opening()
        for slug, title, days in FOLLOW_UPS:
            if not Tender.objects.filter(slug=slug).exists():
                follow_up_load(slug=slug, title=title, days=days)
                self.stdout.write(f"Demo '{slug}': {Tender.objects.get(slug=slug).state}.")
        populations_load()
        call_command("load_demo_calendar", stdout=self.stdout)


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


ACHTERHOEK = "inkoop-2022"
CONSULTATION = "inkoop-2027-consultatie"
REQUESTS_OPEN = "inkoop-2026-jeugd"
PROVISIONAL_SEGMENT = "BW-BESCHUT"
#: (slug, title, days from today to the deadline of round 1)
FOLLOW_UPS = (
    (
        CONSULTATION,
        "Inkoop Jeugdhulp, Wmo en Beschermd Wonen 2027 (marktconsultatie)",
        120,
    ),
    (REQUESTS_OPEN, "Inkoop Jeugdhulp, Wmo en Beschermd Wonen 2026", 30),
)


def achterhoek_after_opening() -> None:
    """Achterhoek 2022, loaded as a draft with its sealed bids readable, goes to the state
    after the opening of its offers (its deadline lies in 2021, so the lifecycle's own steps
    cannot be taken in a demo); audited as a demo step. Only from the draft: a restart keeps
    what people did."""
    tender = Tender.objects.filter(slug=ACHTERHOEK, state=TenderState.DRAFT).first()
    if tender is None:
        return
    Tender.objects.filter(pk=tender.pk).update(state=TenderState.OFFERS_OPENED)
    audit_record(
        action="tender.demo_stage",
        obj=tender,
        tender=tender,
        details={"from": TenderState.DRAFT, "to": TenderState.OFFERS_OPENED},
    )


def follow_up_load(*, slug: str, title: str, days: int) -> Tender:
    """A follow-up of Achterhoek 2022 without bids, its deadline ``days`` from today: in
    market consultation (one provisional segment) or with its requests open."""
    data = copy.deepcopy(load_scenario_file(DEMO_DIR / "achterhoek-2022.json"))
    deadline = timezone.localtime() + timedelta(days=days)
    data["tender"].update(
        slug=slug,
        title=title,
        deadline=deadline.replace(hour=12, minute=0, second=0, microsecond=0).isoformat(),
    )
    data.update(organisations=[], submissions=[], evaluators=[])
    tender = scenario_load(data=data, actor="load_demo")
    if slug == CONSULTATION:
        tender = tender_transition(tender=tender, name="consult", user=None, system=True)
        Segment.objects.filter(tender=tender, code=PROVISIONAL_SEGMENT).update(
            provisional=True, provisional_note=PROVISIONAL_NOTE
        )
    else:
        tender = tender_transition(tender=tender, name="publish", user=None, system=True)
        tender = tender_transition(tender=tender, name="start_requests", user=None, system=True)
    return tender

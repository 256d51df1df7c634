"""Bring a loaded demo tender to the award phase (DEBUG only): finalise its selection and award
rankings with seed 0 as the chair, and put it in the state 'award', so the award decision page
(letters, standstill, final award) can be tried. The demo's deadline lies in the past, so the
lifecycle's own steps up to the award phase cannot be taken in a demo; this shortcut is audited.

    python manage.py create_demo_users && python manage.py demo_award inkoop-2022
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.services import audit_record
from evaluation.models import Ranking
from evaluation.selectors import final_ranking
from evaluation.services.ranking import ranking_execute, ranking_finalise
from tender.constants import Phase, TenderState
from tender.errors import ApplicationError
from tender.models import Tender

EARLY_STATES = {
    TenderState.DRAFT,
    TenderState.PUBLISHED,
    TenderState.REQUESTS_OPEN,
    TenderState.REQUESTS_CLOSED,
    TenderState.REQUESTS_OPENED,
    TenderState.SELECTION,
    TenderState.SELECTION_STANDSTILL,
    TenderState.OFFERS_OPEN,
    TenderState.OFFERS_CLOSED,
    TenderState.OFFERS_OPENED,
}


class Command(BaseCommand):
    help = "Demo: stel de rankings van een demo-aanbesteding vast en zet die in de gunningsfase."

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?", default="inkoop-2022")
        parser.add_argument("--chair", default="voorzitter", help="Gebruikersnaam voorzitter.")
        parser.add_argument(
            "--end-standstill",
            action="store_true",
            help="Demo: laat de lopende opschortende termijn nu eindigen (in plaats van na 20 "
            "dagen), zodat 'Definitief gunnen' kan.",
        )

    def handle(self, *args, slug, chair, end_standstill=False, **options):
        if not settings.DEBUG:
            raise CommandError("Alleen voor de demo (DEBUG aan).")
        tender = Tender.objects.filter(slug=slug).first()
        if tender is None:
            raise CommandError(f"Onbekende aanbesteding '{slug}'.")
        user = get_user_model().objects.filter(username=chair).first()
        if user is None:
            raise CommandError(f"Gebruiker '{chair}' bestaat niet; draai create_demo_users.")
        if end_standstill:
            self.end_standstill(tender, user)
            return
        with transaction.atomic():
            for phase in (Phase.SELECTION, Phase.AWARD):
                if final_ranking(tender=tender, phase=phase) is not None:
                    continue
                ranking = Ranking.objects.create(
                    tender=tender, phase=phase, seed=0, requested_by=user
                )
                ranking_execute(ranking_id=ranking.pk)
                try:
                    ranking_finalise(ranking=ranking, user=user)
                except ApplicationError as exc:
                    raise CommandError(exc.message) from exc
            tender = Tender.objects.select_for_update().get(pk=tender.pk)
            if tender.state in EARLY_STATES:
                previous = tender.state
                tender.state = TenderState.AWARD
                tender.save(update_fields=["state", "updated_at"])
                audit_record(
                    action="tender.demo_award",
                    actor=user,
                    obj=tender,
                    tender=tender,
                    details={"from": previous, "to": tender.state},
                )
        self.stdout.write(
            f"'{slug}' staat in '{tender.get_state_display()}' met definitieve rankings: "
            f"/aanbestedingen/{slug}/gunning/"
        )

    def end_standstill(self, tender, user) -> None:
        """Move the end of the running standstill of every segment to now (demo time travel,
        audited); the award itself is still made final by staff or the hourly job."""
        from django.utils import timezone

        from contracts.models import SegmentStandstill

        if tender.state != TenderState.STANDSTILL:
            raise CommandError(
                f"'{tender.slug}' is niet in de opschortende termijn "
                f"(status: {tender.get_state_display()})."
            )
        now = timezone.now()
        with transaction.atomic():
            count = SegmentStandstill.objects.filter(
                segment__tender=tender, final_at__isnull=True, ends_at__gt=now
            ).update(ends_at=now)
            audit_record(
                action="tender.demo_end_standstill",
                actor=user,
                obj=tender,
                tender=tender,
                details={"segments": count, "ends_at": now.isoformat()},
            )
        self.stdout.write(
            f"Opschortende termijn van {count} segment(en) beëindigd; 'Definitief gunnen' kan nu "
            f"op /aanbestedingen/{tender.slug}/gunning/."
        )

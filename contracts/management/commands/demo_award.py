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
    TenderState.SUBMISSIONS_OPEN,
    TenderState.CLOSED,
    TenderState.OPENED,
    TenderState.SELECTION,
}


class Command(BaseCommand):
    help = "Demo: stel de rankings van een demo-aanbesteding vast en zet die in de gunningsfase."

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?", default="inkoop-2022")
        parser.add_argument("--chair", default="voorzitter", help="Gebruikersnaam voorzitter.")

    def handle(self, *args, slug, chair, **options):
        if not settings.DEBUG:
            raise CommandError("Alleen voor de demo (DEBUG aan).")
        tender = Tender.objects.filter(slug=slug).first()
        if tender is None:
            raise CommandError(f"Onbekende aanbesteding '{slug}'.")
        user = get_user_model().objects.filter(username=chair).first()
        if user is None:
            raise CommandError(f"Gebruiker '{chair}' bestaat niet; draai create_demo_users.")
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

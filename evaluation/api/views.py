from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from audit.services import client_address_of
from tender.mixins import tender_or_404
from tender.selectors import tenders_visible_to

from ..exports import CSV_CONTENT_TYPE
from ..models import Ranking
from ..permissions import (
    can_export_scores,
    can_finalise_ranking,
    can_reopen_ranking,
    can_run_ranking,
)
from ..services.exports import export_filename, ranking_csv_export
from ..services.ranking import ranking_finalise, ranking_request
from ..services.reopen import ranking_reopen
from .serializers import (
    RankingOutputSerializer,
    RankingReopenInputSerializer,
    RankingRequestInputSerializer,
)


class RankingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Rankings of tenders the caller may see. POST queues a computation (202); poll the
    returned ranking until ``status`` is ``done``.

    Actions on a ranking the caller can see but may not perform are a 403 (finalise and reopen:
    the chair; the CSV: inkoper, chair, auditor); a ranking the caller cannot see is a 404.
    """

    serializer_class = RankingOutputSerializer

    def get_queryset(self):
        # Before the opening no ranking is shown, not even one computed then (legacy data).
        queryset = Ranking.objects.filter(
            tender__in=tenders_visible_to(self.request.user).bids_readable()
        ).select_related("tender")
        tender = self.request.query_params.get("tender")
        phase = self.request.query_params.get("phase")
        if tender:
            queryset = queryset.filter(tender__slug=tender)
        if phase:
            queryset = queryset.filter(phase=phase)
        return queryset

    @extend_schema(request=RankingRequestInputSerializer, responses={202: RankingOutputSerializer})
    def create(self, request):
        data = RankingRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tender = tender_or_404(
            request.user,
            data.validated_data["tender"],
            queryset=tenders_visible_to(request.user),
            predicate=can_run_ranking,
        )
        ranking = ranking_request(
            tender=tender,
            phase=data.validated_data["phase"],
            seed=data.validated_data["seed"],
            user=request.user,
        )
        ranking.refresh_from_db()
        return Response(RankingOutputSerializer(ranking).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses=RankingOutputSerializer)
    @action(detail=True, methods=["post"])
    def finalise(self, request, pk=None):
        """The chair stores the ranking immutably (with its seed and input hash). A 400 says
        why it was refused: provisional, not computed, stale data, or the phase already has a
        final ranking."""
        ranking = self.get_object()
        if not can_finalise_ranking(request.user, ranking.tender):
            raise PermissionDenied(_("Alleen de voorzitter kan een ranking vaststellen."))
        ranking = ranking_finalise(
            ranking=ranking, user=request.user, client_address=client_address_of(request)
        )
        return Response(RankingOutputSerializer(ranking).data)

    @extend_schema(request=RankingReopenInputSerializer, responses=RankingOutputSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """The chair reopens the phase's final ranking, with a reason (audited). It is kept
        as ``superseded``; a new computation can then be finalised."""
        ranking = self.get_object()
        if not can_reopen_ranking(request.user, ranking.tender):
            raise PermissionDenied(_("Alleen de voorzitter kan een ranking heropenen."))
        data = RankingReopenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ranking = ranking_reopen(
            ranking=ranking,
            user=request.user,
            reason=data.validated_data["reason"],
            client_address=client_address_of(request),
        )
        return Response(RankingOutputSerializer(ranking).data)

    # Routed in urls.py as rankings/{id}/export.csv (a file name: no trailing slash), with the
    # CSV renderer only.
    @extend_schema(
        operation_id="v1_rankings_export_csv",
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV")},
    )
    def export_csv(self, request, pk=None):
        """The stored result as CSV: one row per segment x result (segment, rank, bidder KvK,
        name, points, status, reasons joined by "; "). The download is audited."""
        ranking = self.get_object()
        if not can_export_scores(request.user, ranking.tender):
            raise PermissionDenied(_("U mag geen exports maken."))
        content = ranking_csv_export(
            ranking=ranking, user=request.user, client_address=client_address_of(request)
        )
        filename = export_filename(
            tender=ranking.tender,
            phase=ranking.phase,
            what="ranking",
            extension="csv",
            pk=ranking.pk,
        )
        return Response(
            content,
            content_type=CSV_CONTENT_TYPE,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
            },
        )

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from accounts.permissions import can_run_ranking
from tender.errors import ApplicationError
from tender.selectors import tenders_visible_to

from ..models import Ranking
from ..services.ranking import ranking_request
from .serializers import RankingOutputSerializer, RankingRequestInputSerializer


class RankingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Rankings of tenders the caller may see. POST queues a computation (202); poll the
    returned ranking until ``status`` is ``done``."""

    serializer_class = RankingOutputSerializer

    def get_queryset(self):
        queryset = Ranking.objects.filter(
            tender__in=tenders_visible_to(self.request.user)
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
        tender = get_object_or_404(
            tenders_visible_to(request.user), slug=data.validated_data["tender"]
        )
        if not can_run_ranking(request.user, tender):
            raise NotFound
        try:
            ranking = ranking_request(
                tender=tender,
                phase=data.validated_data["phase"],
                seed=data.validated_data["seed"],
                user=request.user,
            )
        except ApplicationError as exc:
            raise ValidationError({exc.field or "non_field_errors": [exc.message]}) from exc
        ranking.refresh_from_db()
        return Response(RankingOutputSerializer(ranking).data, status=status.HTTP_202_ACCEPTED)

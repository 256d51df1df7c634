from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from audit.services import client_address_of

from ..models import Lot, Segment
from ..selectors import tenders_visible_to
from ..services.lifecycle import OPENINGS, tender_confirm_opening, tender_transition
from .serializers import (
    TenderDetailOutputSerializer,
    TenderOutputSerializer,
    TransitionInputSerializer,
)


class TenderViewSet(viewsets.ReadOnlyModelViewSet):
    """Tenders the caller may see (staff only); others get an empty list and 404s."""

    lookup_field = "slug"

    def get_queryset(self):
        queryset = tenders_visible_to(self.request.user).order_by("-deadline", "slug")
        if self.action == "retrieve":
            lots = Lot.objects.prefetch_related(
                "municipalities", Prefetch("segments", queryset=Segment.objects.order_by("code"))
            )
            queryset = queryset.prefetch_related(Prefetch("lots", queryset=lots))
        return queryset

    def get_serializer_class(self):
        return TenderDetailOutputSerializer if self.action == "retrieve" else TenderOutputSerializer

    @extend_schema(request=TransitionInputSerializer, responses=TenderOutputSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, slug=None):
        """Perform one lifecycle action; a refused one is a 400 with the reason per field."""
        tender = self.get_object()
        data = TransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        name = data.validated_data["transition"]
        if name in OPENINGS:
            tender = tender_confirm_opening(
                tender=tender, user=request.user, client_address=client_address_of(request)
            )
        else:
            tender = tender_transition(
                tender=tender,
                name=name,
                user=request.user,
                reason=data.validated_data["reason"],
                client_address=client_address_of(request),
            )
        return Response(TenderOutputSerializer(tender).data)

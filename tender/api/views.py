from django.db.models import Prefetch
from rest_framework import viewsets

from ..models import Lot, Segment
from ..selectors import tenders_visible_to
from .serializers import TenderDetailOutputSerializer, TenderOutputSerializer


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

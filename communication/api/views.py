"""The communication API: public tender information (no login), and news, key dates,
sessions and notas for staff, with the same permission predicates and services as the screens.
Registrations and questions are in ``provider_views.py``.

Querysets are scoped to the caller: staff see everything of the tenders they may see, others
nothing; changing needs ``can_manage_tender_communication`` (else 403).
"""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.services import client_address_of
from tender.api.serializers import TenderOutputSerializer
from tender.selectors import tenders_visible_to
from tender.services.mail import base_url_of

from ..models import KeyDate, NewsItem, Nota, Session
from ..permissions import can_manage_tender_communication, can_move_deadline
from ..selectors import (
    key_moments,
    public_documents,
    public_news,
    public_tenders,
    published_notas,
    sessions_with_counts,
)
from ..services.market import (
    key_date_delete,
    key_date_save,
    news_item_delete,
    news_item_save,
    tender_deadline_move,
)
from ..services.notas import nota_create, nota_publish, nota_update
from ..services.sessions import session_create, session_update
from .serializers import (
    KeyDateSerializer,
    KeyMomentSerializer,
    NewsItemSerializer,
    NotaSerializer,
    PublicDocumentSerializer,
    PublicNewsSerializer,
    PublicNotaSerializer,
    PublicSessionSerializer,
    PublicTenderSerializer,
    SessionSerializer,
)

# -- public ---------------------------------------------------------------------------------


class PublicTenderDetailSerializer(PublicTenderSerializer):
    key_dates = serializers.SerializerMethodField()
    news = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    sessions = serializers.SerializerMethodField()
    notas = serializers.SerializerMethodField()

    class Meta(PublicTenderSerializer.Meta):
        fields = [
            *PublicTenderSerializer.Meta.fields,
            "key_dates",
            "news",
            "documents",
            "sessions",
            "notas",
        ]

    @extend_schema_field(KeyMomentSerializer(many=True))
    def get_key_dates(self, tender):
        return KeyMomentSerializer(key_moments(tender), many=True).data

    @extend_schema_field(PublicNewsSerializer(many=True))
    def get_news(self, tender):
        return PublicNewsSerializer(public_news(tender), many=True).data

    @extend_schema_field(PublicDocumentSerializer(many=True))
    def get_documents(self, tender):
        documents = public_documents(tender).select_related("tender")
        return PublicDocumentSerializer(documents, many=True, context=self.context).data

    @extend_schema_field(PublicSessionSerializer(many=True))
    def get_sessions(self, tender):
        return PublicSessionSerializer(sessions_with_counts(tender), many=True).data

    @extend_schema_field(PublicNotaSerializer(many=True))
    def get_notas(self, tender):
        return PublicNotaSerializer(published_notas(tender), many=True, context=self.context).data


class PublicTenderViewSet(viewsets.ReadOnlyModelViewSet):
    """Public tenders (every state but draft) with news, documents, sessions, key dates and
    the published notas (questions without who asked). No login needed."""

    permission_classes = [AllowAny]
    lookup_field = "slug"

    def get_queryset(self):
        return public_tenders().order_by("-deadline", "slug")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return PublicTenderDetailSerializer
        return PublicTenderSerializer


# -- staff: news, key dates, sessions, notas ---------------------------------------------------


class StaffTenderObjectsMixin:
    """Objects of the tenders the caller may see (staff); ``?tender=<slug>`` filters. Writes
    check ``can_manage_tender_communication`` on the object's tender."""

    model = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Refuse writes before validating input: the roles decide, whatever the tender.
        if request.method not in SAFE_METHODS and not can_manage_tender_communication(
            request.user, None
        ):
            raise PermissionDenied

    def get_queryset(self):
        queryset = self.model.objects.filter(
            tender__in=tenders_visible_to(self.request.user)
        ).select_related("tender")
        slug = self.request.query_params.get("tender")
        return queryset.filter(tender__slug=slug) if slug else queryset

    def check_manage(self, tender):
        if not can_manage_tender_communication(self.request.user, tender):
            raise PermissionDenied


tender_filter = extend_schema(
    parameters=[OpenApiParameter("tender", str, description="Kenmerk (slug) van de aanbesteding")]
)


@extend_schema(tags=["communicatie"])
class NewsItemViewSet(StaffTenderObjectsMixin, viewsets.ModelViewSet):
    model = NewsItem
    serializer_class = NewsItemSerializer
    http_method_names = ["get", "post", "put", "patch", "delete"]

    @tender_filter
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _save(self, serializer, item=None):
        data = serializer.validated_data
        tender = data.get("tender") or item.tender
        self.check_manage(tender)
        fields = {
            name: data.get(name, getattr(item, name, None))
            for name in ("title", "body", "published", "published_at")
        }
        if fields["published"] is None:
            fields["published"] = True
        return news_item_save(
            tender=tender,
            user=self.request.user,
            item=item,
            mail_subscribers=data.get("mail_subscribers", False),
            base_url=base_url_of(self.request),
            **fields,
        )

    def perform_create(self, serializer):
        serializer.instance = self._save(serializer)

    def perform_update(self, serializer):
        serializer.instance = self._save(serializer, serializer.instance)

    def perform_destroy(self, instance):
        self.check_manage(instance.tender)
        news_item_delete(item=instance, user=self.request.user)


@extend_schema(tags=["communicatie"])
class KeyDateViewSet(StaffTenderObjectsMixin, viewsets.ModelViewSet):
    model = KeyDate
    serializer_class = KeyDateSerializer
    http_method_names = ["get", "post", "put", "patch", "delete"]

    @tender_filter
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _save(self, serializer, key_date=None):
        data = serializer.validated_data
        tender = data.get("tender") or key_date.tender
        self.check_manage(tender)
        fields = {
            name: data.get(name, getattr(key_date, name, "")) for name in ("label", "date", "note")
        }
        return key_date_save(tender=tender, user=self.request.user, key_date=key_date, **fields)

    def perform_create(self, serializer):
        serializer.instance = self._save(serializer)

    def perform_update(self, serializer):
        serializer.instance = self._save(serializer, serializer.instance)

    def perform_destroy(self, instance):
        self.check_manage(instance.tender)
        key_date_delete(key_date=instance, user=self.request.user)


@extend_schema(tags=["communicatie"])
class SessionViewSet(
    StaffTenderObjectsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Sessions for staff, with the participation link; the public sees them through
    ``public/tenders/<slug>/``."""

    model = Session
    serializer_class = SessionSerializer

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related("lots", "segments")
            .annotate(
                taken=Count("registrations", filter=Q(registrations__cancelled_at__isnull=True))
            )
            .order_by("starts_at", "pk")
        )

    @tender_filter
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        tender = data.pop("tender")
        self.check_manage(tender)
        serializer.instance = session_create(tender=tender, user=self.request.user, **data)

    def perform_update(self, serializer):
        session = serializer.instance
        self.check_manage(session.tender)
        data = dict(serializer.validated_data)
        data.pop("tender", None)
        lots, segments = data.pop("lots", None), data.pop("segments", None)
        overflow = data.pop("overflow") if "overflow" in data else False
        serializer.instance = session_update(
            session=session,
            user=self.request.user,
            lots=lots,
            segments=segments,
            overflow=overflow,
            **data,
        )


@extend_schema(tags=["communicatie"])
class NotaViewSet(
    StaffTenderObjectsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Notas van inlichtingen for staff: compose (answered questions), change while in
    preparation, publish (``POST .../publish/``; refused later than 6 days before the
    deadline, ``deadline`` error)."""

    model = Nota
    serializer_class = NotaSerializer

    def get_queryset(self):
        return super().get_queryset().select_related("document").prefetch_related("questions")

    @tender_filter
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        self.check_manage(data["tender"])
        serializer.instance = nota_create(
            tender=data["tender"],
            user=self.request.user,
            questions=data["questions"],
            intro=data.get("intro", ""),
        )

    def perform_update(self, serializer):
        nota = serializer.instance
        self.check_manage(nota.tender)
        data = serializer.validated_data
        serializer.instance = nota_update(
            nota=nota,
            user=self.request.user,
            questions=data.get("questions", list(nota.questions.all())),
            intro=data.get("intro", nota.intro),
        )

    @extend_schema(request=None, responses=NotaSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        nota = self.get_object()
        self.check_manage(nota.tender)
        nota = nota_publish(
            nota=nota,
            user=request.user,
            client_address=client_address_of(request),
            base_url=base_url_of(request),
        )
        nota = self.get_queryset().get(pk=nota.pk)
        return Response(NotaSerializer(nota, context=self.get_serializer_context()).data)


# -- staff: the deadline -------------------------------------------------------------------------


class DeadlineMoveInputSerializer(serializers.Serializer):
    deadline = serializers.DateTimeField(
        help_text="De nieuwe sluitingstermijn, ISO 8601 met tijdzone, bijvoorbeeld "
        "'2025-03-01T12:00:00+01:00'."
    )


@extend_schema(tags=["communicatie"])
class TenderDeadlineView(APIView):
    # The service names the input ``new_deadline``; here it is ``deadline``.
    service_fields = {"new_deadline": "deadline"}
    """Move the deadline (sluitingstermijn) of a tender: ``POST tenders/<slug>/deadline/``.

    A tender the caller may not see is a 404; staff without the right (inkoper, voorzitter)
    get a 403; a refused move (passed deadline, not in the future, equal, earlier once
    public, cancelled tender) is a 400 with the reason on ``deadline``."""

    @extend_schema(request=DeadlineMoveInputSerializer, responses=TenderOutputSerializer)
    def post(self, request, slug):
        tender = get_object_or_404(tenders_visible_to(request.user), slug=slug)
        if not can_move_deadline(request.user, tender):
            raise PermissionDenied
        data = DeadlineMoveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tender = tender_deadline_move(
            tender=tender,
            new_deadline=data.validated_data["deadline"],
            user=request.user,
            client_address=client_address_of(request),
            base_url=base_url_of(request),
        )
        return Response(TenderOutputSerializer(tender).data)

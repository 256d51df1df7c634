"""Set-up API (/api/v1/setup/...): the write side of tenders, lots, segments, subsegments,
requirements and criteria. (Scenario import and export: ``evaluation.api.scenario_views``.)

Same rules as the set-up screens, from ``tender.permissions``: lists and details show what the
caller may see (empty lists and 404 for non-staff); writes need ``setup_refusal`` to be None,
else 403 with the reason. Input serializers report every problem as a field error (400); the
services write. Lists are paginated and filter on ``?tender=<slug>`` (and the parent's code).
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts.permissions import is_staff_member
from audit.services import client_address_of

from ..models import Region
from ..permissions import can_create_tender, can_manage_regions, setup_refusal
from ..selectors import tenders_visible_to
from ..services import setup
from ..setup_selectors import (
    criteria_visible_to,
    lots_visible_to,
    requirements_visible_to,
    segments_visible_to,
    subsegments_visible_to,
)
from . import setup_serializers as s


def as_actor(request, service, **kwargs):
    """Call a set-up service as the request's user, from the request's address (audit)."""
    return service(user=request.user, client_address=client_address_of(request), **kwargs)


def refuse_creation(user) -> None:
    """404 for non-staff (nothing here for them), 403 for staff that are no inkoper."""
    if not is_staff_member(user):
        raise NotFound
    if not can_create_tender(user):
        raise PermissionDenied(_("Alleen een inkoper mag aanbestedingen aanmaken."))


class SetupViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List, read, create, update (PUT and PATCH both merge into the current values) and
    delete one kind of set-up entity. Subclasses name the pieces."""

    output_serializer = None
    input_serializer = None
    visible = None  # user -> QuerySet
    filters: dict[str, str] = {}  # query parameter -> lookup
    create_service = update_service = delete_service = None
    create_needs_tender = False  # lot_create and requirement_create take the tender itself
    fixed_on_update: tuple[str, ...] = ()  # fields that cannot change after creation

    def get_queryset(self):
        queryset = type(self).visible(self.request.user)
        for param, lookup in self.filters.items():
            value = self.request.query_params.get(param)
            if value:
                queryset = queryset.filter(**{lookup: value})
        return queryset

    def get_serializer_class(self):
        return self.output_serializer

    def tender_of(self, obj):
        return obj.tender

    def check_setup(self, tender) -> None:
        reason = setup_refusal(self.request.user, tender)
        if reason:
            raise PermissionDenied(reason)

    def _input(self, tender, data, instance=None):
        serializer = self.input_serializer(
            data=data, context={"tender": tender, "instance": instance, "request": self.request}
        )
        serializer.is_valid(raise_exception=True)
        return serializer.to_service()

    def create(self, request, *args, **kwargs):
        slug = request.data.get("tender")
        if not slug:
            raise ValidationError({"tender": [_("Geef het kenmerk van de aanbesteding.")]})
        tender = get_object_or_404(tenders_visible_to(request.user), slug=slug)
        self.check_setup(tender)
        data = self._input(tender, request.data)
        if self.create_needs_tender:
            data["tender"] = tender
        obj = as_actor(self.request, type(self).create_service, **data)
        return Response(self.output_serializer(obj).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        obj = self.get_object()
        tender = self.tender_of(obj)
        self.check_setup(tender)
        current = self.output_serializer(obj).data
        for field in self.fixed_on_update:
            if field in request.data and request.data[field] != current[field]:
                raise ValidationError({field: [_("Dit kan na het aanmaken niet meer wijzigen.")]})
        data = self._input(tender, {**current, **request.data}, instance=obj)
        for field in self.fixed_on_update:
            data.pop(field, None)
        obj = as_actor(self.request, type(self).update_service, **{self.kind: obj}, **data)
        return Response(self.output_serializer(obj).data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        obj = self.get_object()
        self.check_setup(self.tender_of(obj))
        as_actor(self.request, type(self).delete_service, **{self.kind: obj})
        return Response(status=status.HTTP_204_NO_CONTENT)

    @property
    def kind(self) -> str:
        return self.output_serializer.Meta.model._meta.model_name


def documented(viewset):
    """OpenAPI: the input serializer for writes, the output serializer for the answers."""
    write = {"request": viewset.input_serializer, "responses": viewset.output_serializer}
    return extend_schema_view(
        create=extend_schema(
            request=viewset.input_serializer, responses={201: viewset.output_serializer}
        ),
        update=extend_schema(**write),
        partial_update=extend_schema(**write),
    )(viewset)


TENDER_FILTER = OpenApiParameter("tender", str, description="Kenmerk (slug) van de aanbesteding.")


@extend_schema(parameters=[TENDER_FILTER])
@documented
class SetupLotViewSet(SetupViewSet):
    output_serializer = s.SetupLotOutputSerializer
    input_serializer = s.LotInputSerializer
    visible = lots_visible_to
    filters = {"tender": "tender__slug"}
    create_service, update_service, delete_service = (
        setup.lot_create,
        setup.lot_update,
        setup.lot_delete,
    )
    create_needs_tender = True


@extend_schema(
    parameters=[TENDER_FILTER, OpenApiParameter("lot", str, description="Code van het perceel.")]
)
@documented
class SetupSegmentViewSet(SetupViewSet):
    output_serializer = s.SetupSegmentOutputSerializer
    input_serializer = s.SegmentInputSerializer
    visible = segments_visible_to
    filters = {"tender": "tender__slug", "lot": "lot__code"}
    create_service, update_service, delete_service = (
        setup.segment_create,
        setup.segment_update,
        setup.segment_delete,
    )


SEGMENT_FILTER = OpenApiParameter("segment", str, description="Code van het segment.")


@extend_schema(parameters=[TENDER_FILTER, SEGMENT_FILTER])
@documented
class SetupSubSegmentViewSet(SetupViewSet):
    output_serializer = s.SetupSubSegmentOutputSerializer
    input_serializer = s.SubSegmentInputSerializer
    visible = subsegments_visible_to
    filters = {"tender": "segment__tender__slug", "segment": "segment__code"}
    create_service, update_service, delete_service = (
        setup.subsegment_create,
        setup.subsegment_update,
        setup.subsegment_delete,
    )
    fixed_on_update = ("segment",)

    def tender_of(self, obj):
        return obj.segment.tender


@extend_schema(parameters=[TENDER_FILTER, SEGMENT_FILTER])
@documented
class SetupRequirementViewSet(SetupViewSet):
    output_serializer = s.SetupRequirementOutputSerializer
    input_serializer = s.RequirementInputSerializer
    visible = requirements_visible_to
    filters = {"tender": "tender__slug", "segment": "segment__code"}
    create_service, update_service, delete_service = (
        setup.requirement_create,
        setup.requirement_update,
        setup.requirement_delete,
    )
    create_needs_tender = True


@extend_schema(
    parameters=[
        TENDER_FILTER,
        SEGMENT_FILTER,
        OpenApiParameter("phase", str, enum=["selection", "award"]),
    ]
)
@documented
class SetupCriterionViewSet(SetupViewSet):
    output_serializer = s.SetupCriterionOutputSerializer
    input_serializer = s.CriterionInputSerializer
    visible = criteria_visible_to
    filters = {"tender": "segment__tender__slug", "segment": "segment__code", "phase": "phase"}
    create_service, update_service, delete_service = (
        setup.criterion_create,
        setup.criterion_update,
        setup.criterion_delete,
    )
    fixed_on_update = ("segment",)

    def tender_of(self, obj):
        return obj.segment.tender


@extend_schema(
    parameters=[
        OpenApiParameter("state", str, description="Status, bijvoorbeeld draft."),
        OpenApiParameter("region", str, description="Code van de regio."),
    ]
)
class SetupTenderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tenders: create (inkoper), update while the set-up may change, and export."""

    lookup_field = "slug"
    serializer_class = s.SetupTenderOutputSerializer

    def get_queryset(self):
        queryset = tenders_visible_to(self.request.user).order_by("-deadline", "slug")
        for param, lookup in (("state", "state"), ("region", "region__code")):
            value = self.request.query_params.get(param)
            if value:
                queryset = queryset.filter(**{lookup: value})
        return queryset

    def _input(self, data, tender=None):
        serializer = s.TenderInputSerializer(
            data=data, context={"tender": tender, "instance": tender}
        )
        serializer.is_valid(raise_exception=True)
        return serializer.to_service()

    @extend_schema(request=s.TenderInputSerializer, responses={201: s.SetupTenderOutputSerializer})
    def create(self, request):
        refuse_creation(request.user)
        data = self._input(request.data)
        tender = setup.tender_create(
            user=request.user, client_address=client_address_of(request), **data
        )
        return Response(s.SetupTenderOutputSerializer(tender).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TenderInputSerializer, responses=s.SetupTenderOutputSerializer)
    def update(self, request, slug=None):
        tender = self.get_object()
        reason = setup_refusal(request.user, tender)
        if reason:
            raise PermissionDenied(reason)
        if "slug" in request.data and request.data["slug"] != tender.slug:
            raise ValidationError({"slug": [_("Het kenmerk kan niet worden gewijzigd.")]})
        current = s.SetupTenderOutputSerializer(tender).data
        data = self._input({**current, **request.data}, tender=tender)
        tender = setup.tender_update(
            tender=tender, user=request.user, client_address=client_address_of(request), **data
        )
        return Response(s.SetupTenderOutputSerializer(tender).data)

    @extend_schema(request=s.TenderInputSerializer, responses=s.SetupTenderOutputSerializer)
    def partial_update(self, request, slug=None):
        return self.update(request, slug=slug)


class SetupRegionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Regions with their municipalities: staff read them; an inkoper creates and updates
    them (the code is fixed once created). Non-staff get an empty list and 404s."""

    lookup_field = "code"
    serializer_class = s.SetupRegionOutputSerializer

    def get_queryset(self):
        if not is_staff_member(self.request.user):
            return Region.objects.none()
        return Region.objects.prefetch_related("municipalities").order_by("name", "code")

    def _refuse(self) -> None:
        if not is_staff_member(self.request.user):
            raise NotFound
        if not can_manage_regions(self.request.user):
            raise PermissionDenied(_("Alleen een inkoper mag regio's beheren."))

    def _input(self, data, region=None):
        serializer = s.RegionInputSerializer(data=data, context={"instance": region})
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(request=s.RegionInputSerializer, responses={201: s.SetupRegionOutputSerializer})
    def create(self, request):
        self._refuse()
        region = as_actor(self.request, setup.region_create, **self._input(request.data))
        return Response(s.SetupRegionOutputSerializer(region).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.RegionInputSerializer, responses=s.SetupRegionOutputSerializer)
    def update(self, request, code=None):
        self._refuse()
        region = self.get_object()
        if "code" in request.data and request.data["code"] != region.code:
            raise ValidationError({"code": [_("De code van een regio kan niet worden gewijzigd.")]})
        current = s.SetupRegionOutputSerializer(region).data
        data = self._input({**current, **request.data}, region=region)
        region = as_actor(self.request, setup.region_update, region=region, **data)
        return Response(s.SetupRegionOutputSerializer(region).data)

    @extend_schema(request=s.RegionInputSerializer, responses=s.SetupRegionOutputSerializer)
    def partial_update(self, request, code=None):
        return self.update(request, code=code)

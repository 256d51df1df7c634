from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from tender.mixins import tender_or_404
from tender.selectors import tenders_visible_to

from ..exports import CSV_CONTENT_TYPE, CSV_ENCODING, XLSX_CONTENT_TYPE, finance_csv, finance_xlsx
from ..models import Instalment
from ..permissions import can_manage_contracts, can_view_contracts
from ..selectors import contract_list, contracts_visible_to, finance_rows
from ..services.contracts import (
    contract_decline_extension,
    contract_extend,
    contracts_create_from_awards,
)
from ..services.schedule import contracts_lumpsum_store
from .serializers import (
    ContractDetailSerializer,
    ContractListSerializer,
    ContractTenderInputSerializer,
    ExtensionInputSerializer,
    InstalmentSerializer,
    ScheduleInputSerializer,
)

TENDER_PARAM = OpenApiParameter("tender", str, description="Slug van de aanbesteding.")
YEAR_PARAM = OpenApiParameter("year", int, description="Kalenderjaar.")


class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Contracts the caller may see: staff all, a provider those of its organisation (as
    contractor or combination member). Others' contracts are a 404. Writing (creating from
    the final award, schedules, extension decisions) is for the contract manager and the
    inkoper; a caller who can see the contract but may not write gets 403."""

    lookup_field = "number"
    lookup_value_regex = "[^/]+"

    def get_serializer_class(self):
        return ContractListSerializer if self.action == "list" else ContractDetailSerializer

    def get_queryset(self):
        if self.action == "list":
            queryset = contract_list(user=self.request.user)
            if tender := self.request.query_params.get("tender"):
                queryset = queryset.filter(tender__slug=tender)
            return queryset
        return contracts_visible_to(self.request.user).prefetch_related(
            "segments__segment",
            "segments__municipalities",
            "members",
            "decisions",
        )

    @extend_schema(parameters=[TENDER_PARAM])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _staff_tender(self, slug, *, write: bool):
        tender = tender_or_404(
            self.request.user,
            slug,
            queryset=tenders_visible_to(self.request.user),
            predicate=can_view_contracts,
        )
        if write and not can_manage_contracts(self.request.user, tender):
            raise PermissionDenied(_("Alleen een contractmanager of inkoper mag dit doen."))
        return tender

    @extend_schema(
        request=ContractTenderInputSerializer, responses={201: ContractListSerializer(many=True)}
    )
    @action(detail=False, methods=["post"], url_path="create-from-awards")
    def create_from_awards(self, request):
        """One contract per winner of the final award (idempotent: a second call returns an
        empty list). Also stores the schedule of each contract's first year."""
        data = ContractTenderInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tender = self._staff_tender(data.validated_data["tender"], write=True)
        created = contracts_create_from_awards(tender=tender, user=request.user)
        return Response(
            ContractListSerializer(created, many=True).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=ScheduleInputSerializer, responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["post"], url_path="store-schedule")
    def store_schedule(self, request):
        """Store the lumpsum amounts and the instalments of ``year`` for every contract of the
        tender, exactly as ``manage.py lumpsum`` computes them (refused once exported)."""
        data = ScheduleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tender = self._staff_tender(data.validated_data["tender"], write=True)
        count = contracts_lumpsum_store(
            tender=tender, year=data.validated_data["year"], user=request.user
        )
        return Response({"year": data.validated_data["year"], "instalments": count})

    @extend_schema(parameters=[YEAR_PARAM], responses=InstalmentSerializer(many=True))
    @action(detail=True, methods=["get"])
    def schedule(self, request, number=None):
        """The contract's stored instalments (optionally of one ``year``), by date."""
        contract = self.get_object()
        instalments = Instalment.objects.filter(contract_segment__contract=contract).select_related(
            "contract_segment__segment"
        )
        if year := request.query_params.get("year"):
            if not year.isdigit():
                raise ValidationError({"year": [_("Geef een jaartal op.")]})
            instalments = instalments.filter(year=int(year))
        instalments = instalments.order_by("due_date", "contract_segment__segment__code")
        return Response(InstalmentSerializer(instalments, many=True).data)

    @extend_schema(request=ExtensionInputSerializer, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def extension(self, request, number=None):
        """Record the extension decision of the current term: ``extend`` (+2 years) or
        ``decline``, dated today. 400 when refused (after the notice deadline without
        ``late_reason``, after 2 extensions, already decided)."""
        contract = self.get_object()
        if not can_manage_contracts(request.user, contract.tender):
            raise PermissionDenied(_("Alleen een contractmanager of inkoper mag dit doen."))
        data = ExtensionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decide = (
            contract_extend
            if data.validated_data["decision"] == "extend"
            else contract_decline_extension
        )
        decide(
            contract=contract,
            user=request.user,
            note=data.validated_data["note"],
            late_reason=data.validated_data["late_reason"],
        )
        return Response(ContractDetailSerializer(self.get_queryset().get(pk=contract.pk)).data)

    def _export(self, request, kind):
        slug = request.query_params.get("tender", "")
        tender = self._staff_tender(slug, write=False)
        year = request.query_params.get("year")
        if year is not None and not year.isdigit():
            raise ValidationError({"year": [_("Geef een jaartal op.")]})
        rows = finance_rows(tender=tender, year=int(year) if year else None)
        name = f"termijnen-{tender.slug}" + (f"-{year}" if year else "") + f".{kind}"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        if kind == "xlsx":
            return Response(finance_xlsx(rows), content_type=XLSX_CONTENT_TYPE, headers=headers)
        return Response(
            finance_csv(rows).encode(CSV_ENCODING), content_type=CSV_CONTENT_TYPE, headers=headers
        )

    @extend_schema(
        operation_id="v1_contracts_export_csv",
        parameters=[TENDER_PARAM, YEAR_PARAM],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV")},
    )
    def export_csv(self, request):
        """Finance export (staff): every instalment per municipality share."""
        return self._export(request, "csv")

    @extend_schema(
        operation_id="v1_contracts_export_xlsx",
        parameters=[TENDER_PARAM, YEAR_PARAM],
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="Excel")
        },
    )
    def export_xlsx(self, request):
        """Finance export (staff) as an Excel workbook."""
        return self._export(request, "xlsx")

"""The settlement, KPI and OCDS API, with the screens' permission rules and services.

Staff (``can_view_contract_performance``) read everything of a tender (a write is a 403: only
the provider reports); a provider reads and writes the reports of its own contracts only.
Another organisation's contract is a 404.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.services import client_address_of
from tender.mixins import tender_or_404
from tender.models import Tender

from ..kpi_models import KpiReport
from ..kpi_selectors import kpi_definitions
from ..models import Contract
from ..permissions import can_report_on_contract, can_view_contract_performance
from ..services.kpis import kpi_period_submit, kpi_report_save, kpis_for_contract
from ..services.ocds import ocds_export
from ..services.settlement import production_report_save
from ..settlement_models import ProductionReport
from .performance_serializers import (
    KpiEffectSerializer,
    KpiReportInputSerializer,
    KpiReportSerializer,
    KpiSubmitInputSerializer,
    ProductionReportInputSerializer,
    ProductionReportSerializer,
)


def staff_tender(request, slug) -> Tender:
    return tender_or_404(
        request.user,
        slug,
        queryset=Tender.objects.select_related("region"),
        predicate=can_view_contract_performance,
    )


def visible_contract(request, pk) -> tuple[Contract, bool]:
    """The contract and whether the caller is staff; 404 for anyone else."""
    contract = get_object_or_404(
        Contract.objects.select_related("tender", "provider").prefetch_related("segments__segment"),
        pk=pk,
    )
    if can_report_on_contract(request.user, contract):
        return contract, False
    if can_view_contract_performance(request.user, contract.tender):
        return contract, True
    raise Http404


class OcdsPackageView(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT}, summary="OCDS 1.1 release package")
    def get(self, request, slug):
        tender = staff_tender(request, slug)
        package = ocds_export(
            tender=tender,
            user=request.user,
            uri=request.build_absolute_uri(),
            client_address=client_address_of(request),
        )
        return Response(package)


class TenderKpisView(APIView):
    @extend_schema(responses=KpiEffectSerializer(many=True))
    def get(self, request, slug):
        tender = staff_tender(request, slug)
        return Response(KpiEffectSerializer(kpi_definitions(tender=tender), many=True).data)


class ProductionReportsView(APIView):
    def _reports(self, contract):
        return (
            ProductionReport.objects.filter(contract_segment__contract=contract)
            .select_related("contract_segment__contract", "contract_segment__segment", "settlement")
            .order_by("contract_segment__segment__code", "year")
        )

    @extend_schema(responses=ProductionReportSerializer(many=True))
    def get(self, request, pk):
        contract, staff = visible_contract(request, pk)
        return Response(
            ProductionReportSerializer(
                self._reports(contract), many=True, context={"staff": staff}
            ).data
        )

    @extend_schema(request=ProductionReportInputSerializer, responses=ProductionReportSerializer)
    def post(self, request, pk):
        contract, staff = visible_contract(request, pk)
        if staff:
            raise PermissionDenied  # staff read; only the provider reports
        data = ProductionReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        contract_segment = next(
            (cs for cs in contract.segments.all() if cs.segment.code == values.pop("segment")),
            None,
        )
        if contract_segment is None:
            raise ValidationError({"segment": ["Dit segment hoort niet bij het contract."]})
        report = production_report_save(
            contract_segment=contract_segment,
            user=request.user,
            client_address=client_address_of(request),
            **values,
        )
        report = self._reports(contract).get(pk=report.pk)
        return Response(ProductionReportSerializer(report, context={"staff": False}).data, 201)


class KpiReportsView(APIView):
    @extend_schema(responses=KpiReportSerializer(many=True))
    def get(self, request, pk):
        contract, staff = visible_contract(request, pk)
        reports = KpiReport.objects.filter(contract=contract).order_by("kpi_id", "period")
        if staff:
            reports = reports.filter(submitted_at__isnull=False)
        return Response(KpiReportSerializer(reports, many=True).data)

    @extend_schema(request=KpiReportInputSerializer, responses=KpiReportSerializer)
    def post(self, request, pk):
        contract, staff = visible_contract(request, pk)
        if staff:
            raise PermissionDenied
        data = KpiReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        kpi = kpis_for_contract(contract).filter(pk=values.pop("kpi")).first()
        if kpi is None:
            raise ValidationError({"kpi": ["Deze KPI hoort niet bij dit contract."]})
        report = kpi_report_save(
            contract=contract,
            kpi=kpi,
            user=request.user,
            client_address=client_address_of(request),
            **values,
        )
        return Response(KpiReportSerializer(report).data, 201)


class KpiSubmitView(APIView):
    @extend_schema(request=KpiSubmitInputSerializer, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, pk):
        contract, staff = visible_contract(request, pk)
        if staff:
            raise PermissionDenied
        data = KpiSubmitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = kpi_period_submit(
            contract=contract,
            period=data.validated_data["period"],
            user=request.user,
            client_address=client_address_of(request),
        )
        return Response({"submitted": count})

"""Settlement screens: staff (``/aanbestedingen/<slug>/verantwoording/``: reports, compute,
approve, statement PDF, above-band policy) and the provider portal (``/portaal/verantwoording/``:
report production per year, see the settlement and its statement)."""

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from audit.services import client_address_of
from providers.portal_views import PortalMixin
from tender.errors import service_action
from tender.files import PDF, document_response
from tender.mixins import TenderScopedMixin
from tender.models import Funding

from .lumpsum import FUNDINGS_PAID_AFTERWARDS as PAID_AFTERWARDS
from .models import Contract, ContractSegment
from .performance_forms import ContractPolicyForm, DeclarationForm, ProductionReportForm
from .permissions import (
    can_manage_contract_performance,
    can_report_on_contract,
    can_view_contract_performance,
)
from .services.funding import declarable_months, production_declare
from .services.settlement import (
    above_band_policy,
    band_of,
    contract_policy_set,
    production_report_reopen,
    production_report_save,
    settlement_approve,
    settlement_compute,
    settlement_statement_pdf,
    year_lumpsum,
)
from .settlement_models import ProductionReport, Settlement, percent
from .settlement_selectors import provider_settlement_overview, tender_settlement_overview


class StaffPerformanceMixin(TenderScopedMixin):
    """Resolves the tender; 404 for anyone who may not see it and for a POST by read-only
    staff."""

    tender_predicate = staticmethod(can_view_contract_performance)
    manage_predicate = staticmethod(can_manage_contract_performance)
    post_needs_manage = True


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    return document_response(content, filename=filename, content_type=PDF)


def statement_filename(settlement: Settlement) -> str:
    return f"verrekening-{settlement.contract_segment_id}-{settlement.year}.pdf"


# -- staff ------------------------------------------------------------------------------------


class SettlementOverviewView(StaffPerformanceMixin, View):
    def get(self, request, slug):
        return render(
            request,
            "contracts/settlement_overview.html",
            {
                "tender": self.tender,
                "can_manage": self.can_manage,
                "contract_segments": tender_settlement_overview(tender=self.tender),
                "policy_form": ContractPolicyForm(),
            },
        )


class SettlementComputeView(StaffPerformanceMixin, View):
    def post(self, request, slug, pk):
        report = get_object_or_404(
            ProductionReport, pk=pk, contract_segment__contract__tender=self.tender
        )
        with service_action(request):
            settlement_compute(
                report=report, user=request.user, client_address=client_address_of(request)
            )
            messages.success(request, _("De verrekening is berekend."))
        return redirect("settlement-overview", slug)


class ProductionReportReopenView(StaffPerformanceMixin, View):
    def post(self, request, slug, pk):
        report = get_object_or_404(
            ProductionReport, pk=pk, contract_segment__contract__tender=self.tender
        )
        with service_action(request):
            production_report_reopen(
                report=report,
                user=request.user,
                reason=request.POST.get("reason", ""),
                client_address=client_address_of(request),
            )
            messages.success(request, _("De verantwoording is teruggegeven aan de aanbieder."))
        return redirect("settlement-overview", slug)


class SettlementApproveView(StaffPerformanceMixin, View):
    def post(self, request, slug, pk):
        settlement = get_object_or_404(
            Settlement, pk=pk, contract_segment__contract__tender=self.tender
        )
        with service_action(request):
            settlement_approve(
                settlement=settlement, user=request.user, client_address=client_address_of(request)
            )
            messages.success(request, _("De verrekening is vastgesteld."))
        return redirect("settlement-overview", slug)


class SettlementStatementView(StaffPerformanceMixin, View):
    def get(self, request, slug, pk):
        settlement = get_object_or_404(
            Settlement, pk=pk, contract_segment__contract__tender=self.tender
        )
        return pdf_response(
            settlement_statement_pdf(settlement=settlement), statement_filename(settlement)
        )


class ContractPolicyView(StaffPerformanceMixin, View):
    def post(self, request, slug, pk):
        contract = get_object_or_404(Contract, pk=pk, tender=self.tender)
        form = ContractPolicyForm(request.POST)
        if form.is_valid():
            with service_action(request):
                contract_policy_set(
                    contract=contract,
                    above_band=form.cleaned_data["above_band"],
                    user=request.user,
                    client_address=client_address_of(request),
                )
                messages.success(request, _("De afspraak is opgeslagen."))
        else:
            messages.error(request, _("Kies een geldige afspraak."))
        return redirect("settlement-overview", slug)


# -- provider portal --------------------------------------------------------------------------


class PortalSettlementListView(PortalMixin, View):
    def get(self, request):
        contract_segments = provider_settlement_overview(organisation=self.organisation)
        this_year = timezone.localdate().year
        for cs in contract_segments:
            # the years of the segment's own term, up to this year
            first = cs.start_date.year
            last = min(cs.end_date.year, this_year)
            cs.declares = cs.segment.effective_funding in PAID_AFTERWARDS
            cs.open_years = (
                []
                if cs.declares
                else [
                    year
                    for year in range(first, last + 1)
                    if not any(
                        r.year == year and r.submitted_at for r in cs.production_reports.all()
                    )
                ]
            )
        return render(
            request,
            "contracts/portal_settlement_list.html",
            {"organisation": self.organisation, "contract_segments": contract_segments},
        )


class PortalProductionReportView(PortalMixin, View):
    """Report (or change the draft of) the production of one contracted segment in a year."""

    def setup_objects(self, pk, year):
        contract_segment = get_object_or_404(
            ContractSegment.objects.select_related("contract__tender", "segment__lot"), pk=pk
        )
        if not can_report_on_contract(self.request.user, contract_segment.contract):
            raise Http404
        if contract_segment.segment.effective_funding in PAID_AFTERWARDS:
            raise Http404  # declared per month instead (PortalDeclarationView)
        report = ProductionReport.objects.filter(
            contract_segment=contract_segment, year=year
        ).first()
        return contract_segment, report

    def page(self, request, contract_segment, year, report, form, status=200):
        lumpsum = year_lumpsum(contract_segment=contract_segment, year=year)
        return render(
            request,
            "contracts/portal_production_report.html",
            {
                "contract_segment": contract_segment,
                "year": year,
                "report": report,
                "form": form,
                "lumpsum": lumpsum,
                "band_percent": percent(band_of(contract_segment.segment)),
                "above_band": above_band_policy(contract_segment.contract),
            },
            status=status,
        )

    def get(self, request, pk, year):
        contract_segment, report = self.setup_objects(pk, year)
        initial = (
            {
                "realised_clients": report.realised_clients,
                "realised_hours": report.realised_hours,
                "comment": report.comment,
            }
            if report
            else None
        )
        return self.page(
            request, contract_segment, year, report, ProductionReportForm(initial=initial)
        )

    def post(self, request, pk, year):
        contract_segment, report = self.setup_objects(pk, year)
        form = ProductionReportForm(request.POST)
        if form.is_valid():
            with service_action(request, form=form):
                production_report_save(
                    contract_segment=contract_segment,
                    year=year,
                    user=request.user,
                    submit="submit" in request.POST,
                    client_address=client_address_of(request),
                    **form.cleaned_data,
                )
                messages.success(
                    request,
                    _("De verantwoording is ingediend.")
                    if "submit" in request.POST
                    else _("Het concept is opgeslagen."),
                )
                return redirect(reverse("portal-settlement-report", args=[pk, year]))
        return self.page(request, contract_segment, year, report, form, status=400)


class PortalDeclarationView(PortalMixin, View):
    """P x Q: the provider declares its production per month, paid afterwards at the tariff."""

    def setup_objects(self, pk):
        contract_segment = get_object_or_404(
            ContractSegment.objects.select_related("contract__tender", "segment__lot"), pk=pk
        )
        if not can_report_on_contract(self.request.user, contract_segment.contract):
            raise Http404
        return contract_segment

    def page(self, request, contract_segment, form, status=200):
        declarations = list(contract_segment.declarations.order_by("-month"))
        form = form if contract_segment.segment.effective_funding == Funding.PXQ else None
        return render(
            request,
            "contracts/portal_declarations.html",
            {
                "contract_segment": contract_segment,
                "declarations": declarations,
                "form": form,
            },
            status=status,
        )

    def get(self, request, pk):
        contract_segment = self.setup_objects(pk)
        form = DeclarationForm(months=declarable_months(contract_segment))
        return self.page(request, contract_segment, form)

    def post(self, request, pk):
        contract_segment = self.setup_objects(pk)
        form = DeclarationForm(request.POST, months=declarable_months(contract_segment))
        if form.is_valid():
            with service_action(request, form=form):
                production_declare(
                    contract_segment=contract_segment,
                    month=date.fromisoformat(form.cleaned_data["month"]),
                    hours=form.cleaned_data["hours"],
                    user=request.user,
                    client_address=client_address_of(request),
                )
                messages.success(request, _("De productie is gedeclareerd."))
                return redirect(reverse("portal-declarations", args=[pk]))
        return self.page(request, contract_segment, form, status=400)


class PortalSettlementStatementView(PortalMixin, View):
    def get(self, request, pk):
        settlement = get_object_or_404(
            Settlement.objects.select_related("contract_segment__contract"), pk=pk
        )
        if not can_report_on_contract(request.user, settlement.contract_segment.contract):
            raise Http404
        if settlement.approved_at is None:
            raise Http404
        return pdf_response(
            settlement_statement_pdf(settlement=settlement), statement_filename(settlement)
        )

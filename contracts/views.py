"""Contract screens: staff under ``/aanbestedingen/<slug>/contracten/``, providers under
``/portaal/contracten/``. Views are thin: selectors read, services decide."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from audit.services import client_address_of
from providers.portal_views import PortalMixin
from tender.errors import service_action
from tender.files import PDF, document_response
from tender.mixins import TenderScopedMixin
from tender.pdf import render_to_pdf
from tender.selectors import tenders_visible_to

from .award_selectors import award_final_segments
from .exports import CSV_CONTENT_TYPE, CSV_ENCODING, XLSX_CONTENT_TYPE, finance_csv, finance_xlsx
from .forms import DecisionForm, KpiDeferForm, YearForm
from .models import Contract
from .performance_forms import TaskAmountForm
from .permissions import can_manage_contracts, can_view_contracts
from .selectors import (
    contract_detail,
    contract_list,
    contract_lots,
    contract_schedule,
    contract_term,
    finance_rows,
    year_totals,
)
from .services.contracts import (
    contract_decline_extension,
    contract_extend,
    contract_kpis_defer,
    contracts_create_from_awards,
    notice_months,
)
from .services.funding import pxq_budget_uses, task_amount_set
from .services.kpis import kpis_for_contract
from .services.schedule import contracts_lumpsum_store, instalments_mark_exported
from .services.settlement import above_band_policy

PAGE_SIZE = 25


def contract_pdf_response(contract: Contract) -> HttpResponse:
    pdf = render_to_pdf(
        "pdf/contract.html",
        {
            "contract": contract,
            "term": contract_term(contract),
            "schedule": contract_schedule(contract),
            "region_name": contract.tender.region.name,
            "notice_months": notice_months(),
            "above_band": above_band_policy(contract),
            "lots": contract_lots(contract),
            "kpis": list(kpis_for_contract(contract)),
        },
    )
    return document_response(pdf, filename=f"contract-{contract.number}.pdf", content_type=PDF)


class TenderContractsMixin(TenderScopedMixin):
    """Staff only: the tender must be visible and its contracts readable, else 404."""

    tender_predicate = staticmethod(can_view_contracts)
    manage_predicate = staticmethod(can_manage_contracts)

    def tender_queryset(self):
        return tenders_visible_to(self.request.user)

    def require_manage(self):
        if not self.can_manage:
            raise Http404


class ContractListView(TenderContractsMixin, View):
    def get(self, request, slug, year_form=None):
        page = Paginator(contract_list(user=request.user, tender=self.tender), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(
            request,
            "contracts/contract_list.html",
            {
                "tender": self.tender,
                "page_obj": page,
                "query_string": "",
                "can_manage": self.can_manage,
                "awarded_segments": award_final_segments(tender=self.tender),
                "years": year_totals(tender=self.tender),
                "year_form": year_form or YearForm(),
                "pxq_uses": pxq_budget_uses(tender=self.tender),
            },
        )


class ContractCreateView(TenderContractsMixin, View):
    def post(self, request, slug):
        self.require_manage()
        with service_action(request):
            created = contracts_create_from_awards(tender=self.tender, user=request.user)
            if created:
                messages.success(
                    request,
                    ngettext(
                        "%(n)s contract aangemaakt.", "%(n)s contracten aangemaakt.", len(created)
                    )
                    % {"n": len(created)},
                )
            else:
                messages.info(request, _("Alle contracten bestonden al; er is niets aangemaakt."))
        return redirect("contract-list", slug=self.tender.slug)


class ScheduleStoreView(TenderContractsMixin, View):
    """Store (or recompute) the payment schedule of one year for every contract."""

    def post(self, request, slug):
        self.require_manage()
        form = YearForm(request.POST)
        if form.is_valid():
            year = form.cleaned_data["year"]
            with service_action(request, form=form):
                count = contracts_lumpsum_store(tender=self.tender, year=year, user=request.user)
                messages.success(
                    request,
                    ngettext(
                        "Betaalschema %(year)s vastgelegd: %(n)s termijn.",
                        "Betaalschema %(year)s vastgelegd: %(n)s termijnen.",
                        count,
                    )
                    % {"year": year, "n": count},
                )
                return redirect("contract-list", slug=self.tender.slug)
        return ContractListView.get(self, request, slug, year_form=form)


class ScheduleExportMarkView(TenderContractsMixin, View):
    def post(self, request, slug):
        self.require_manage()
        form = YearForm(request.POST)
        if not form.is_valid():
            raise Http404
        year = form.cleaned_data["year"]
        with service_action(request):
            marked = instalments_mark_exported(tender=self.tender, year=year, user=request.user)
            messages.success(
                request,
                ngettext(
                    "Betaalschema %(year)s vastgezet voor financiën (%(n)s termijn).",
                    "Betaalschema %(year)s vastgezet voor financiën (%(n)s termijnen).",
                    marked,
                )
                % {"year": year, "n": marked},
            )
        return redirect("contract-list", slug=self.tender.slug)


def _year_param(request) -> int | None:
    raw = request.GET.get("jaar", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    return int(raw)


def finance_export_response(*, tender, year: int | None, kind: str) -> HttpResponse:
    rows = finance_rows(tender=tender, year=year)
    name = f"termijnen-{tender.slug}" + (f"-{year}" if year else "")
    if kind == "xlsx":
        response = HttpResponse(finance_xlsx(rows), content_type=XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(
            finance_csv(rows).encode(CSV_ENCODING), content_type=CSV_CONTENT_TYPE
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


class FinanceExportView(TenderContractsMixin, View):
    def get(self, request, slug, kind):
        if kind not in ("csv", "xlsx"):
            raise Http404
        return finance_export_response(tender=self.tender, year=_year_param(request), kind=kind)


class ContractDetailView(TenderContractsMixin, View):
    def get_contract(self, number):
        try:
            contract = contract_detail(user=self.request.user, number=number)
        except Contract.DoesNotExist as exc:
            raise Http404 from exc
        if contract.tender_id != self.tender.pk:
            raise Http404
        return contract

    def get(self, request, slug, number, form=None, status=200):
        contract = self.get_contract(number)
        term = contract_term(contract)
        return render(
            request,
            "contracts/contract_detail.html",
            {
                "tender": self.tender,
                "contract": contract,
                "term": term,
                "schedule": contract_schedule(contract),
                "can_manage": self.can_manage,
                "form": form or DecisionForm(),
                "task_form": TaskAmountForm(),
                "kpi_defer_form": KpiDeferForm(),
            },
            status=status,
        )


class ContractDecisionView(ContractDetailView):
    def post(self, request, slug, number):
        self.require_manage()
        contract = self.get_contract(number)
        form = DecisionForm(request.POST)
        if form.is_valid():
            decide = (
                contract_extend
                if form.cleaned_data["decision"] == "extend"
                else contract_decline_extension
            )
            with service_action(request, form=form):
                contract = decide(
                    contract=contract,
                    user=request.user,
                    note=form.cleaned_data["note"],
                    late_reason=form.cleaned_data["late_reason"],
                )
                messages.success(request, _("Het besluit is vastgelegd."))
                return redirect("contract-detail", slug=slug, number=number)
        return self.get(request, slug, number, form=form, status=400)


class ContractTaskAmountView(ContractDetailView):
    """Task funding: staff set (or reset) a contracted segment's yearly amount, with a reason."""

    http_method_names = ["post"]

    def post(self, request, slug, number, code):
        self.require_manage()
        contract = self.get_contract(number)
        contract_segment = next(
            (cs for cs in contract.segments.all() if cs.segment.code == code), None
        )
        if contract_segment is None:
            raise Http404
        form = TaskAmountForm(request.POST)
        if form.is_valid():
            with service_action(request, form=form):
                task_amount_set(
                    contract_segment=contract_segment,
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                    user=request.user,
                    client_address=client_address_of(request),
                )
                messages.success(request, _("Het bedrag is vastgesteld."))
                return redirect("contract-detail", slug=slug, number=number)
        messages.error(request, _("Geef een geldig bedrag en een reden op."))
        return redirect("contract-detail", slug=slug, number=number)


class ContractKpiDeferView(ContractDetailView):
    """Staff record that the KPIs are set in the implementation phase, with a date."""

    http_method_names = ["post"]

    def post(self, request, slug, number):
        self.require_manage()
        contract = self.get_contract(number)
        form = KpiDeferForm(request.POST)
        if form.is_valid():
            with service_action(request, form=form):
                contract_kpis_defer(
                    contract=contract,
                    until=form.cleaned_data["until"],
                    user=request.user,
                    client_address=client_address_of(request),
                )
                messages.success(
                    request, _("Vastgelegd: de KPI's worden in de implementatiefase vastgesteld.")
                )
                return redirect("contract-detail", slug=slug, number=number)
        messages.error(request, _("Geef een geldige datum op."))
        return redirect("contract-detail", slug=slug, number=number)


class ContractPdfView(ContractDetailView):
    def get(self, request, slug, number):
        return contract_pdf_response(self.get_contract(number))


# -- provider portal ----------------------------------------------------------------------------


class PortalContractListView(PortalMixin, View):
    def get(self, request):
        page = Paginator(contract_list(user=request.user), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(
            request,
            "portal/contracts.html",
            {"organisation": self.organisation, "page_obj": page, "query_string": ""},
        )


class PortalContractMixin(PortalMixin):
    def get_contract(self, number):
        try:
            return contract_detail(user=self.request.user, number=number)
        except Contract.DoesNotExist as exc:
            raise Http404 from exc


class PortalContractDetailView(PortalContractMixin, View):
    def get(self, request, number):
        contract = self.get_contract(number)
        return render(
            request,
            "portal/contract_detail.html",
            {
                "organisation": self.organisation,
                "contract": contract,
                "term": contract_term(contract),
                "schedule": contract_schedule(contract),
            },
        )


class PortalContractPdfView(PortalContractMixin, View):
    def get(self, request, number):
        return contract_pdf_response(self.get_contract(number))

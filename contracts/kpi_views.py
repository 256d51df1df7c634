"""KPI screens: staff define KPIs per tender (``/aanbestedingen/<slug>/kpis/``) and read the
dashboards per contract and per segment; providers report values per period
(``/portaal/kpis/``)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from audit.services import client_address_of
from providers.portal_views import PortalMixin
from tender.errors import service_action
from tender.models import Segment

from .kpi_models import KpiReport
from .kpi_selectors import (
    contract_dashboard,
    contracts_of_organisation,
    kpi_definitions,
    segment_dashboard,
    tender_contracts,
)
from .models import Contract
from .performance_forms import KpiEffectForm, KpiTargetForm, KpiValueForm, ProviderKpiForm
from .permissions import can_report_on_contract
from .services.kpis import (
    kpi_default_set_load,
    kpi_effect_save,
    kpi_period_submit,
    kpi_report_save,
    kpis_for_contract,
    provider_kpi_save,
    provider_kpi_target_set,
    reportable_periods,
)
from .settlement_views import StaffPerformanceMixin


class KpiDefinitionsView(StaffPerformanceMixin, View):
    def page(self, request, effect_form=None, kpi_form=None, status=200):
        return render(
            request,
            "contracts/kpi_definitions.html",
            {
                "tender": self.tender,
                "can_manage": self.can_manage,
                "effects": kpi_definitions(tender=self.tender),
                "contracts": tender_contracts(tender=self.tender),
                "segments": self.tender.segments.order_by("code"),
                "effect_form": effect_form or KpiEffectForm(prefix="effect"),
                "kpi_form": kpi_form or ProviderKpiForm(prefix="kpi", tender=self.tender),
            },
            status=status,
        )

    def get(self, request, slug):
        return self.page(request)

    def post(self, request, slug):
        action = request.POST.get("action")
        if action == "defaults":
            made = kpi_default_set_load(tender=self.tender, user=request.user)
            if made:
                messages.success(request, _("De standaardset KPI's is geladen."))
            else:
                messages.info(request, _("Deze aanbesteding heeft al KPI's."))
            return redirect("kpi-definitions", slug)
        if action == "effect":
            form = KpiEffectForm(request.POST, prefix="effect")
            if form.is_valid():
                kpi_effect_save(tender=self.tender, user=request.user, **form.cleaned_data)
                messages.success(request, _("Het effect is toegevoegd."))
                return redirect("kpi-definitions", slug)
            return self.page(request, effect_form=form, status=400)
        if action == "target":
            form = KpiTargetForm(request.POST, prefix="target", tender=self.tender)
            if form.is_valid():
                with service_action(request, form=form):
                    provider_kpi_target_set(user=request.user, **form.cleaned_data)
                    messages.success(request, _("De streefwaarde is opgeslagen."))
                    return redirect("kpi-definitions", slug)
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return self.page(request, status=400)
        if action == "kpi":
            form = ProviderKpiForm(request.POST, prefix="kpi", tender=self.tender)
            if form.is_valid():
                with service_action(request, form=form):
                    provider_kpi_save(user=request.user, **form.cleaned_data)
                    messages.success(request, _("De KPI is toegevoegd."))
                    return redirect("kpi-definitions", slug)
            return self.page(request, kpi_form=form, status=400)
        raise Http404


def chart_payload(panels) -> list[dict]:
    return [dict(panel.chart(), id=f"kpi-chart-{panel.kpi.pk}") for panel in panels]


class KpiContractDashboardView(StaffPerformanceMixin, View):
    def get(self, request, slug, pk):
        contract = get_object_or_404(
            Contract.objects.select_related("provider").prefetch_related("segments__segment"),
            pk=pk,
            tender=self.tender,
        )
        panels = contract_dashboard(contract=contract)
        return render(
            request,
            "contracts/kpi_dashboard.html",
            {
                "tender": self.tender,
                "title": f"{contract.number} {contract.provider.name}",
                "panels": panels,
                "charts": chart_payload(panels),
            },
        )


class KpiSegmentDashboardView(StaffPerformanceMixin, View):
    def get(self, request, slug, code):
        segment = get_object_or_404(Segment, tender=self.tender, code=code)
        panels = segment_dashboard(segment=segment)
        return render(
            request,
            "contracts/kpi_dashboard.html",
            {
                "tender": self.tender,
                "title": f"{segment.code} {segment.name}",
                "panels": panels,
                "charts": chart_payload(panels),
            },
        )


# -- provider portal --------------------------------------------------------------------------


class PortalKpiListView(PortalMixin, View):
    def get(self, request):
        return render(
            request,
            "contracts/portal_kpi_list.html",
            {"contracts": contracts_of_organisation(organisation=self.organisation)},
        )


class PortalKpiContractView(PortalMixin, View):
    """Every KPI of one own contract with a row per reportable period: value, comment, state."""

    def contract_or_404(self, pk):
        contract = get_object_or_404(
            Contract.objects.select_related("tender", "provider").prefetch_related(
                "segments__segment"
            ),
            pk=pk,
        )
        if not can_report_on_contract(self.request.user, contract):
            raise Http404
        return contract

    def page(self, request, contract, errors=None, status=200):
        today = timezone.localdate()
        reports = {(r.kpi_id, r.period): r for r in KpiReport.objects.filter(contract=contract)}
        kpis = []
        for kpi in kpis_for_contract(contract):
            rows = [
                {"period": period, "report": reports.get((kpi.pk, period))}
                for period in reversed(reportable_periods(kpi, contract, today))
            ]
            kpis.append({"kpi": kpi, "rows": rows})
        open_periods = sorted(
            {p for (_kpi, p), r in reports.items() if r.submitted_at is None}, reverse=True
        )
        return render(
            request,
            "contracts/portal_kpi_contract.html",
            {
                "contract": contract,
                "kpis": kpis,
                "open_periods": open_periods,
                "errors": errors or {},
                "form": KpiValueForm(),
            },
            status=status,
        )

    def get(self, request, pk):
        return self.page(request, self.contract_or_404(pk))

    def post(self, request, pk):
        contract = self.contract_or_404(pk)
        if request.POST.get("action") == "submit":
            with service_action(request):
                count = kpi_period_submit(
                    contract=contract,
                    period=request.POST.get("period", ""),
                    user=request.user,
                    client_address=client_address_of(request),
                )
                messages.success(
                    request,
                    ngettext("%(n)s waarde is ingediend.", "%(n)s waarden zijn ingediend.", count)
                    % {"n": count},
                )
            return redirect("portal-kpi-contract", pk)
        kpi = kpis_for_contract(contract).filter(pk=request.POST.get("kpi") or 0).first()
        if kpi is None:
            raise Http404
        form = KpiValueForm(request.POST)
        period = request.POST.get("period", "")
        if form.is_valid():
            with service_action(request, form=form):
                kpi_report_save(
                    contract=contract,
                    kpi=kpi,
                    period=period,
                    user=request.user,
                    client_address=client_address_of(request),
                    **form.cleaned_data,
                )
                messages.success(request, _("De waarde is opgeslagen als concept."))
                return redirect("portal-kpi-contract", pk)
        problems = [str(e) for errors in form.errors.values() for e in errors]
        return self.page(request, contract, errors={(kpi.pk, period): problems}, status=400)

"""Settlement, KPI and OCDS screens: staff under ``aanbestedingen/<slug>/``, providers under
``portaal/``."""

from django.urls import path

from . import kpi_views, ocds_views, settlement_views

staff = "aanbestedingen/<slug:slug>/"

urlpatterns = [
    path(
        staff + "verantwoording/",
        settlement_views.SettlementOverviewView.as_view(),
        name="settlement-overview",
    ),
    path(
        staff + "verantwoording/<int:pk>/berekenen/",
        settlement_views.SettlementComputeView.as_view(),
        name="settlement-compute",
    ),
    path(
        staff + "verantwoording/<int:pk>/teruggeven/",
        settlement_views.ProductionReportReopenView.as_view(),
        name="settlement-report-reopen",
    ),
    path(
        staff + "verantwoording/verrekening/<int:pk>/vaststellen/",
        settlement_views.SettlementApproveView.as_view(),
        name="settlement-approve",
    ),
    path(
        staff + "verantwoording/verrekening/<int:pk>/opgave.pdf",
        settlement_views.SettlementStatementView.as_view(),
        name="settlement-statement",
    ),
    path(
        staff + "verantwoording/contract/<int:pk>/afspraak/",
        settlement_views.ContractPolicyView.as_view(),
        name="settlement-policy",
    ),
    path(staff + "kpis/", kpi_views.KpiDefinitionsView.as_view(), name="kpi-definitions"),
    path(
        staff + "kpis/contract/<int:pk>/",
        kpi_views.KpiContractDashboardView.as_view(),
        name="kpi-contract-dashboard",
    ),
    path(
        staff + "kpis/segment/<str:code>/",
        kpi_views.KpiSegmentDashboardView.as_view(),
        name="kpi-segment-dashboard",
    ),
    path(staff + "ocds.json", ocds_views.OcdsDownloadView.as_view(), name="ocds-download"),
    path(
        "aanbesteding/<slug:slug>/ocds.json",
        ocds_views.PublicOcdsView.as_view(),
        name="public-tender-ocds",
    ),
    # provider portal
    path(
        "portaal/verantwoording/",
        settlement_views.PortalSettlementListView.as_view(),
        name="portal-settlement",
    ),
    path(
        "portaal/verantwoording/<int:pk>/<int:year>/",
        settlement_views.PortalProductionReportView.as_view(),
        name="portal-settlement-report",
    ),
    path(
        "portaal/verantwoording/<int:pk>/declaraties/",
        settlement_views.PortalDeclarationView.as_view(),
        name="portal-declarations",
    ),
    path(
        "portaal/verantwoording/verrekening/<int:pk>/opgave.pdf",
        settlement_views.PortalSettlementStatementView.as_view(),
        name="portal-settlement-statement",
    ),
    path("portaal/kpis/", kpi_views.PortalKpiListView.as_view(), name="portal-kpis"),
    path(
        "portaal/kpis/<int:pk>/",
        kpi_views.PortalKpiContractView.as_view(),
        name="portal-kpi-contract",
    ),
]

"""Contract screens: staff under the tender, providers in the portal."""

from django.urls import path

from . import start_views, views

STAFF = "aanbestedingen/<slug:slug>/contracten/"
PORTAL = "portaal/contracten/"

urlpatterns = [
    path("start/", start_views.StartView.as_view(), name="start"),
    path(STAFF, views.ContractListView.as_view(), name="contract-list"),
    path(f"{STAFF}aanmaken/", views.ContractCreateView.as_view(), name="contract-create"),
    path(
        f"{STAFF}betaalschema/", views.ScheduleStoreView.as_view(), name="contract-schedule-store"
    ),
    path(
        f"{STAFF}betaalschema/vastzetten/",
        views.ScheduleExportMarkView.as_view(),
        name="contract-schedule-mark-exported",
    ),
    path(
        f"{STAFF}termijnen.<str:kind>",
        views.FinanceExportView.as_view(),
        name="contract-finance-export",
    ),
    path(f"{STAFF}<str:number>/", views.ContractDetailView.as_view(), name="contract-detail"),
    path(
        f"{STAFF}<str:number>/besluit/",
        views.ContractDecisionView.as_view(),
        name="contract-decision",
    ),
    path(
        f"{STAFF}<str:number>/bedrag/<str:code>/",
        views.ContractTaskAmountView.as_view(),
        name="contract-task-amount",
    ),
    path(
        f"{STAFF}<str:number>/kpis-later/",
        views.ContractKpiDeferView.as_view(),
        name="contract-kpi-defer",
    ),
    path(f"{STAFF}<str:number>/pdf/", views.ContractPdfView.as_view(), name="contract-pdf"),
    path(PORTAL, views.PortalContractListView.as_view(), name="portal-contracts"),
    path(
        f"{PORTAL}<str:number>/", views.PortalContractDetailView.as_view(), name="portal-contract"
    ),
    path(
        f"{PORTAL}<str:number>/pdf/",
        views.PortalContractPdfView.as_view(),
        name="portal-contract-pdf",
    ),
]

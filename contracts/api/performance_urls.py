from django.urls import path

from . import performance_views as views

urlpatterns = [
    path("tenders/<slug:slug>/ocds/", views.OcdsPackageView.as_view(), name="tender-ocds"),
    path("tenders/<slug:slug>/kpis/", views.TenderKpisView.as_view(), name="tender-kpis"),
    path(
        "contracts/<int:pk>/production-reports/",
        views.ProductionReportsView.as_view(),
        name="contract-production-reports",
    ),
    path(
        "contracts/<int:pk>/kpi-reports/",
        views.KpiReportsView.as_view(),
        name="contract-kpi-reports",
    ),
    path(
        "contracts/<int:pk>/kpi-reports/submit/",
        views.KpiSubmitView.as_view(),
        name="contract-kpi-submit",
    ),
]

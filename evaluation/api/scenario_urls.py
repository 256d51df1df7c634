"""API routes of scenario import and export, under the set-up API's paths."""

from django.urls import path

from . import scenario_views as views

urlpatterns = [
    path("setup/import/", views.ScenarioImportView.as_view(), name="setup-import"),
    path(
        "setup/tenders/<slug:slug>/export/",
        views.ScenarioExportView.as_view(),
        name="setup-tender-export",
    ),
]

"""Import of a scenario file and export of a tender as one, under the set-up paths."""

from django.urls import path

from . import scenario_views as views

urlpatterns = [
    path("opzet/importeren/", views.ScenarioImportView.as_view(), name="setup-import"),
    path(
        "opzet/aanbesteding/<slug:slug>/export/",
        views.TenderExportView.as_view(),
        name="setup-export",
    ),
]

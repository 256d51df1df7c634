"""Tender set-up screens (create and edit tenders, lots, segments, ...); import and export
are in ``evaluation.scenario_urls``.

Under ``opzet/`` so that no tender slug can collide with a fixed path.
"""

from django.urls import path

from . import setup_views as views

T = "opzet/aanbesteding/<slug:slug>/"

urlpatterns = [
    path("opzet/nieuw/", views.TenderCreateView.as_view(), name="setup-tender-create"),
    path("opzet/regios/", views.RegionListView.as_view(), name="setup-regions"),
    path("opzet/regios/nieuw/", views.RegionFormView.as_view(), name="setup-region-create"),
    path(
        "opzet/regios/<slug:code>/wijzigen/",
        views.RegionFormView.as_view(),
        name="setup-region-edit",
    ),
    path(T, views.SetupOverviewView.as_view(), name="setup-overview"),
    path(T + "gegevens/", views.TenderEditView.as_view(), name="setup-tender-edit"),
    path(T + "percelen/nieuw/", views.LotFormView.as_view(), name="setup-lot-create"),
    path(T + "percelen/<int:pk>/", views.LotFormView.as_view(), name="setup-lot-edit"),
    path(
        T + "percelen/<int:pk>/verwijderen/",
        views.LotDeleteView.as_view(),
        name="setup-lot-delete",
    ),
    path(
        T + "percelen/<int:lot>/segmenten/nieuw/",
        views.SegmentCreateView.as_view(),
        name="setup-segment-create",
    ),
    path(T + "segmenten/<int:pk>/", views.SegmentView.as_view(), name="setup-segment"),
    path(
        T + "segmenten/<int:pk>/voorbehoud/",
        views.SegmentProvisionalView.as_view(),
        name="setup-segment-provisional",
    ),
    path(
        T + "segmenten/<int:pk>/besluit/",
        views.SegmentDecisionView.as_view(),
        name="setup-segment-decision",
    ),
    path(
        T + "segmenten/<int:pk>/verwijderen/",
        views.SegmentDeleteView.as_view(),
        name="setup-segment-delete",
    ),
    path(
        T + "segmenten/<int:segment>/criteria/nieuw/",
        views.CriterionCreateView.as_view(),
        name="setup-criterion-create",
    ),
    path(T + "criteria/<int:pk>/", views.CriterionEditView.as_view(), name="setup-criterion-edit"),
    path(
        T + "criteria/<int:pk>/verwijderen/",
        views.CriterionDeleteView.as_view(),
        name="setup-criterion-delete",
    ),
    path(
        T + "segmenten/<int:segment>/subsegmenten/nieuw/",
        views.SubSegmentCreateView.as_view(),
        name="setup-subsegment-create",
    ),
    path(
        T + "subsegmenten/<int:pk>/verwijderen/",
        views.SubSegmentDeleteView.as_view(),
        name="setup-subsegment-delete",
    ),
    path(T + "eisen/nieuw/", views.RequirementFormView.as_view(), name="setup-requirement-create"),
    path(T + "eisen/<int:pk>/", views.RequirementFormView.as_view(), name="setup-requirement-edit"),
    path(
        T + "eisen/<int:pk>/verwijderen/",
        views.RequirementDeleteView.as_view(),
        name="setup-requirement-delete",
    ),
]

"""Open House URLs: the staff admission screens under the tender and the provider's letter."""

from django.urls import path

from . import admission_views as views

prefix = "aanbestedingen/<slug:slug>/toelating/"
urlpatterns = [
    path(prefix, views.AdmissionView.as_view(), name="admission"),
    path(prefix + "batch/", views.BatchConfirmView.as_view(), name="admission-batch"),
    path(
        prefix + "aanmelding/<int:pk>/",
        views.ApplicationView.as_view(),
        name="admission-application",
    ),
    path(
        prefix + "aanmelding/<int:pk>/eis/<int:answer_pk>/",
        views.ApplicationReviewView.as_view(),
        name="admission-review",
    ),
    path(
        prefix + "aanmelding/<int:pk>/niveaus/",
        views.ApplicationLevelsView.as_view(),
        name="admission-levels",
    ),
    path(
        prefix + "aanmelding/<int:pk>/besluit/",
        views.ApplicationDecideView.as_view(),
        name="admission-decide",
    ),
    path(prefix + "brief/<int:pk>/", views.AdmissionLetterView.as_view(), name="admission-letter"),
    path(
        "portaal/toelating/brief/<int:pk>/",
        views.PortalAdmissionLetterView.as_view(),
        name="portal-admission-letter",
    ),
]

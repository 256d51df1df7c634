"""Award decision URLs: the staff page under the tender and the provider's letters."""

from django.urls import path

from . import award_views as views

prefix = "aanbestedingen/<slug:slug>/gunning/"
urlpatterns = [
    path(prefix, views.AwardDecisionView.as_view(), name="award-decision"),
    path(
        prefix + "brieven/<str:phase>/maken/",
        views.LettersGenerateView.as_view(),
        name="award-letters-generate",
    ),
    path(
        prefix + "brieven/<str:phase>/versturen/",
        views.DecisionSendView.as_view(),
        name="award-decision-send",
    ),
    path(
        prefix + "voortgang/<int:pk>/", views.LetterRunProgressView.as_view(), name="award-progress"
    ),
    path(
        prefix + "voortgang/<int:pk>/hervatten/",
        views.LettersResumeView.as_view(),
        name="award-letters-resume",
    ),
    path(prefix + "brief/<int:pk>/", views.LetterDownloadView.as_view(), name="award-letter"),
    path(
        prefix + "brief/<int:pk>/nieuwe-versie/",
        views.LetterNewVersionView.as_view(),
        name="award-letter-new-version",
    ),
    path(
        prefix + "brief/<int:pk>/versturen/",
        views.LetterSendView.as_view(),
        name="award-letter-send",
    ),
    path(
        prefix + "bezorging/<int:pk>/",
        views.DeliveryView.as_view(),
        name="award-delivery",
    ),
    path(prefix + "bezwaren/", views.ObjectionRegisterView.as_view(), name="award-objection"),
    path(
        prefix + "bezwaren/<int:pk>/afhandelen/",
        views.ObjectionResolveView.as_view(),
        name="award-objection-resolve",
    ),
    path(
        prefix + "uitnodigen/<str:code>/",
        views.InviteView.as_view(),
        name="award-invite",
    ),
    path(prefix + "definitief/", views.AwardFinaliseView.as_view(), name="award-finalise"),
    path("portaal/brieven/", views.PortalLettersView.as_view(), name="portal-letters"),
    path(
        "portaal/brieven/<int:pk>/",
        views.PortalLetterDownloadView.as_view(),
        name="portal-letter",
    ),
]

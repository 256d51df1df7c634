from django.urls import path

from . import award_views as views

prefix = "tenders/<slug:slug>/award/"
urlpatterns = [
    path(prefix, views.DecisionView.as_view(), name="award-decision"),
    path(
        prefix + "letters/<str:phase>/generate/",
        views.LettersGenerateView.as_view(),
        name="award-letters-generate",
    ),
    path(prefix + "send/<str:phase>/", views.DecisionSendView.as_view(), name="award-send"),
    path(prefix + "objections/", views.ObjectionsView.as_view(), name="award-objections"),
    path(
        prefix + "objections/<int:pk>/resolve/",
        views.ObjectionResolveView.as_view(),
        name="award-objection-resolve",
    ),
    path(prefix + "finalise/", views.FinaliseView.as_view(), name="award-finalise"),
    path("award-letters/", views.LetterListView.as_view(), name="award-letter-list"),
    path("award-letters/<int:pk>/", views.LetterDetailView.as_view(), name="award-letter-detail"),
    path("award-letters/<int:pk>/pdf/", views.LetterPdfView.as_view(), name="award-letter-pdf"),
]

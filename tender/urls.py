from django.urls import path

from . import views

urlpatterns = [
    path("", views.TenderListView.as_view(), name="home"),
    path("aanbestedingen/<slug:slug>/", views.TenderDetailView.as_view(), name="tender-detail"),
    path(
        "aanbestedingen/<slug:slug>/actie/<str:name>/",
        views.TenderTransitionView.as_view(),
        name="tender-transition",
    ),
    path(
        "aanbestedingen/<slug:slug>/sluitingstermijn-inschrijvingen/",
        views.TenderOffersDeadlineView.as_view(),
        name="tender-offers-deadline",
    ),
    path(
        "aanbestedingen/<slug:slug>/documenten/<int:pk>/",
        views.TenderDocumentView.as_view(),
        name="tender-document",
    ),
]

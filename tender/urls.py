from django.urls import path

from . import views

urlpatterns = [
    path("", views.TenderListView.as_view(), name="home"),
    path("aanbestedingen/<slug:slug>/", views.TenderDetailView.as_view(), name="tender-detail"),
]

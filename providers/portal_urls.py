"""Provider portal URLs (``/portaal/``). Each feature adds its paths here."""

from django.urls import path

from . import portal_views

urlpatterns = [
    path("portaal/", portal_views.PortalHomeView.as_view(), name="portal-home"),
]

"""Provider portal URLs (``/portaal/``). Each feature adds its paths here."""

from django.urls import path

from . import api_token_views, portal_views
from . import organisation_views as org

tender = "portaal/aanbestedingen/<slug:slug>/"

urlpatterns = [
    path("portaal/", portal_views.PortalHomeView.as_view(), name="portal-home"),
    path("portaal/registreren/", org.RegisterView.as_view(), name="portal-register"),
    path("portaal/organisatie/", org.OrganisationView.as_view(), name="portal-organisation"),
    path("portaal/beveiliging/", portal_views.PortalSecurityView.as_view(), name="portal-security"),
    path(
        "portaal/e-mail-bevestigen/<str:token>/",
        portal_views.EmailVerifyView.as_view(),
        name="portal-email-verify",
    ),
    path("portaal/api-tokens/", api_token_views.ApiTokensView.as_view(), name="portal-api-tokens"),
    path(
        "portaal/uitnodiging/<str:token>/",
        org.InvitationAcceptView.as_view(),
        name="portal-invitation",
    ),
    path(tender, org.PortalTenderView.as_view(), name="portal-tender"),
    path(tender + "combinatie/", org.CombinationView.as_view(), name="portal-combination"),
    path(tender + "uea/", org.UEAView.as_view(), name="portal-uea"),
    path(tender + "uea/pdf/", org.UEAPdfView.as_view(), name="portal-uea-pdf"),
    path(
        "aanbestedingen/<slug:slug>/uea/<int:organisation_id>/pdf/",
        org.StaffUEAPdfView.as_view(),
        name="staff-uea-pdf",
    ),
]

"""API routes of the provider portal (``/api/v1/portal/``)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("portal/members", views.MemberViewSet, basename="portal-member")
router.register("portal/invitations", views.InvitationViewSet, basename="portal-invitation")
router.register("portal/combinations", views.CombinationViewSet, basename="portal-combination")
router.register(
    "portal/combination-members",
    views.CombinationMemberViewSet,
    basename="portal-combination-member",
)

urlpatterns = [
    path("portal/register/", views.RegistrationView.as_view(), name="portal-register"),
    path(
        "portal/invitations/accept/",
        views.InvitationAcceptView.as_view(),
        name="portal-invitation-accept",
    ),
    path("portal/organisation/", views.OwnOrganisationView.as_view(), name="portal-organisation"),
    path("portal/tenders/<slug:slug>/", views.PortalTenderView.as_view(), name="portal-tender"),
    path("portal/tenders/<slug:slug>/uea/", views.UEAView.as_view(), name="portal-uea"),
    path(
        "portal/tenders/<slug:slug>/uea/sign/",
        views.UEASignView.as_view(),
        name="portal-uea-sign",
    ),
    path("portal/tenders/<slug:slug>/uea/pdf/", views.UEAPdfView.as_view(), name="portal-uea-pdf"),
    *router.urls,
]

"""The provider portal (``/portaal/``): the home page every portal screen hangs under.

Every portal view answers only for a provider user linked to an organisation
(``PortalMixin``); what it shows is always scoped to that organisation.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts.permissions import is_provider, provider_membership
from accounts.services import totp_device_confirmed
from audit.services import client_address_of
from tender.errors import service_action

from .permissions import can_manage_organisation
from .selectors import organisation_of, portal_tenders
from .services.organisations import organisation_two_factor_set
from .services.verification import email_verification_resend, email_verify


class PortalMixin(LoginRequiredMixin):
    """Login required; a provider user only. Sets ``self.organisation`` (may be None for a
    provider user who has not registered an organisation yet)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_provider(request.user):
            raise PermissionDenied
        self.organisation = organisation_of(request.user)
        return super().dispatch(request, *args, **kwargs)


class PortalHomeView(PortalMixin, View):
    """The provider's start page: its organisation and the tenders it can take part in."""

    def get(self, request):
        return render(
            request,
            "portal/home.html",
            {"organisation": self.organisation, "tenders": portal_tenders()},
        )


class PortalSecurityView(PortalMixin, View):
    """The user's own security (``/portaal/beveiliging/``): the e-mail verification (a new
    link on request), the optional authenticator app, and for an organisation admin the switch
    that makes the second factor required for every user of the organisation."""

    def get(self, request, status=200):
        membership = provider_membership(request.user)
        return render(
            request,
            "portal/security.html",
            {
                "organisation": self.organisation,
                "membership": membership,
                "has_device": totp_device_confirmed(user=request.user) is not None,
                "is_admin": self.organisation is not None
                and can_manage_organisation(request.user, self.organisation.pk),
            },
            status=status,
        )

    def post(self, request):
        action = request.POST.get("action")
        with service_action(request) as outcome:
            if action == "resend":
                email_verification_resend(
                    user=request.user,
                    base_url=request.build_absolute_uri("/"),
                    client_address=client_address_of(request),
                )
                messages.success(request, _("We hebben een nieuwe bevestigingslink gemaild."))
            elif action == "two_factor" and self.organisation is not None:
                required = request.POST.get("required") == "1"
                organisation_two_factor_set(
                    organisation=self.organisation,
                    user=request.user,
                    required=required,
                    client_address=client_address_of(request),
                )
                messages.success(
                    request,
                    _("Een tweede factor is nu verplicht voor alle gebruikers.")
                    if required
                    else _("Een tweede factor is nu vrijwillig."),
                )
            else:
                return self.get(request, status=400)
        if outcome.refused:
            return self.get(request, status=400)
        return redirect("portal-security")


class EmailVerifyView(View):
    """The link in the verification mail; the signed token is the capability (no sign-in
    needed). A valid link marks the address verified; a bad or expired one says so."""

    def get(self, request, token):
        with service_action() as outcome:
            email_verify(token=token, client_address=client_address_of(request))
        if outcome.refused:
            return render(
                request, "portal/email_verify.html", {"error": outcome.error.message}, status=400
            )
        messages.success(request, _("Uw e-mailadres is bevestigd. U kunt nu indienen."))
        return redirect("portal-home")

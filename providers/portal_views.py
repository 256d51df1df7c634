"""The provider portal (``/portaal/``): the home page every portal screen hangs under.

Every portal view answers only for a provider user linked to an organisation
(``PortalMixin``); what it shows is always scoped to that organisation.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views import View

from accounts.permissions import is_provider

from .selectors import organisation_of, portal_tenders


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

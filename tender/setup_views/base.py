"""Shared pieces of the set-up screens: access checks, crumbs, the form-submit helper."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import is_staff_member
from audit.services import client_address_of

from ..errors import attempt
from ..mixins import TenderScopedMixin
from ..permissions import can_create_tender, setup_refusal
from ..selectors import tenders_visible_to

MAX_ISSUES_SHOWN = 50


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def refused(request, reason: str, tender=None):
    """403 page with the reason, for staff that may see the tender but not do this."""
    return render(
        request, "tender/setup/refused.html", {"reason": reason, "tender": tender}, status=403
    )


def home_crumb():
    return (_("Aanbestedingen"), reverse("home"))


def setup_crumbs(tender, *rest):
    return [
        home_crumb(),
        (tender.title, reverse("tender-detail", args=[tender.slug])),
        (_("Opzet"), reverse("setup-overview", args=[tender.slug])),
        *rest,
    ]


class SetupAccessMixin(TenderScopedMixin):
    """Resolves ``self.tender``: 404 for anyone who may not see it, 403 with the reason when
    its set-up may not be changed by this user (role, state, submissions)."""

    def tender_queryset(self):
        return tenders_visible_to(self.request.user).select_related("region")

    def check_tender(self):
        reason = setup_refusal(self.request.user, self.tender)
        return refused(self.request, reason, self.tender) if reason else None

    def client_address(self):
        return client_address_of(self.request)

    def form_page(self, form, *, title, crumbs, submit, status=200, intro="", delete_url=None):
        return render(
            self.request,
            "tender/setup/form_page.html",
            {
                "tender": self.tender,
                "form": form,
                "page_title": title,
                "crumbs": crumbs,
                "submit_label": submit,
                "intro": intro,
                "cancel_url": reverse("setup-overview", args=[self.tender.slug]),
                "delete_url": delete_url,
            },
            status=status,
        )


class CreatorRequiredMixin(LoginRequiredMixin):
    """Creating and importing tenders: 404 for non-staff, 403 for staff that are no inkoper."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not can_create_tender(request.user):
            if not is_staff_member(request.user):
                raise Http404
            return refused(request, _("Alleen een inkoper mag aanbestedingen aanmaken."))
        return super().dispatch(request, *args, **kwargs)


def submit(form, service, **kwargs):
    """Call ``service`` with the form's data when the form is valid; the result or None."""
    if not form.is_valid():
        return None
    return attempt(form, lambda: service(**form.cleaned_data, **kwargs))

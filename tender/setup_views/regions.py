"""Set-up screens for regions and their municipalities: list, create, edit (inkoper only)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.permissions import is_staff_member
from audit.services import client_address_of

from ..forms import RegionForm
from ..models import Region
from ..permissions import can_manage_regions
from ..services import setup
from .base import home_crumb, refused, submit


def regions_crumb():
    return (_("Regio's"), reverse("setup-regions"))


class RegionManagerMixin(LoginRequiredMixin):
    """404 for non-staff, 403 with the reason for staff that are no inkoper."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not can_manage_regions(request.user):
            if not is_staff_member(request.user):
                raise Http404
            return refused(request, _("Alleen een inkoper mag regio's beheren."))
        return super().dispatch(request, *args, **kwargs)


class RegionListView(RegionManagerMixin, View):
    def get(self, request):
        regions = (
            Region.objects.annotate(tender_count=Count("tenders", distinct=True))
            .prefetch_related("municipalities")
            .order_by("name")
        )
        return render(
            request,
            "tender/setup/region_list.html",
            {"regions": regions, "crumbs": [home_crumb(), (_("Regio's"), None)]},
        )


class RegionFormView(RegionManagerMixin, View):
    """Create (no ``code``) or edit a region."""

    def region(self, code):
        return None if code is None else get_object_or_404(Region, code=code)

    def page(self, form, region, status=200):
        title = (
            _("Regio %(name)s wijzigen") % {"name": region.name} if region else _("Nieuwe regio")
        )
        return render(
            self.request,
            "tender/setup/form_page.html",
            {
                "form": form,
                "page_title": title,
                "crumbs": [home_crumb(), regions_crumb(), (title, None)],
                "submit_label": _("Opslaan") if region else _("Regio aanmaken"),
                "intro": _(
                    "Een regio is een samenwerkingsverband van gemeenten die samen inkopen. "
                    "Percelen van een aanbesteding kiezen hun gemeenten uit de regio."
                ),
                "cancel_url": reverse("setup-regions"),
            },
            status=status,
        )

    def get(self, request, code=None):
        region = self.region(code)
        return self.page(RegionForm(region=region), region)

    def post(self, request, code=None):
        region = self.region(code)
        form = RegionForm(request.POST, region=region)
        kwargs = {"user": request.user, "client_address": client_address_of(request)}
        if region is None:
            saved = submit(form, setup.region_create, **kwargs)
        else:
            saved = submit(form, setup.region_update, region=region, **kwargs)
        if saved is None:
            return self.page(form, region, status=400)
        messages.success(request, _("Regio '%(name)s' is opgeslagen.") % {"name": saved.name})
        return redirect("setup-regions")

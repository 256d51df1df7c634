"""Set-up screens for the tender itself, its lots and its requirements."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from audit.services import client_address_of

from ..forms import (
    LotForm,
    RequirementForm,
    TenderForm,
)
from ..models import Lot, Requirement
from ..services import setup
from ..setup_selectors import (
    setup_lots,
    setup_requirements,
)
from .base import (
    CreatorRequiredMixin,
    SetupAccessMixin,
    home_crumb,
    setup_crumbs,
    submit,
)

# -- tender -------------------------------------------------------------------------------


class TenderCreateView(CreatorRequiredMixin, View):
    def page(self, form, status=200):
        return render(
            self.request,
            "tender/setup/form_page.html",
            {
                "form": form,
                "page_title": _("Nieuwe aanbesteding"),
                "crumbs": [home_crumb(), (_("Nieuwe aanbesteding"), None)],
                "submit_label": _("Aanbesteding aanmaken"),
                "intro": _(
                    "Begin met de gegevens van de aanbesteding; daarna voegt u percelen, "
                    "segmenten, minimumeisen en criteria toe."
                ),
                "cancel_url": reverse("home"),
            },
            status=status,
        )

    def get(self, request):
        return self.page(TenderForm())

    def post(self, request):
        form = TenderForm(request.POST)
        tender = submit(
            form,
            setup.tender_create,
            user=request.user,
            client_address=client_address_of(request),
        )
        if tender is None:
            return self.page(form, status=400)
        messages.success(
            request, _("Aanbesteding '%(title)s' is aangemaakt.") % {"title": tender.title}
        )
        return redirect("setup-overview", slug=tender.slug)


class SetupOverviewView(SetupAccessMixin, View):
    def get(self, request, slug):
        return render(
            request,
            "tender/setup/overview.html",
            {
                "tender": self.tender,
                "lots": setup_lots(tender=self.tender),
                "requirements": setup_requirements(tender=self.tender),
                "crumbs": setup_crumbs(self.tender)[:-1] + [(_("Opzet"), None)],
            },
        )


class TenderEditView(SetupAccessMixin, View):
    def page(self, form, status=200):
        return self.form_page(
            form,
            title=_("Gegevens wijzigen"),
            crumbs=setup_crumbs(self.tender, (_("Gegevens wijzigen"), None)),
            submit=_("Opslaan"),
            status=status,
        )

    def get(self, request, slug):
        return self.page(TenderForm(tender=self.tender))

    def post(self, request, slug):
        form = TenderForm(request.POST, tender=self.tender)
        if submit(
            form,
            setup.tender_update,
            tender=self.tender,
            user=request.user,
            client_address=self.client_address(),
        ):
            messages.success(request, _("De gegevens zijn opgeslagen."))
            return redirect("setup-overview", slug=slug)
        return self.page(form, status=400)


# -- lots ---------------------------------------------------------------------------------


class LotFormView(SetupAccessMixin, View):
    """Create (no ``pk``) or edit a lot."""

    def lot(self, pk):
        if pk is None:
            return None
        return get_object_or_404(
            Lot.objects.prefetch_related("municipalities"), tender=self.tender, pk=pk
        )

    def page(self, form, lot, status=200):
        title = _("Perceel %(code)s wijzigen") % {"code": lot.code} if lot else _("Nieuw perceel")
        return self.form_page(
            form,
            title=title,
            crumbs=setup_crumbs(self.tender, (title, None)),
            submit=_("Opslaan") if lot else _("Perceel toevoegen"),
            status=status,
            delete_url=reverse("setup-lot-delete", args=[self.tender.slug, lot.pk])
            if lot
            else None,
        )

    def get(self, request, slug, pk=None):
        lot = self.lot(pk)
        return self.page(LotForm(tender=self.tender, lot=lot), lot)

    def post(self, request, slug, pk=None):
        lot = self.lot(pk)
        form = LotForm(request.POST, tender=self.tender, lot=lot)
        if lot is None:
            saved = submit(
                form,
                setup.lot_create,
                tender=self.tender,
                user=request.user,
                client_address=self.client_address(),
            )
        else:
            saved = submit(
                form,
                setup.lot_update,
                lot=lot,
                user=request.user,
                client_address=self.client_address(),
            )
        if saved is None:
            return self.page(form, lot, status=400)
        messages.success(request, _("Perceel %(code)s is opgeslagen.") % {"code": saved.code})
        return redirect("setup-overview", slug=slug)


# -- requirements -------------------------------------------------------------------------


class RequirementFormView(SetupAccessMixin, View):
    """Create (no ``pk``; ``?segment=<pk>`` preselects a segment) or edit a requirement."""

    def requirement(self, pk):
        if pk is None:
            return None
        return get_object_or_404(Requirement, tender=self.tender, pk=pk)

    def page(self, form, requirement, status=200):
        title = (
            _("Minimumeis %(code)s wijzigen") % {"code": requirement.code}
            if requirement
            else _("Nieuwe minimumeis")
        )
        return self.form_page(
            form,
            title=title,
            crumbs=setup_crumbs(self.tender, (title, None)),
            submit=_("Opslaan") if requirement else _("Minimumeis toevoegen"),
            status=status,
            delete_url=(
                reverse("setup-requirement-delete", args=[self.tender.slug, requirement.pk])
                if requirement
                else None
            ),
        )

    def get(self, request, slug, pk=None):
        requirement = self.requirement(pk)
        if requirement is not None:
            form = RequirementForm(tender=self.tender, requirement=requirement)
        else:
            segment = request.GET.get("segment", "")
            initial = {"segment": int(segment)} if segment.isdigit() else {}
            form = RequirementForm(tender=self.tender, initial=initial)
        return self.page(form, requirement)

    def post(self, request, slug, pk=None):
        requirement = self.requirement(pk)
        form = RequirementForm(request.POST, tender=self.tender, requirement=requirement)
        if requirement is None:
            saved = submit(
                form,
                setup.requirement_create,
                tender=self.tender,
                user=request.user,
                client_address=self.client_address(),
            )
        else:
            saved = submit(
                form,
                setup.requirement_update,
                requirement=requirement,
                user=request.user,
                client_address=self.client_address(),
            )
        if saved is None:
            return self.page(form, requirement, status=400)
        messages.success(request, _("Minimumeis %(code)s is opgeslagen.") % {"code": saved.code})
        if saved.segment_id:
            return redirect("setup-segment", slug=slug, pk=saved.segment_id)
        return redirect("setup-overview", slug=slug)

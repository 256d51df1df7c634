"""Import of a scenario file and export of a tender as one (``opzet/importeren/`` and
``opzet/aanbesteding/<slug>/export/``, part of the set-up screens).

Here, next to the scenario services, because a scenario file spans the apps up to the
evaluation (bidders, scores), like the ``load_scenario`` command.
"""

import json

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from audit.services import client_address_of
from tender.errors import service_action
from tender.forms import ScenarioImportForm
from tender.permissions import can_edit_tender, can_export_tender
from tender.scenario import ScenarioError, validate_scenario
from tender.selectors import tenders_visible_to
from tender.setup_views.base import (
    MAX_ISSUES_SHOWN,
    CreatorRequiredMixin,
    home_crumb,
    refused,
)

from .services.scenario_export import scenario_export
from .services.scenario_import import MAX_SCENARIO_BYTES, scenario_import

# -- import and export --------------------------------------------------------------------


class ScenarioImportView(CreatorRequiredMixin, View):
    def page(self, form, issues=(), status=200):
        issues = list(issues)
        return render(
            self.request,
            "tender/setup/import.html",
            {
                "form": form,
                "issues": issues[:MAX_ISSUES_SHOWN],
                "issues_left": max(0, len(issues) - MAX_ISSUES_SHOWN),
                "crumbs": [home_crumb(), (_("Scenario importeren"), None)],
            },
            status=status,
        )

    def get(self, request):
        return self.page(ScenarioImportForm())

    def post(self, request):
        form = ScenarioImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(form, status=400)
        upload = form.cleaned_data["file"]
        if upload.size > MAX_SCENARIO_BYTES:
            form.add_error(
                "file",
                _("Het bestand is groter dan %(mb)s MB.") % {"mb": MAX_SCENARIO_BYTES // 2**20},
            )
            return self.page(form, status=400)
        with service_action(request, form=form) as outcome:
            try:
                tender = scenario_import(
                    raw=upload.read(),
                    replace=form.cleaned_data["replace"],
                    user=request.user,
                    client_address=client_address_of(request),
                )
            except ScenarioError as exc:  # every issue is listed below the form
                form.add_error(
                    "file",
                    _("Het scenario is niet geladen: het bestand bevat fouten (zie hieronder)."),
                )
                return self.page(form, issues=exc.issues, status=400)
        if outcome.refused:
            return self.page(form, status=400)
        messages.success(
            request,
            _(
                "Scenario geladen: %(title)s (%(segments)s segmenten, "
                "%(submissions)s inschrijvingen)."
            )
            % {
                "title": tender.title,
                "segments": tender.segments.count(),
                "submissions": tender.submissions.count(),
            },
        )
        return redirect("tender-detail", slug=tender.slug)


class TenderExportView(LoginRequiredMixin, View):
    """Download ``<slug>.json``; an incomplete set-up is refused with what is missing."""

    def get(self, request, slug):
        tender = get_object_or_404(tenders_visible_to(request.user), slug=slug)
        if not can_export_tender(request.user, tender):
            return refused(
                request, _("Alleen een inkoper mag een aanbesteding exporteren."), tender
            )
        data = scenario_export(
            tender=tender, actor=request.user, client_address=client_address_of(request)
        )
        issues = validate_scenario(data)
        if issues:
            messages.error(
                request,
                _(
                    "De aanbesteding is nog niet volledig en kan zo niet worden "
                    "geëxporteerd: %(issue)s"
                )
                % {"issue": issues[0]},
            )
            if can_edit_tender(request.user, tender):
                return redirect("setup-overview", slug=slug)
            return redirect("tender-detail", slug=slug)
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False) + "\n",
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{tender.slug}.json"'
        return response

"""The segment page with its criteria and subsegments (htmx sections), and criterion edits."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from ..forms import (
    CriterionForm,
    DecisionRecordForm,
    SegmentForm,
    SegmentProvisionalForm,
    SubSegmentForm,
)
from ..models import Criterion, Lot, Segment
from ..services import setup
from ..services.decisions import decision_record, segment_provisional_set
from ..setup_selectors import (
    segment_criteria,
    segment_requirements,
    segment_subsegments,
)
from .base import (
    SetupAccessMixin,
    is_htmx,
    setup_crumbs,
    submit,
)

# -- segments -----------------------------------------------------------------------------


class SegmentCreateView(SetupAccessMixin, View):
    def page(self, form, status=200):
        title = _("Nieuw inkoopsegment")
        return self.form_page(
            form,
            title=title,
            crumbs=setup_crumbs(self.tender, (title, None)),
            submit=_("Segment toevoegen"),
            status=status,
            intro=_("Na het toevoegen voegt u op de pagina van het segment de criteria toe."),
        )

    def get(self, request, slug, lot):
        lot = get_object_or_404(Lot, tender=self.tender, pk=lot)
        return self.page(SegmentForm(tender=self.tender, initial={"lot": lot.pk}))

    def post(self, request, slug, lot):
        form = SegmentForm(request.POST, tender=self.tender)
        segment = submit(
            form,
            setup.segment_create,
            user=request.user,
            client_address=self.client_address(),
        )
        if segment is None:
            return self.page(form, status=400)
        messages.success(
            request,
            _("Segment %(code)s is toegevoegd; voeg nu de criteria toe.") % {"code": segment.code},
        )
        return redirect("setup-segment", slug=slug, pk=segment.pk)


class SegmentSectionMixin(SetupAccessMixin):
    """The segment page and its sections (criteria, subsegments), full or as htmx partial."""

    def get_segment(self, pk):
        return get_object_or_404(Segment.objects.select_related("lot"), tender=self.tender, pk=pk)

    def segment_context(self, segment, **forms):
        return {
            "tender": self.tender,
            "segment": segment,
            "form": forms.get("form") or SegmentForm(tender=self.tender, segment=segment),
            "criterion_form": forms.get("criterion_form") or CriterionForm(segment=segment),
            "subsegment_form": forms.get("subsegment_form") or SubSegmentForm(segment=segment),
            "criteria": segment_criteria(segment=segment),
            "subsegments": segment_subsegments(segment=segment),
            "segment_requirements": segment_requirements(segment=segment),
            "provisional_form": forms.get("provisional_form") or SegmentProvisionalForm(),
            "decision_form": forms.get("decision_form") or DecisionRecordForm(tender=self.tender),
            "segment_decisions": segment.decisions.select_related("document").order_by(
                "decided_on", "pk"
            ),
            "crumbs": setup_crumbs(
                self.tender, (_("Segment %(code)s") % {"code": segment.code}, None)
            ),
            "status_message": forms.get("status_message", ""),
            "partial": forms.get("partial", False),
        }

    def segment_page(self, segment, status=200, **forms):
        return render(
            self.request,
            "tender/setup/segment.html",
            self.segment_context(segment, **forms),
            status=status,
        )

    def section(self, segment, template, **forms):
        """After a change in a section: the section itself for htmx, else back to the page."""
        if is_htmx(self.request):
            return render(
                self.request, template, self.segment_context(segment, partial=True, **forms)
            )
        if forms.get("status_message"):
            messages.success(self.request, forms["status_message"])
        return redirect("setup-segment", slug=self.tender.slug, pk=segment.pk)

    def section_invalid(self, segment, template, **forms):
        # htmx swaps only 2xx responses: the section with its errors comes back as 200.
        if is_htmx(self.request):
            return render(
                self.request, template, self.segment_context(segment, partial=True, **forms)
            )
        return self.segment_page(segment, status=400, **forms)


class SegmentView(SegmentSectionMixin, View):
    def get(self, request, slug, pk):
        return self.segment_page(self.get_segment(pk))

    def post(self, request, slug, pk):
        segment = self.get_segment(pk)
        form = SegmentForm(request.POST, tender=self.tender, segment=segment)
        if submit(
            form,
            setup.segment_update,
            segment=segment,
            user=request.user,
            client_address=self.client_address(),
        ):
            messages.success(
                request, _("Segment %(code)s is opgeslagen.") % {"code": form.cleaned_data["code"]}
            )
            return redirect("setup-segment", slug=slug, pk=pk)
        return self.segment_page(segment, status=400, form=form)


class CriterionCreateView(SegmentSectionMixin, View):
    template = "tender/setup/_criteria.html"

    def get(self, request, slug, segment):
        return redirect("setup-segment", slug=slug, pk=segment)

    def post(self, request, slug, segment):
        segment = self.get_segment(segment)
        form = CriterionForm(request.POST, segment=segment)
        criterion = submit(
            form,
            setup.criterion_create,
            segment=segment,
            user=request.user,
            client_address=self.client_address(),
        )
        if criterion is None:
            return self.section_invalid(segment, self.template, criterion_form=form)
        return self.section(
            segment,
            self.template,
            status_message=_("Criterium %(code)s is toegevoegd.") % {"code": criterion.code},
        )


class SubSegmentCreateView(SegmentSectionMixin, View):
    template = "tender/setup/_subsegments.html"

    def get(self, request, slug, segment):
        return redirect("setup-segment", slug=slug, pk=segment)

    def post(self, request, slug, segment):
        segment = self.get_segment(segment)
        form = SubSegmentForm(request.POST, segment=segment)
        subsegment = submit(
            form,
            setup.subsegment_create,
            segment=segment,
            user=request.user,
            client_address=self.client_address(),
        )
        if subsegment is None:
            return self.section_invalid(segment, self.template, subsegment_form=form)
        return self.section(
            segment,
            self.template,
            status_message=_("Subsegment %(code)s is toegevoegd.") % {"code": subsegment.code},
        )


class CriterionEditView(SetupAccessMixin, View):
    def criterion(self, pk):
        return get_object_or_404(
            Criterion.objects.select_related("segment"), segment__tender=self.tender, pk=pk
        )

    def page(self, form, criterion, status=200):
        segment = criterion.segment
        title = _("Criterium %(code)s wijzigen") % {"code": criterion.code}
        return self.form_page(
            form,
            title=title,
            crumbs=setup_crumbs(
                self.tender,
                (
                    _("Segment %(code)s") % {"code": segment.code},
                    reverse("setup-segment", args=[self.tender.slug, segment.pk]),
                ),
                (title, None),
            ),
            submit=_("Opslaan"),
            status=status,
            delete_url=reverse("setup-criterion-delete", args=[self.tender.slug, criterion.pk]),
        )

    def get(self, request, slug, pk):
        criterion = self.criterion(pk)
        return self.page(CriterionForm(segment=criterion.segment, criterion=criterion), criterion)

    def post(self, request, slug, pk):
        criterion = self.criterion(pk)
        form = CriterionForm(request.POST, segment=criterion.segment, criterion=criterion)
        if submit(
            form,
            setup.criterion_update,
            criterion=criterion,
            user=request.user,
            client_address=self.client_address(),
        ):
            messages.success(
                request,
                _("Criterium %(code)s is opgeslagen.") % {"code": form.cleaned_data["code"]},
            )
            return redirect("setup-segment", slug=slug, pk=criterion.segment_id)
        return self.page(form, criterion, status=400)


class SegmentProvisionalView(SegmentSectionMixin, View):
    """POST: mark the segment provisional ("onder voorbehoud van besluitvorming")."""

    def get(self, request, slug, pk):
        return redirect("setup-segment", slug=slug, pk=pk)

    def post(self, request, slug, pk):
        segment = self.get_segment(pk)
        form = SegmentProvisionalForm(request.POST)
        if submit(
            form,
            segment_provisional_set,
            segment=segment,
            user=request.user,
            client_address=self.client_address(),
        ):
            messages.success(
                request, _("Segment %(code)s staat nu onder voorbehoud.") % {"code": segment.code}
            )
            return redirect("setup-segment", slug=slug, pk=pk)
        return self.segment_page(segment, status=400, provisional_form=form)


class SegmentDecisionView(SegmentSectionMixin, View):
    """POST: record the decision that makes the provisional segment definitive."""

    def get(self, request, slug, pk):
        return redirect("setup-segment", slug=slug, pk=pk)

    def post(self, request, slug, pk):
        segment = self.get_segment(pk)
        form = DecisionRecordForm(request.POST, tender=self.tender)
        if submit(
            form,
            decision_record,
            segment=segment,
            user=request.user,
            client_address=self.client_address(),
        ):
            messages.success(
                request,
                _("Het besluit is vastgelegd; segment %(code)s is definitief.")
                % {"code": segment.code},
            )
            return redirect("setup-segment", slug=slug, pk=pk)
        return self.segment_page(segment, status=400, decision_form=form)

"""Deleting set-up entities: GET asks for confirmation, POST with ``confirm=1`` deletes
(accounts.confirmation); a POST without it shows the confirmation page."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.confirmation import confirmed

from ..errors import service_action
from ..models import Criterion, Lot, Requirement, Segment, SubSegment
from ..services import setup
from .base import (
    setup_crumbs,
)
from .segments import SegmentSectionMixin

# -- deleting -----------------------------------------------------------------------------


class SetupDeleteView(SegmentSectionMixin, View):
    """GET asks for confirmation, POST deletes. Criteria and subsegments are deleted straight
    from their row on the segment page (htmx swaps the section)."""

    model = None
    service = None
    kind = ""  # noun for the messages
    section_template = None

    def get_object(self, pk):
        raise NotImplementedError

    def back_url(self, obj):
        return reverse("setup-overview", args=[self.tender.slug])

    def get(self, request, slug, pk):
        obj = self.get_object(pk)
        title = _("%(kind)s %(code)s verwijderen") % {"kind": self.kind, "code": obj.code}
        return render(
            request,
            "tender/setup/confirm_delete.html",
            {
                "tender": self.tender,
                "object": obj,
                "page_title": title,
                "crumbs": setup_crumbs(self.tender, (title, None)),
                "cancel_url": self.back_url(obj),
                "consequence": self.consequence(obj),
            },
        )

    def consequence(self, obj):
        return ""

    def post(self, request, slug, pk):
        if not confirmed(request):  # the row's button without script: ask first
            return self.get(request, slug, pk)
        obj = self.get_object(pk)
        back = self.back_url(obj)
        segment = getattr(obj, "segment", None)
        code = obj.code
        with service_action(request) as outcome:
            type(self).service(
                **{self.model._meta.model_name: obj},
                user=request.user,
                client_address=self.client_address(),
            )
        if outcome.refused:
            return redirect(back)
        message = _("%(kind)s %(code)s is verwijderd.") % {"kind": self.kind, "code": code}
        if self.section_template and segment is not None:
            return self.section(segment, self.section_template, status_message=message)
        messages.success(request, message)
        return redirect(back)


class LotDeleteView(SetupDeleteView):
    model = Lot
    service = setup.lot_delete

    @property
    def kind(self):
        return _("Perceel")

    def get_object(self, pk):
        return get_object_or_404(Lot, tender=self.tender, pk=pk)

    def consequence(self, obj):
        return _(
            "De segmenten van dit perceel, met hun criteria, subsegmenten en minimumeisen, "
            "worden ook verwijderd."
        )


class SegmentDeleteView(SetupDeleteView):
    model = Segment
    service = setup.segment_delete

    @property
    def kind(self):
        return _("Segment")

    def get_object(self, pk):
        return self.get_segment(pk)

    def consequence(self, obj):
        return _("De criteria, subsegmenten en minimumeisen van dit segment worden ook verwijderd.")


class RequirementDeleteView(SetupDeleteView):
    model = Requirement
    service = setup.requirement_delete

    @property
    def kind(self):
        return _("Minimumeis")

    def get_object(self, pk):
        return get_object_or_404(
            Requirement.objects.select_related("segment"), tender=self.tender, pk=pk
        )

    def back_url(self, obj):
        if obj.segment_id:
            return reverse("setup-segment", args=[self.tender.slug, obj.segment_id])
        return super().back_url(obj)


class CriterionDeleteView(SetupDeleteView):
    model = Criterion
    service = setup.criterion_delete
    section_template = "tender/setup/_criteria.html"

    @property
    def kind(self):
        return _("Criterium")

    def get_object(self, pk):
        return get_object_or_404(
            Criterion.objects.select_related("segment"), segment__tender=self.tender, pk=pk
        )

    def back_url(self, obj):
        return reverse("setup-segment", args=[self.tender.slug, obj.segment_id])


class SubSegmentDeleteView(SetupDeleteView):
    model = SubSegment
    service = setup.subsegment_delete
    section_template = "tender/setup/_subsegments.html"

    @property
    def kind(self):
        return _("Subsegment")

    def get_object(self, pk):
        return get_object_or_404(
            SubSegment.objects.select_related("segment"), segment__tender=self.tender, pk=pk
        )

    def back_url(self, obj):
        return reverse("setup-segment", args=[self.tender.slug, obj.segment_id])

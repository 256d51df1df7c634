"""Open House staff screens (/aanbestedingen/<slug>/toelating/): the admission period, the
batch openings (four-eyes), the review of each opened application and its decision; and the
provider's admission letters in the portal. Unopened applications show nothing but a count."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from audit.services import audit_record, client_address_of
from evaluation.permissions import can_set_consensus
from evaluation.scoring_selectors import scale_of
from evaluation.services.review import requirement_review
from providers.models import Submission
from providers.portal_views import PortalMixin
from tender.constants import Procedure, Round
from tender.errors import service_action
from tender.files import PDF, document_response
from tender.mixins import TenderScopedMixin

from .admission_models import AdmissionLetter
from .permissions import can_manage_award, can_view_award
from .services import admission as services


class AdmissionMixin(TenderScopedMixin):
    """Staff of an Open House tender; 404 for every other tender."""

    tender_predicate = staticmethod(can_view_award)
    manage_predicate = staticmethod(can_manage_award)

    def check_tender(self):
        if self.tender.procedure != Procedure.OPEN_HOUSE:
            raise Http404
        return None

    def require_manager(self):
        if not self.can_manage:
            raise Http404

    def back(self):
        return redirect("admission", slug=self.tender.slug)

    def application(self, pk) -> Submission:
        """An opened application of this tender (404 before its batch is opened)."""
        submission = get_object_or_404(
            Submission.objects.select_related("bidder", "admission_batch"),
            pk=pk,
            tender=self.tender,
            round=Round.APPLICATION,
            admission_batch__opened_at__isnull=False,
        )
        return submission


class AdmissionView(AdmissionMixin, View):
    def get(self, request, slug):
        tender = self.tender
        opened = (
            Submission.objects.filter(
                tender=tender, round=Round.APPLICATION, admission_batch__opened_at__isnull=False
            )
            .select_related("bidder", "admission_batch", "admission_letter")
            .order_by("admission_batch__number", "submitted_at")
        )
        return render(
            request,
            "contracts/admission.html",
            {
                "tender": tender,
                "can_manage": self.can_manage,
                "pending": services.pending_batch(tender),
                "batches": tender.admission_batches.select_related(
                    "first_confirmed_by", "opened_by"
                ),
                "applications": opened,
            },
        )


class BatchConfirmView(AdmissionMixin, View):
    def post(self, request, slug):
        self.require_manager()
        with service_action(request):
            batch = services.admission_batch_confirm(
                tender=self.tender, user=request.user, client_address=client_address_of(request)
            )
            if batch.opened_at:
                messages.success(request, _("Batch %(n)s is geopend.") % {"n": batch.number})
            else:
                messages.success(
                    request,
                    _(
                        "Uw bevestiging van batch %(n)s is vastgelegd; een tweede persoon moet "
                        "de opening bevestigen."
                    )
                    % {"n": batch.number},
                )
        return self.back()


class ApplicationView(AdmissionMixin, View):
    def get(self, request, slug, pk):
        submission = self.application(pk)
        dossiers = []
        for dossier in submission.dossiers.select_related("segment").order_by("segment__code"):
            levels = {f.criterion_id: f.level for f in dossier.final_levels.all()}
            criteria = [
                {"criterion": c, "level": levels.get(c.pk), "scale": scale_of(c)}
                for c in dossier.segment.criteria.order_by("position", "id")
            ]
            dossiers.append(
                {
                    "dossier": dossier,
                    "criteria": criteria,
                    "assessment": services.assessment(dossier),
                    "decision": submission.admission_decisions.filter(
                        segment=dossier.segment
                    ).first(),
                }
            )
        answers = submission.answers.select_related("requirement", "review").order_by(
            "requirement__segment_id", "requirement__position", "requirement__code"
        )
        return render(
            request,
            "contracts/admission_application.html",
            {
                "tender": self.tender,
                "submission": submission,
                "answers": answers,
                "dossiers": dossiers,
                "can_decide": can_set_consensus(request.user, self.tender)
                and not submission.admission_outcome,
                "letter": AdmissionLetter.objects.filter(submission=submission).first(),
            },
        )


class ApplicationReviewView(AdmissionMixin, View):
    def post(self, request, slug, pk, answer_pk):
        submission = self.application(pk)
        answer = get_object_or_404(submission.answers, pk=answer_pk)
        with service_action(request):
            requirement_review(
                answer=answer,
                accepted=request.POST.get("accepted") == "1",
                reason=request.POST.get("reason", ""),
                user=request.user,
                client_address=client_address_of(request),
            )
            messages.success(request, _("De controle is vastgelegd."))
        return redirect("admission-application", slug=slug, pk=pk)


class ApplicationLevelsView(AdmissionMixin, View):
    def post(self, request, slug, pk):
        submission = self.application(pk)
        with service_action(request):
            for dossier in submission.dossiers.select_related("segment"):
                for criterion in dossier.segment.criteria.all():
                    value = request.POST.get(f"level-{dossier.pk}-{criterion.pk}", "")
                    if value:
                        services.application_level_set(
                            dossier=dossier,
                            criterion=criterion,
                            level=value,
                            user=request.user,
                            client_address=client_address_of(request),
                        )
            messages.success(request, _("De niveaus zijn vastgelegd."))
        return redirect("admission-application", slug=slug, pk=pk)


class ApplicationDecideView(AdmissionMixin, View):
    def post(self, request, slug, pk):
        submission = self.application(pk)
        with service_action(request):
            services.application_decide(
                submission=submission,
                user=request.user,
                client_address=client_address_of(request),
            )
            messages.success(request, _("Het besluit en de brief zijn gemaakt."))
        return redirect("admission-application", slug=slug, pk=pk)


def admission_letter_response(letter: AdmissionLetter):
    return document_response(
        letter.pdf.open("rb"), filename=f"{letter.reference}.pdf", content_type=PDF
    )


class AdmissionLetterView(AdmissionMixin, View):
    def get(self, request, slug, pk):
        letter = get_object_or_404(AdmissionLetter, pk=pk, submission__tender=self.tender)
        return admission_letter_response(letter)


class PortalAdmissionLetterView(PortalMixin, View):
    """The provider's own admission or rejection letter (its read is audited)."""

    def get(self, request, pk):
        if self.organisation is None:
            raise Http404
        letter = get_object_or_404(
            AdmissionLetter.objects.select_related("submission__tender"),
            pk=pk,
            submission__bidder=self.organisation,
        )
        audit_record(
            action="admission.letter_read",
            actor=request.user,
            obj=letter,
            tender=letter.submission.tender,
            client_address=client_address_of(request),
            details={"reference": letter.reference},
        )
        return admission_letter_response(letter)

"""Requirement review: per submission, each 'yes' answer confirmed or rejected with a reason."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from audit.services import audit_record, client_address_of
from providers.constants import SubmissionState
from providers.models import Submission
from providers.submission_selectors import evidence_documents
from tender.constants import Phase
from tender.errors import service_action

from ..review_selectors import (
    review_summaries,
    reviewable_answers,
    reviewable_party_answers,
)
from ..scoring_forms import ReviewForm
from ..scoring_selectors import (
    phase_locked,
)
from ..services.review import party_answer_review, requirement_review
from .common import ScoringAccessMixin

REVIEW_LIST_PER_PAGE = 50


class ReviewListView(ScoringAccessMixin, View):
    """The submissions to review, 50 a page (their counts in 2 grouped queries for all: a
    few integers per submission)."""

    def get(self, request, slug):
        summaries = review_summaries(user=request.user, tender=self.tender)
        page = Paginator(summaries, REVIEW_LIST_PER_PAGE).get_page(request.GET.get("page"))
        return render(
            request,
            "evaluation/scoring/review_list.html",
            self.base_context(
                crumbs=[(None, _("%(tender)s: minimumeisen") % {"tender": self.tender.title})],
                summaries=page.object_list,
                page_obj=page,
                query_string="",
                locked=phase_locked(tender=self.tender, phase=Phase.SELECTION),
            ),
        )


class ReviewView(ScoringAccessMixin, View):
    """One submission's answers, each with its own small form (prefix ``a<pk>``)."""

    def get_submission(self, pk):
        return get_object_or_404(
            Submission.objects.select_related("bidder", "tender"),
            tender=self.tender,
            is_current=True,
            state=SubmissionState.SEALED,
            pk=pk,
        )

    def render_page(self, submission, *, bound=None, status=200):
        answers = list(reviewable_answers(user=self.request.user, submission=submission))
        if not answers:
            raise Http404
        evidence = evidence_documents(submission)
        items = []
        for answer in answers:
            review = getattr(answer, "review", None)
            if bound is not None and bound.prefix == f"a{answer.pk}":
                form = bound
            else:
                initial = {}
                if review is not None:
                    initial = {"accepted": "1" if review.accepted else "0", "reason": review.reason}
                form = ReviewForm(prefix=f"a{answer.pk}", initial=initial)
            items.append(
                {
                    "answer": answer,
                    "review": review,
                    "form": form,
                    "documents": evidence.get(answer.requirement_id, []),
                    "parties": [],
                }
            )
        # Requirements of every party: each member's and subcontractor's answer, under the
        # bidder's answer to the same requirement, reviewed on its own (prefix ``p<pk>``).
        by_requirement = {item["answer"].requirement_id: item for item in items}
        for party_answer in reviewable_party_answers(user=self.request.user, submission=submission):
            if bound is not None and bound.prefix == f"p{party_answer.pk}":
                form = bound
            else:
                initial = {}
                if party_answer.rejected:
                    initial = {"accepted": "0", "reason": party_answer.rejection_reason}
                form = ReviewForm(prefix=f"p{party_answer.pk}", initial=initial)
            item = by_requirement.get(party_answer.requirement_id)
            if item is not None:
                item["parties"].append({"answer": party_answer, "form": form})
        context = self.base_context(
            crumbs=[
                (
                    reverse("scoring-review-list", args=[self.tender.slug]),
                    _("%(tender)s: minimumeisen") % {"tender": self.tender.title},
                ),
                (None, submission.bidder.name),
            ],
            submission=submission,
            items=items,
            locked=phase_locked(tender=self.tender, phase=Phase.SELECTION),
        )
        if status == 200:
            audit_record(
                action="submission.answers_view",
                actor=self.request.user,
                obj=submission,
                tender=self.tender,
                client_address=client_address_of(self.request),
                details={"screen": "review", "answers": len(answers)},
            )
        return render(self.request, "evaluation/scoring/review.html", context, status=status)

    def get(self, request, slug, pk):
        return self.render_page(self.get_submission(pk))

    def post(self, request, slug, pk):
        submission = self.get_submission(pk)
        if request.POST.get("party_answer"):
            return self.post_party(request, submission)
        answer = get_object_or_404(
            reviewable_answers(user=request.user, submission=submission),
            pk=request.POST.get("answer"),
        )
        form = ReviewForm(request.POST, prefix=f"a{answer.pk}")
        if form.is_valid():
            with service_action(request, form=form):
                requirement_review(
                    answer=answer,
                    accepted=form.cleaned_data["accepted"],
                    reason=form.cleaned_data["reason"],
                    user=request.user,
                    client_address=client_address_of(request),
                )
        if not form.is_valid():
            return self.render_page(submission, bound=form, status=400)
        messages.success(
            request,
            _("Controle van %(code)s vastgelegd.") % {"code": answer.requirement.code},
        )
        return redirect(f"{request.path}#answer-{answer.pk}")

    def post_party(self, request, submission):
        party_answer = get_object_or_404(
            reviewable_party_answers(user=request.user, submission=submission),
            pk=request.POST.get("party_answer"),
        )
        form = ReviewForm(request.POST, prefix=f"p{party_answer.pk}")
        if form.is_valid():
            with service_action(request, form=form):
                party_answer_review(
                    party_answer=party_answer,
                    accepted=form.cleaned_data["accepted"],
                    reason=form.cleaned_data["reason"],
                    user=request.user,
                    client_address=client_address_of(request),
                )
        if not form.is_valid():
            return self.render_page(submission, bound=form, status=400)
        messages.success(
            request,
            _("Controle van %(code)s voor %(party)s vastgelegd.")
            % {"code": party_answer.requirement.code, "party": party_answer.party_label},
        )
        return redirect(f"{request.path}#party-answer-{party_answer.pk}")

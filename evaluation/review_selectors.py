"""Reading the requirement review: which answers a user may review, and the counts per
submission."""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from accounts.permissions import can_be_assigned
from providers.constants import SubmissionState
from providers.models import PartyAnswer, RequirementAnswer, Submission
from providers.selectors import with_bidder_label
from tender.models import Tender

from .permissions import can_assign
from .scoring_selectors import sealed_dossiers


def answers_reviewable_by(*, user, tender: Tender) -> QuerySet[RequirementAnswer]:
    """The requirement answers of the tender's sealed, current submissions that ``user`` may
    review (``can_review_answer`` as a queryset): all for the chair; for an evaluator the
    general requirements of a bidder with a dossier they may score, and the requirements of
    the segments of those dossiers."""
    answers = (
        RequirementAnswer.objects.filter(
            submission__tender=tender,
            submission__is_current=True,
            submission__state=SubmissionState.SEALED,
        )
        .select_related("requirement__segment", "review__reviewed_by")
        .order_by(
            F("requirement__segment__code").asc(nulls_first=True),
            "requirement__position",
            "requirement__code",
        )
    )
    if can_assign(user, tender):
        return answers
    if not can_be_assigned(user):
        return answers.none()
    scorable = sealed_dossiers(tender=tender).scorable_by(user)
    same_bidder = Exists(scorable.filter(submission=OuterRef("submission")))
    same_segment = Exists(
        scorable.filter(submission=OuterRef("submission"), segment=OuterRef("requirement__segment"))
    )
    return answers.filter((Q(requirement__segment__isnull=True) & same_bidder) | same_segment)


def reviewable_answers(*, user, submission: Submission) -> QuerySet[RequirementAnswer]:
    return answers_reviewable_by(user=user, tender=submission.tender).filter(submission=submission)


def reviewable_party_answers(*, user, submission: Submission) -> QuerySet[PartyAnswer]:
    """The other parties' answers (requirements of every party) ``user`` may review: those to
    the requirements whose bidder's answer the user may review."""
    requirement_ids = reviewable_answers(user=user, submission=submission).values("requirement_id")
    return (
        PartyAnswer.objects.filter(submission=submission, requirement_id__in=requirement_ids)
        .select_related("requirement", "member", "subcontractor")
        .order_by("requirement__code", "member__name", "subcontractor__name", "pk")
    )


@dataclass(frozen=True)
class ReviewSummary:
    submission: Submission
    answered_yes: int
    reviewed: int
    rejected: int

    @property
    def open(self) -> int:
        return self.answered_yes - self.reviewed


def review_summaries(*, user, tender: Tender) -> list[ReviewSummary]:
    """Per sealed, current submission with answers the user may review: 'yes' answers,
    reviewed, rejected (2 queries)."""
    counts = {
        row["submission_id"]: row
        for row in answers_reviewable_by(user=user, tender=tender)
        .filter(met=True)
        .order_by()
        .values("submission_id")
        .annotate(
            total=Count("id"),
            reviewed=Count("review"),
            rejected=Count("id", filter=Q(rejected=True)),
        )
    }
    submissions = with_bidder_label(Submission.objects.filter(pk__in=counts))
    return [
        ReviewSummary(
            submission=submission,
            answered_yes=counts[submission.pk]["total"],
            reviewed=counts[submission.pk]["reviewed"],
            rejected=counts[submission.pk]["rejected"],
        )
        for submission in submissions.order_by("bidder__name")
    ]

from django.contrib import admin

from audit.admin import ReadOnlyAdminMixin
from providers.admin import SealedUntilOpeningMixin

from .models import Evaluator, FinalLevel, Ranking, RankingGap, RankingRow, Score
from .scoring_models import Assignment, ConflictDeclaration, RequirementReview


@admin.register(Evaluator)
class EvaluatorAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "user", "tender", "is_chair"]
    list_filter = ["tender", "is_chair"]


@admin.register(Ranking)
class RankingAdmin(SealedUntilOpeningMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: rankings are computed and finalised through the services only."""

    list_display = ["tender", "phase", "seed", "status", "provisional", "is_final", "created_at"]
    list_filter = ["tender", "phase", "is_final"]


@admin.register(RankingRow)
class RankingRowAdmin(SealedUntilOpeningMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: output of the ranking engine."""

    tender_path = "ranking__tender"

    list_display = ["ranking", "segment", "position", "rank", "bidder_kvk", "points", "status"]
    list_filter = ["ranking__tender", "ranking__phase", "status"]
    search_fields = ["bidder_kvk", "bidder_name", "segment__code"]
    list_select_related = ["ranking__tender", "segment"]


@admin.register(RankingGap)
class RankingGapAdmin(SealedUntilOpeningMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: output of the ranking engine."""

    tender_path = "ranking__tender"

    list_display = ["ranking", "segment", "kind", "code", "shortfall"]
    list_filter = ["ranking__tender", "kind"]
    search_fields = ["code", "segment__code"]
    list_select_related = ["ranking__tender", "segment"]


@admin.register(Assignment)
class AssignmentAdmin(SealedUntilOpeningMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the chair assigns and removes through the scoring screens (audited)."""

    tender_path = "dossier__submission__tender"

    list_display = ["evaluator", "dossier", "assigned_by", "assigned_at"]
    list_filter = ["dossier__segment__tender", "evaluator"]
    search_fields = [
        "evaluator__name",
        "dossier__submission__bidder__name",
        "dossier__segment__code",
    ]
    list_select_related = ["evaluator", "dossier__segment", "dossier__submission__bidder"]


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(SealedUntilOpeningMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: a declaration is audited and decides which dossiers an evaluator may see."""

    tender_path = "evaluator__tender"

    list_display = ["evaluator", "organisation", "has_conflict", "declared_at"]
    list_filter = ["evaluator__tender", "has_conflict"]
    search_fields = ["evaluator__name", "organisation__name", "organisation__kvk", "note"]
    list_select_related = ["evaluator", "organisation"]


@admin.register(RequirementReview)
class RequirementReviewAdmin(SealedUntilOpeningMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the audited check of a requirement answer against its evidence."""

    tender_path = "answer__submission__tender"

    list_display = ["answer", "accepted", "reviewed_by", "reviewed_at"]
    list_filter = ["answer__submission__tender", "accepted"]
    search_fields = [
        "answer__requirement__code",
        "answer__submission__bidder__name",
        "answer__submission__bidder__kvk",
        "reason",
    ]
    list_select_related = ["answer__requirement", "answer__submission__bidder", "reviewed_by"]


@admin.register(Score)
class ScoreAdmin(SealedUntilOpeningMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: individual scores are audited and sealed once submitted."""

    tender_path = "dossier__submission__tender"

    list_display = ["evaluator", "criterion", "dossier", "level", "submitted_at"]
    list_filter = ["dossier__segment__tender", ("submitted_at", admin.EmptyFieldListFilter)]
    search_fields = ["evaluator__name", "criterion__code", "dossier__submission__bidder__name"]
    list_select_related = [
        "evaluator",
        "criterion",
        "dossier__segment",
        "dossier__submission__bidder",
    ]


@admin.register(FinalLevel)
class FinalLevelAdmin(SealedUntilOpeningMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the chair's consensus is audited."""

    tender_path = "dossier__submission__tender"

    list_display = ["criterion", "dossier", "level", "set_by", "updated_at"]
    list_filter = ["dossier__segment__tender"]
    search_fields = ["criterion__code", "dossier__submission__bidder__name", "rationale"]
    list_select_related = ["criterion", "dossier__segment", "dossier__submission__bidder", "set_by"]

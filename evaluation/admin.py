from django.contrib import admin

from .models import Evaluator, Ranking


@admin.register(Evaluator)
class EvaluatorAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "tender", "is_chair"]
    list_filter = ["tender", "is_chair"]


@admin.register(Ranking)
class RankingAdmin(admin.ModelAdmin):
    """Read-only: rankings are computed and finalised through the services only."""

    list_display = ["tender", "phase", "seed", "status", "provisional", "is_final", "created_at"]
    list_filter = ["tender", "phase", "is_final"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

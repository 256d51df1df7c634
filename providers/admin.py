from django.contrib import admin

from .models import Combination, CombinationMember, Dossier, Organisation, Subcontractor, Submission


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["kvk", "name", "legal_form", "agb"]
    list_filter = ["legal_form"]
    search_fields = ["kvk", "name", "agb"]


class CombinationMemberInline(admin.TabularInline):
    model = CombinationMember
    extra = 0


@admin.register(Combination)
class CombinationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "tender", "lead"]
    inlines = [CombinationMemberInline]


class SubcontractorInline(admin.TabularInline):
    model = Subcontractor
    extra = 0


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Read-only: a sealed submission is never edited, not even by an administrator."""

    list_display = ["bidder", "tender", "state", "version", "submitted_at"]
    list_filter = ["tender", "state"]
    search_fields = ["bidder__kvk", "bidder__name"]
    inlines = [SubcontractorInline]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = ["segment", "submission"]
    list_filter = ["segment__tender", "segment"]

    def has_change_permission(self, request, obj=None):
        return False

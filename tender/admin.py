from django.contrib import admin

from audit.admin import ReadOnlyAdminMixin

from .models import (
    Criterion,
    DecisionRecord,
    Lot,
    LotMembership,
    Municipality,
    MunicipalityPopulation,
    OpeningConfirmation,
    Region,
    Requirement,
    Segment,
    SubSegment,
    Tender,
)


@admin.register(Region)
class RegionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name"]
    filter_horizontal = ["municipalities"]


@admin.register(Municipality)
class MunicipalityAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "inhabitants"]
    search_fields = ["code", "name"]


@admin.register(MunicipalityPopulation)
class MunicipalityPopulationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["municipality", "year", "inhabitants", "source"]
    list_filter = ["year"]


class LotInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Lot
    extra = 0
    fields = ["code", "name", "funding", "position"]
    show_change_link = True


class RequirementInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Requirement
    extra = 0
    fields = ["code", "segment", "phase", "text", "position"]


@admin.register(Tender)
class TenderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["slug", "title", "region", "procedure", "state", "deadline"]
    list_filter = ["procedure", "state", "region"]
    search_fields = ["slug", "title"]
    readonly_fields = ["state"]  # lifecycle changes go through the services, audited
    inlines = [LotInline, RequirementInline]


class SegmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Segment
    extra = 0
    fields = ["code", "name", "places", "award_places", "coverage_k", "start_date"]
    show_change_link = True


class LotMembershipInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = LotMembership
    extra = 0
    fields = ["municipality", "start_date", "end_date"]


@admin.register(Lot)
class LotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "tender", "funding"]
    list_filter = ["tender", "funding"]
    inlines = [LotMembershipInline, SegmentInline]


class CriterionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["code", "name", "phase", "max_points", "min_level", "position"]


class SubSegmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SubSegment
    extra = 0


@admin.register(Segment)
class SegmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "tender",
        "lot",
        "places",
        "award_places",
        "start_date",
        "funding",
    ]
    list_filter = ["tender", "lot"]
    search_fields = ["code", "name"]
    inlines = [SubSegmentInline, CriterionInline]


@admin.register(DecisionRecord)
class DecisionRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["segment", "body", "decided_on", "recorded_at", "recorded_by"]
    list_filter = ["body", "segment__tender"]
    list_select_related = ["segment", "recorded_by"]


# -- the opening ------------------------------------------------------------------------------


@admin.register(OpeningConfirmation)
class OpeningConfirmationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the four-eyes confirmations of the opening are audited."""

    list_display = ["tender", "user", "confirmed_at"]
    list_filter = ["tender"]
    search_fields = ["tender__slug", "user__username"]
    list_select_related = ["tender", "user"]

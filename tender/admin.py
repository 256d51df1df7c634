from django.contrib import admin
from django.db import models

from audit.admin import ReadOnlyAdminMixin

from .models import (
    Criterion,
    KeyDate,
    Lot,
    Municipality,
    NewsItem,
    NewsletterSubscription,
    Nota,
    OpeningConfirmation,
    Region,
    Requirement,
    Segment,
    Session,
    SubSegment,
    Tender,
    TenderDocument,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    filter_horizontal = ["municipalities"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "inhabitants"]
    search_fields = ["code", "name"]


class LotInline(admin.TabularInline):
    model = Lot
    extra = 0
    fields = ["code", "name", "funding", "position"]
    show_change_link = True


class RequirementInline(admin.TabularInline):
    model = Requirement
    extra = 0
    fields = ["code", "segment", "text", "position"]


@admin.register(Tender)
class TenderAdmin(admin.ModelAdmin):
    list_display = ["slug", "title", "region", "procedure", "state", "deadline"]
    list_filter = ["procedure", "state", "region"]
    search_fields = ["slug", "title"]
    readonly_fields = ["state"]  # lifecycle changes go through the services, audited
    inlines = [LotInline, RequirementInline]


class SegmentInline(admin.TabularInline):
    model = Segment
    extra = 0
    fields = ["code", "name", "places", "award_places", "coverage_k", "start_date"]
    show_change_link = True


@admin.register(Lot)
class LotAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "tender", "funding"]
    list_filter = ["tender", "funding"]
    filter_horizontal = ["municipalities"]
    inlines = [SegmentInline]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["code", "name", "phase", "max_points", "min_level", "position"]


class SubSegmentInline(admin.TabularInline):
    model = SubSegment
    extra = 0


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "tender", "lot", "places", "award_places", "start_date"]
    list_filter = ["tender", "lot"]
    search_fields = ["code", "name"]
    inlines = [SubSegmentInline, CriterionInline]


# -- documents, the opening, communication with the market --------------------------------------


@admin.register(TenderDocument)
class TenderDocumentAdmin(admin.ModelAdmin):
    """A proces-verbaal of the opening is sealed: it is made by the opening service and never
    changed or deleted here, nor added by hand."""

    list_display = ["title", "tender", "kind", "public", "created_at"]
    list_filter = ["tender", "kind", "public"]
    search_fields = ["title", "tender__slug", "sha256"]
    list_select_related = ["tender"]
    readonly_fields = ["sha256", "created_at"]

    @staticmethod
    def is_sealed(obj) -> bool:
        return obj is not None and obj.kind == TenderDocument.Kind.PROCES_VERBAAL

    def has_change_permission(self, request, obj=None):
        return not self.is_sealed(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self.is_sealed(obj) and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # Bulk delete would pass over the per-object check above.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "kind":
            kwargs["choices"] = [
                choice
                for choice in db_field.get_choices(include_blank=False)
                if choice[0] != TenderDocument.Kind.PROCES_VERBAAL
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


@admin.register(OpeningConfirmation)
class OpeningConfirmationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the four-eyes confirmations of the opening are audited."""

    list_display = ["tender", "user", "confirmed_at"]
    list_filter = ["tender"]
    search_fields = ["tender__slug", "user__username"]
    list_select_related = ["tender", "user"]


@admin.register(NewsItem)
class NewsItemAdmin(admin.ModelAdmin):
    list_display = ["title", "tender", "published", "published_at", "mailed_at"]
    list_filter = ["tender", "published"]
    search_fields = ["title", "body"]
    list_select_related = ["tender"]
    readonly_fields = ["mailed_at"]


@admin.register(KeyDate)
class KeyDateAdmin(admin.ModelAdmin):
    list_display = ["date", "label", "tender", "note"]
    list_filter = ["tender"]
    search_fields = ["label", "note"]
    list_select_related = ["tender"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "tender", "kind", "starts_at", "capacity", "registration_deadline"]
    list_filter = ["tender", "kind"]
    search_fields = ["title", "location"]
    list_select_related = ["tender"]
    filter_horizontal = ["lots", "segments"]
    raw_id_fields = ["overflow"]
    # A link typed without a scheme is read as https (the form on the staff screen does too).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Nota)
class NotaAdmin(admin.ModelAdmin):
    """A published nota is audited and public: shown only. A draft may be corrected."""

    list_display = ["__str__", "tender", "created_at", "published_at", "published_by"]
    list_filter = ["tender"]
    search_fields = ["intro", "tender__slug"]
    list_select_related = ["tender", "published_by"]
    readonly_fields = ["published_at", "published_by", "document", "created_by"]

    def has_change_permission(self, request, obj=None):
        published = obj is not None and obj.is_published
        return not published and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        published = obj is not None and obj.is_published
        return not published and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(NewsletterSubscription)
class NewsletterSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "tender", "created_at", "confirmed_at"]
    list_filter = ["tender", ("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email"]
    list_select_related = ["tender"]

from django.contrib import admin
from django.db import models

from .models import (
    KeyDate,
    NewsItem,
    NewsletterSubscription,
    Nota,
    Question,
    Session,
    SessionRegistration,
    TenderDocument,
)


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


@admin.register(SessionRegistration)
class SessionRegistrationAdmin(admin.ModelAdmin):
    list_display = [
        "organisation",
        "session",
        "participant_name",
        "participant_email",
        "registered_at",
        "cancelled_at",
    ]
    list_filter = [
        "session__tender",
        "session",
        ("cancelled_at", admin.EmptyFieldListFilter),
    ]
    search_fields = [
        "organisation__kvk",
        "organisation__name",
        "participant_name",
        "participant_email",
    ]
    list_select_related = ["organisation", "session"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["registered_by", "cancelled_by"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    """A question published in a nota van inlichtingen is shown only."""

    list_display = ["__str__", "tender", "organisation", "asked_at", "answered_at", "nota"]
    list_filter = ["tender", ("answered_at", admin.EmptyFieldListFilter)]
    search_fields = ["text", "public_text", "answer", "organisation__name", "organisation__kvk"]
    list_select_related = ["tender", "organisation", "nota"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["asked_by", "answered_by", "lot", "segment", "nota"]

    def has_change_permission(self, request, obj=None):
        published = obj is not None and obj.nota is not None and obj.nota.is_published
        return not published and super().has_change_permission(request, obj)

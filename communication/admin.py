from django.contrib import admin
from django.db import models

from audit.admin import ReadOnlyAdminMixin

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
class TenderDocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Shown only: a document is neither uploaded nor replaced here (an upload must pass the
    content check of ``providers.uploads``; a proces-verbaal or nota is made by its service)."""

    list_display = ["title", "tender", "kind", "category", "version", "audience", "publish_at"]
    list_filter = ["tender", "kind", "category", "audience"]
    search_fields = ["title", "tender__slug", "sha256"]
    list_select_related = ["tender"]


@admin.register(NewsItem)
class NewsItemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "tender", "published", "published_at", "mailed_at"]
    list_filter = ["tender", "published"]
    search_fields = ["title", "body"]
    list_select_related = ["tender"]
    readonly_fields = ["mailed_at"]


@admin.register(KeyDate)
class KeyDateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["date", "label", "tender", "note"]
    list_filter = ["tender"]
    search_fields = ["label", "note"]
    list_select_related = ["tender"]


@admin.register(Session)
class SessionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "tender", "kind", "starts_at", "capacity", "registration_deadline"]
    list_filter = ["tender", "kind"]
    search_fields = ["title", "location"]
    list_select_related = ["tender"]
    filter_horizontal = ["lots", "segments"]
    raw_id_fields = ["overflow"]
    # A link typed without a scheme is read as https (the form on the staff screen does too).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Nota)
class NotaAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Shown only: a nota is written and published on the staff screens (audited)."""

    list_display = ["__str__", "tender", "created_at", "published_at", "published_by"]
    list_filter = ["tender"]
    search_fields = ["intro", "tender__slug"]
    list_select_related = ["tender", "published_by"]


@admin.register(NewsletterSubscription)
class NewsletterSubscriptionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["email", "tender", "created_at", "confirmed_at"]
    list_filter = ["tender", ("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email"]
    list_select_related = ["tender"]


@admin.register(SessionRegistration)
class SessionRegistrationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
class QuestionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Shown only: questions are answered and published on the staff screens."""

    list_display = ["__str__", "tender", "organisation", "asked_at", "answered_at", "nota"]
    list_filter = ["tender", ("answered_at", admin.EmptyFieldListFilter)]
    search_fields = ["text", "public_text", "answer", "organisation__name", "organisation__kvk"]
    list_select_related = ["tender", "organisation", "nota"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["asked_by", "answered_by", "lot", "segment", "nota"]

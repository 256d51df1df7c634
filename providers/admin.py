from django.contrib import admin

from audit.admin import ReadOnlyAdminMixin
from audit.services import audit_record, client_address_of
from tender.constants import BIDS_READABLE_STATES, OPENED_STATES
from tender.models import readable_rounds_q

from .models import (
    Combination,
    CombinationMember,
    Dossier,
    Organisation,
    OrganisationInvitation,
    OrganisationMembership,
    RequirementAnswer,
    Subcontractor,
    Submission,
    SubmissionDocument,
    UEADeclaration,
)
from .services.organisations import membership_admin_set

# Submissions are sealed until the four-eyes opening: the admin shows none of them (not even
# that they exist) before it. A draft tender holds only submissions loaded from a scenario file.


class SealedUntilOpeningMixin:
    tender_path = "tender"
    readable_states = BIDS_READABLE_STATES
    #: The path to the submission whose round decides (None: the model has no round).
    submission_path: str | None = None

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .filter(**{f"{self.tender_path}__state__in": self.readable_states})
        )
        if self.submission_path is not None:
            queryset = queryset.filter(readable_rounds_q(self.submission_path))
        return queryset


class AuditedReadMixin:
    """Opening a sealed record's page in the admin is a read of sealed content: audited with
    the reader and the client address, like the staff screens (``read_action``)."""

    read_action = ""
    tender_attribute = "submission.tender"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, object_id) if response.status_code == 200 else None
        if obj is not None and request.method == "GET":
            tender = obj
            for name in self.tender_attribute.split("."):
                tender = getattr(tender, name)
            audit_record(
                action=self.read_action,
                actor=request.user,
                obj=obj,
                tender=tender,
                client_address=client_address_of(request),
                details={"screen": "admin"},
            )
        return response


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["kvk", "name", "legal_form", "agb"]
    list_filter = ["legal_form"]
    search_fields = ["kvk", "name", "agb"]


class CombinationMemberInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CombinationMember
    extra = 0


@admin.register(Combination)
class CombinationAdmin(SealedUntilOpeningMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """A combination is formed to bid: sealed like the submission until the opening."""

    list_display = ["__str__", "tender", "lead"]
    inlines = [CombinationMemberInline]


class SubcontractorInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Subcontractor
    extra = 0


@admin.register(Submission)
class SubmissionAdmin(
    AuditedReadMixin, SealedUntilOpeningMixin, ReadOnlyAdminMixin, admin.ModelAdmin
):
    """Read-only: a sealed submission is never edited, not even by an administrator."""

    submission_path = ""

    read_action = "submission.view"
    tender_attribute = "tender"

    list_display = ["bidder", "tender", "state", "version", "submitted_at"]
    list_filter = ["tender", "state"]
    search_fields = ["bidder__kvk", "bidder__name"]
    inlines = [SubcontractorInline]


@admin.register(Dossier)
class DossierAdmin(AuditedReadMixin, SealedUntilOpeningMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    tender_path = "submission__tender"
    submission_path = "submission__"
    read_action = "dossier.view"

    list_display = ["segment", "submission"]
    list_filter = ["segment__tender", "segment"]


@admin.register(RequirementAnswer)
class RequirementAnswerAdmin(
    AuditedReadMixin, SealedUntilOpeningMixin, ReadOnlyAdminMixin, admin.ModelAdmin
):
    tender_path = "submission__tender"
    submission_path = "submission__"
    read_action = "requirement_answer.view"

    """Read-only: part of the sealed submission; the review outcome is set by the service."""

    list_display = ["requirement", "submission", "met", "rejected"]
    list_filter = ["submission__tender", "met", "rejected"]
    search_fields = ["requirement__code", "submission__bidder__kvk", "submission__bidder__name"]
    list_select_related = ["requirement", "submission__bidder"]


@admin.register(OrganisationMembership)
class OrganisationMembershipAdmin(admin.ModelAdmin):
    """User management, not procedure: a superuser may make a colleague the organisation's
    admin (or take that away) through ``membership_admin_set`` (audited). Who belongs to which
    organisation is decided by the portal (registration, invitations) only."""

    list_display = ["user", "organisation", "is_admin", "created_at"]
    list_filter = ["is_admin"]
    search_fields = ["user__username", "user__email", "organisation__kvk", "organisation__name"]
    list_select_related = ["user", "organisation"]
    fields = ["user", "organisation", "is_admin", "created_at"]
    readonly_fields = ["user", "organisation", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        membership_admin_set(
            membership=obj,
            is_admin=obj.is_admin,
            user=request.user,
            client_address=client_address_of(request),
        )


@admin.register(SubmissionDocument)
class SubmissionDocumentAdmin(
    AuditedReadMixin, SealedUntilOpeningMixin, ReadOnlyAdminMixin, admin.ModelAdmin
):
    """Metadata only (name, kind, hash): the admin never links to or decrypts a file."""

    tender_path = "submission__tender"
    submission_path = "submission__"
    read_action = "submission.document_metadata_view"
    list_display = ["name", "kind", "submission", "uploaded_at"]
    list_filter = ["kind"]
    fields = ["submission", "kind", "segment", "requirement", "name", "uploaded_at", "sha256"]
    readonly_fields = fields
    list_select_related = ["submission__bidder", "submission__tender"]

    @admin.display(description="SHA-256")
    def sha256(self, obj):
        return obj.file.sha256


@admin.register(OrganisationInvitation)
class OrganisationInvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: invitations are made, accepted and revoked by the portal's services. The token
    hash is never shown."""

    list_display = [
        "email",
        "organisation",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = [
        ("accepted_at", admin.EmptyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email", "organisation__kvk", "organisation__name"]
    list_select_related = ["organisation", "invited_by"]
    exclude = ["token_hash"]


@admin.register(UEADeclaration)
class UEADeclarationAdmin(SealedUntilOpeningMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the UEA belongs to the sealed submission, so the admin shows none before the
    opening (stricter than submissions: never in a draft tender either)."""

    readable_states = OPENED_STATES
    list_display = ["organisation", "tender", "signer_name", "signed_at", "updated_at"]
    list_filter = ["tender", ("signed_at", admin.EmptyFieldListFilter)]
    search_fields = ["organisation__kvk", "organisation__name", "signer_name"]
    list_select_related = ["organisation", "tender"]

from django.contrib import admin

from .models import AuditEntry
from .sealing import visible_entries


class ReadOnlyAdminMixin:
    """Sealed or audited records: shown in the admin, never added, changed or deleted there
    (only the services write them, with their audit entry)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only, also for superusers. Entries about bids that are
    still sealed are not shown before the opening (``audit.sealing``)."""

    list_display = ["seq", "created_at", "actor_repr", "action", "object_repr", "tender_slug"]
    list_filter = ["action", "tender_slug"]
    search_fields = ["action", "object_repr", "actor_repr", "tender_slug"]

    def get_queryset(self, request):
        return visible_entries(super().get_queryset(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

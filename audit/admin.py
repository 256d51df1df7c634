from django.contrib import admin

from .models import AuditEntry


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
    """Read-only: the log is append-only, also for superusers."""

    list_display = ["seq", "created_at", "actor_repr", "action", "object_repr", "tender_slug"]
    list_filter = ["action", "tender_slug"]
    search_fields = ["action", "object_repr", "actor_repr", "tender_slug"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

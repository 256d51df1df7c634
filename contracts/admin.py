from django.contrib import admin

from audit.admin import ReadOnlyAdminMixin

from .models import Contract, ContractReminder, ContractSegment, ExtensionDecision, Instalment


class ContractSegmentInline(admin.TabularInline):
    model = ContractSegment
    extra = 0


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["number", "provider", "tender", "state", "start_date", "end_date"]
    list_filter = ["tender", "state"]
    inlines = [ContractSegmentInline]


@admin.register(Instalment)
class InstalmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the instalments are computed from the contracted lumpsums."""

    list_display = ["due_date", "contract_segment", "year", "amount"]
    list_filter = ["contract_segment__contract__tender", "year"]
    search_fields = [
        "contract_segment__contract__number",
        "contract_segment__contract__provider__name",
        "contract_segment__segment__code",
    ]
    list_select_related = ["contract_segment__contract__provider", "contract_segment__segment"]


@admin.register(ExtensionDecision)
class ExtensionDecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: decisions are recorded (and audited) on the contract screens."""

    list_display = ["contract", "term", "extend", "decided_at", "decided_by"]
    list_select_related = ["contract", "decided_by"]


@admin.register(ContractReminder)
class ContractReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["contract", "term", "months_before", "deadline", "sent_at"]
    list_select_related = ["contract"]

from django.contrib import admin

from audit.admin import ReadOnlyAdminMixin

from .models import (
    AwardDecision,
    AwardLetter,
    Contract,
    ContractPolicy,
    ContractReminder,
    ContractSegment,
    ExtensionDecision,
    Instalment,
    KpiEffect,
    KpiReport,
    LetterRun,
    Objection,
    ProductionReport,
    ProviderKpi,
    SegmentStandstill,
    Settlement,
)


class ContractSegmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ContractSegment
    extra = 0


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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


# Award, settlement and KPI records: all written by audited services, so read-only here.


@admin.register(AwardDecision)
class AwardDecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["tender", "phase", "decision_date", "standstill_ends_at", "sent_at", "sent_by"]
    list_filter = ["tender", "phase"]
    search_fields = ["tender__slug", "tender__title"]
    list_select_related = ["tender", "sent_by"]


@admin.register(LetterRun)
class LetterRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "pk",
        "tender",
        "phase",
        "status",
        "done",
        "total",
        "requested_by",
        "created_at",
    ]
    list_filter = ["tender", "phase", "status"]
    search_fields = ["tender__slug", "tender__title"]
    list_select_related = ["tender", "requested_by"]


@admin.register(AwardLetter)
class AwardLetterAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The municipality's own letters: metadata and the PDF."""

    list_display = [
        "reference",
        "bidder",
        "tender",
        "phase",
        "kind",
        "version",
        "decision_date",
        "generated_at",
        "sent_at",
    ]
    list_filter = ["tender", "phase", "kind", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["reference", "bidder__kvk", "bidder__name"]
    list_select_related = ["tender", "bidder"]


@admin.register(SegmentStandstill)
class SegmentStandstillAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["segment", "decision", "ends_at", "final_at", "final_by"]
    list_filter = ["segment__tender", ("final_at", admin.EmptyFieldListFilter)]
    search_fields = ["segment__code", "segment__name"]
    list_select_related = ["segment", "decision__tender", "final_by"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["segment", "bidder", "kind", "registered_at", "resolved_at"]
    list_filter = ["segment__tender", "kind", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["segment__code", "bidder__kvk", "bidder__name", "note", "outcome"]
    list_select_related = ["segment", "bidder"]


@admin.register(ContractPolicy)
class ContractPolicyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["contract", "above_band", "updated_at"]
    list_filter = ["contract__tender", "above_band"]
    search_fields = ["contract__number", "contract__provider__kvk", "contract__provider__name"]
    list_select_related = ["contract__provider"]


_CONTRACT_SEGMENT_SEARCH = [
    "contract_segment__contract__number",
    "contract_segment__contract__provider__kvk",
    "contract_segment__contract__provider__name",
    "contract_segment__segment__code",
]
_CONTRACT_SEGMENT_RELATED = ["contract_segment__contract__provider", "contract_segment__segment"]


@admin.register(ProductionReport)
class ProductionReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "contract_segment",
        "year",
        "realised_clients",
        "realised_hours",
        "submitted_at",
        "submitted_by",
    ]
    list_filter = ["contract_segment__contract__tender", "year"]
    search_fields = _CONTRACT_SEGMENT_SEARCH
    list_select_related = [*_CONTRACT_SEGMENT_RELATED, "submitted_by"]


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "contract_segment",
        "year",
        "lumpsum",
        "realised",
        "outcome",
        "amount",
        "computed_at",
        "approved_at",
    ]
    list_filter = [
        "contract_segment__contract__tender",
        "year",
        "outcome",
        ("approved_at", admin.EmptyFieldListFilter),
    ]
    search_fields = _CONTRACT_SEGMENT_SEARCH
    list_select_related = _CONTRACT_SEGMENT_RELATED


@admin.register(KpiEffect)
class KpiEffectAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "tender", "position"]
    list_filter = ["tender"]
    search_fields = ["effect", "goal", "municipal_kpi"]
    list_select_related = ["tender"]


@admin.register(ProviderKpi)
class ProviderKpiAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "effect", "segment", "unit", "target", "direction", "period"]
    list_filter = ["effect__tender", "period", "direction"]
    search_fields = ["name", "effect__effect", "segment__code"]
    list_select_related = ["effect", "segment"]


@admin.register(KpiReport)
class KpiReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["kpi", "contract", "period", "value", "submitted_at", "submitted_by"]
    list_filter = ["contract__tender", "period"]
    search_fields = ["kpi__name", "contract__number", "contract__provider__name", "period"]
    list_select_related = ["kpi", "contract__provider", "submitted_by"]

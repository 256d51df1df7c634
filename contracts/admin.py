from django.contrib import admin

from .models import Contract, ContractSegment


class ContractSegmentInline(admin.TabularInline):
    model = ContractSegment
    extra = 0


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["number", "provider", "tender", "state", "start_date", "end_date"]
    list_filter = ["tender", "state"]
    inlines = [ContractSegmentInline]

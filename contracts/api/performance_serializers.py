"""Serializers of the settlement, KPI and OCDS API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..kpi_models import KpiEffect, KpiReport, ProviderKpi
from ..settlement_models import ProductionReport, Settlement


class SettlementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Settlement
        fields = [
            "id",
            "year",
            "tariff",
            "lumpsum",
            "realised",
            "band",
            "lower",
            "upper",
            "above_band",
            "outcome",
            "amount",
            "computed_at",
            "approved_at",
        ]
        read_only_fields = fields


class ProductionReportSerializer(serializers.ModelSerializer):
    contract = serializers.CharField(source="contract_segment.contract.number", read_only=True)
    segment = serializers.CharField(source="contract_segment.segment.code")
    settlement = serializers.SerializerMethodField()

    class Meta:
        model = ProductionReport
        fields = [
            "id",
            "contract",
            "segment",
            "year",
            "realised_clients",
            "realised_hours",
            "comment",
            "submitted_at",
            "settlement",
        ]
        read_only_fields = ["id", "contract", "submitted_at", "settlement"]

    @extend_schema_field(SettlementSerializer(allow_null=True))
    def get_settlement(self, obj):
        settlement = getattr(obj, "settlement", None)
        visible = settlement is not None and (
            self.context.get("staff") or settlement.approved_at is not None
        )
        return SettlementSerializer(settlement).data if visible else None


class ProductionReportInputSerializer(serializers.Serializer):
    segment = serializers.CharField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    realised_clients = serializers.IntegerField(min_value=0)
    realised_hours = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    submit = serializers.BooleanField(required=False, default=False)


class ProviderKpiSerializer(serializers.ModelSerializer):
    segment = serializers.CharField(source="segment.code", allow_null=True, read_only=True)
    lot = serializers.CharField(source="lot.code", allow_null=True, read_only=True)

    class Meta:
        model = ProviderKpi
        fields = ["id", "name", "unit", "target", "direction", "period", "lot", "segment"]


class KpiEffectSerializer(serializers.ModelSerializer):
    provider_kpis = ProviderKpiSerializer(many=True, read_only=True)

    class Meta:
        model = KpiEffect
        fields = ["id", "effect", "goal", "municipal_kpi", "provider_kpis"]


class KpiReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = KpiReport
        fields = ["id", "kpi", "period", "value", "comment", "submitted_at"]
        read_only_fields = ["id", "submitted_at"]


class KpiReportInputSerializer(serializers.Serializer):
    kpi = serializers.IntegerField()
    period = serializers.CharField(max_length=10)
    value = serializers.DecimalField(max_digits=12, decimal_places=2)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class KpiSubmitInputSerializer(serializers.Serializer):
    period = serializers.CharField(max_length=10)

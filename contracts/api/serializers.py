from rest_framework import serializers

from ..models import Contract, ContractSegment, ExtensionDecision, Instalment


class OrganisationRefSerializer(serializers.Serializer):
    kvk = serializers.CharField()
    name = serializers.CharField()


class ContractSegmentSerializer(serializers.ModelSerializer):
    segment = serializers.CharField(source="segment.code")
    segment_name = serializers.CharField(source="segment.name")
    payment = serializers.CharField(source="segment.payment")
    municipalities = serializers.SerializerMethodField()

    class Meta:
        model = ContractSegment
        fields = [
            "segment",
            "segment_name",
            "start_date",
            "initial_end_date",
            "end_date",
            "extensions",
            "municipalities",
            "payment",
            "bid_amount",
            "lumpsum_amount",
        ]

    def get_municipalities(self, obj) -> list[str]:
        return [m.code for m in obj.municipalities.all()]


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExtensionDecision
        fields = [
            "term",
            "extend",
            "decided_at",
            "previous_end_date",
            "end_date",
            "segment_terms",
            "note",
            "late_reason",
        ]


class ContractListSerializer(serializers.ModelSerializer):
    tender = serializers.CharField(source="tender.slug")
    provider = OrganisationRefSerializer()
    state = serializers.CharField(help_text="draft, active of ended.")

    class Meta:
        model = Contract
        fields = ["number", "tender", "provider", "state", "start_date", "end_date", "extensions"]


class ContractDetailSerializer(ContractListSerializer):
    combination = serializers.CharField(source="combination_name")
    members = OrganisationRefSerializer(many=True)
    subcontractors = OrganisationRefSerializer(many=True)
    segments = ContractSegmentSerializer(many=True)
    decisions = DecisionSerializer(many=True)
    notice_deadline = serializers.SerializerMethodField()

    class Meta(ContractListSerializer.Meta):
        fields = ContractListSerializer.Meta.fields + [
            "combination",
            "members",
            "subcontractors",
            "segments",
            "decisions",
            "notice_deadline",
        ]

    def get_notice_deadline(self, obj) -> str:
        from ..services.contracts import contract_notice_deadline

        return contract_notice_deadline(obj).isoformat()


class InstalmentSerializer(serializers.ModelSerializer):
    segment = serializers.CharField(source="contract_segment.segment.code")
    exported = serializers.SerializerMethodField()

    class Meta:
        model = Instalment
        fields = ["segment", "year", "due_date", "amount", "exported"]

    def get_exported(self, obj) -> bool:
        return obj.exported_at is not None


class ExtensionInputSerializer(serializers.Serializer):
    """The decision is dated the day it is recorded (it cannot be backdated); after the notice
    deadline it needs ``late_reason``."""

    decision = serializers.ChoiceField(choices=["extend", "decline"])
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    late_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default=""
    )


class ContractTenderInputSerializer(serializers.Serializer):
    tender = serializers.SlugField()


class ScheduleInputSerializer(ContractTenderInputSerializer):
    year = serializers.IntegerField(min_value=1900, max_value=2200)

from rest_framework import serializers

from ..models import Lot, Segment, Tender


class SegmentOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Segment
        fields = [
            "code",
            "name",
            "places",
            "award_places",
            "min_total",
            "coverage_k",
            "specialisms",
            "start_date",
            "tariff",
            "budget",
            "payment",
            "band",
        ]


class LotOutputSerializer(serializers.ModelSerializer):
    municipalities = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    segments = SegmentOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Lot
        fields = ["code", "name", "funding", "municipalities", "segments"]


class TenderOutputSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(read_only=True, slug_field="code")

    class Meta:
        model = Tender
        fields = ["slug", "title", "region", "procedure", "state", "deadline", "standstill_days"]


class TenderDetailOutputSerializer(TenderOutputSerializer):
    lots = LotOutputSerializer(many=True, read_only=True)

    class Meta(TenderOutputSerializer.Meta):
        fields = [*TenderOutputSerializer.Meta.fields, "lots"]


class TransitionInputSerializer(serializers.Serializer):
    transition = serializers.CharField(
        help_text="Naam van de actie, bijvoorbeeld 'publish'; "
        "'open' registreert één van de twee bevestigingen."
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")

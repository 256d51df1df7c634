from rest_framework import serializers

from tender.constants import Phase

from ..models import Ranking
from ..services.reopen import REASON_MAX_LENGTH


class RankingRequestInputSerializer(serializers.Serializer):
    tender = serializers.SlugField(help_text="Slug van de aanbesteding.")
    phase = serializers.ChoiceField(choices=Phase.choices)
    seed = serializers.IntegerField(min_value=0, max_value=2**63 - 1, default=0)


class RankingOutputSerializer(serializers.ModelSerializer):
    tender = serializers.SlugRelatedField(read_only=True, slug_field="slug")

    class Meta:
        model = Ranking
        fields = [
            "id",
            "tender",
            "phase",
            "seed",
            "status",
            "progress",
            "error",
            "provisional",
            "input_hash",
            "is_final",
            "finalised_at",
            "superseded",
            "created_at",
            "result",
        ]


class RankingReopenInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH,
        help_text="Waarom de definitieve ranking wordt heropend (komt in het auditlog).",
    )

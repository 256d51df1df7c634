"""Serializers of the award decision API."""

from rest_framework import serializers

from ..award_models import AwardLetter, LetterRun, Objection, ObjectionKind, ObjectionResult


class LetterSerializer(serializers.ModelSerializer):
    tender = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    bidder_kvk = serializers.CharField(source="bidder.kvk", read_only=True)
    bidder_name = serializers.CharField(source="bidder.name", read_only=True)
    kind = serializers.CharField(
        read_only=True, help_text="selected | not_selected | intended_award | rejection"
    )
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = AwardLetter
        fields = [
            "id",
            "tender",
            "phase",
            "bidder_kvk",
            "bidder_name",
            "version",
            "kind",
            "reference",
            "decision_date",
            "sha256",
            "generated_at",
            "sent_at",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_pdf_url(self, letter) -> str:
        from django.urls import reverse

        return reverse("api:award-letter-pdf", args=[letter.pk])


class LetterRunSerializer(serializers.ModelSerializer):
    tender = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = LetterRun
        fields = ["id", "tender", "phase", "status", "total", "done", "error", "created_at"]
        read_only_fields = fields


class DecisionPhaseSerializer(serializers.Serializer):
    phase = serializers.CharField()
    decision_date = serializers.DateField(allow_null=True)
    standstill_ends_at = serializers.DateTimeField(allow_null=True)
    sent_at = serializers.DateTimeField(allow_null=True)
    letters = serializers.IntegerField()
    bidders = serializers.IntegerField()
    send_refusal = serializers.CharField(allow_null=True)


class WinnerSerializer(serializers.Serializer):
    kvk = serializers.CharField()
    name = serializers.CharField()
    points = serializers.DecimalField(max_digits=9, decimal_places=2)


class DecisionSegmentSerializer(serializers.Serializer):
    code = serializers.CharField()
    winners = WinnerSerializer(many=True)
    standstill_ends_at = serializers.DateTimeField(allow_null=True)
    final_at = serializers.DateTimeField(allow_null=True)
    open_objections = serializers.IntegerField()


class AwardDecisionSerializer(serializers.Serializer):
    tender = serializers.CharField()
    state = serializers.CharField()
    standstill_days = serializers.IntegerField()
    phases = DecisionPhaseSerializer(many=True)
    segments = DecisionSegmentSerializer(many=True)


class ObjectionSerializer(serializers.ModelSerializer):
    segment = serializers.CharField(source="segment.code", read_only=True)
    bidder_kvk = serializers.CharField(source="bidder.kvk", read_only=True)
    kind = serializers.CharField(read_only=True, help_text="bezwaar | kort_geding")
    phase = serializers.CharField(read_only=True, help_text="selection | award: the decision")
    result = serializers.CharField(
        read_only=True, help_text="empty while open | rejected | upheld | withdrawn"
    )
    blocks = serializers.BooleanField(
        read_only=True,
        help_text="Holds the segment: open, or upheld until corrected letters went out.",
    )

    class Meta:
        model = Objection
        fields = [
            "id",
            "segment",
            "bidder_kvk",
            "phase",
            "kind",
            "note",
            "registered_at",
            "resolved_at",
            "result",
            "outcome",
            "corrected_at",
            "blocks",
        ]
        read_only_fields = fields


class ObjectionInputSerializer(serializers.Serializer):
    segment = serializers.CharField(help_text="Segment code.")
    bidder_kvk = serializers.RegexField(r"^[0-9]{8}$")
    # A plain string in the schema (choice sets named "kind" elsewhere would collide).
    kind = serializers.CharField(help_text="bezwaar | kort_geding")
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)

    def validate_kind(self, value):
        if value not in ObjectionKind.values:
            raise serializers.ValidationError("Kies bezwaar of kort_geding.")
        return value


class ObjectionResolveInputSerializer(serializers.Serializer):
    # A plain string in the schema, like "kind" (choice sets would collide in the schema).
    result = serializers.CharField(
        help_text="rejected | upheld | withdrawn; upheld reopens the phase's final ranking "
        "(chair only) and the segment waits for corrected letters."
    )
    outcome = serializers.CharField(max_length=4000, help_text="The reasons for the result.")

    def validate_result(self, value):
        if value not in ObjectionResult.values:
            raise serializers.ValidationError("Kies rejected, upheld of withdrawn.")
        return value


class FinaliseSerializer(serializers.Serializer):
    finalised = serializers.ListField(child=serializers.CharField())
    already_final = serializers.ListField(child=serializers.CharField())
    refused = serializers.DictField(child=serializers.CharField(), help_text="Code: reason.")
    tender_awarded = serializers.BooleanField()

"""Input and output of the scoring API. Output serializers are fed the selectors' results; the
blind and price-vault rules are applied before anything reaches them."""

from rest_framework import serializers

from tender.constants import Phase


def level_text(level) -> str | None:
    """A level as a plain decimal string without trailing zeros ("0.5")."""
    if level is None:
        return None
    return format(level.normalize(), "f")


class PhaseQuerySerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=Phase.choices, default=Phase.SELECTION)


class AssignmentCreateInputSerializer(serializers.Serializer):
    dossier = serializers.IntegerField(help_text="Id van het dossier.")
    evaluator = serializers.CharField(help_text="Gebruikersnaam van de beoordelaar.")


class DeclarationInputSerializer(serializers.Serializer):
    has_conflict = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ScoreInputSerializer(serializers.Serializer):
    criterion = serializers.CharField(help_text="Code van het criterium.")
    level = serializers.CharField(help_text="Niveau op de schaal van het criterium, bv. 0.75.")
    rationale = serializers.CharField(allow_blank=True, default="", max_length=20000)


class FinalLevelInputSerializer(ScoreInputSerializer):
    pass


class ReviewInputSerializer(serializers.Serializer):
    accepted = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ProgressSerializer(serializers.Serializer):
    scored = serializers.IntegerField()
    total = serializers.IntegerField()
    submitted = serializers.BooleanField()


class AssignmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="assignment.pk")
    tender = serializers.CharField(source="assignment.dossier.submission.tender.slug")
    dossier = serializers.IntegerField(source="assignment.dossier_id")
    segment = serializers.CharField(source="assignment.dossier.segment.code")
    bidder_kvk = serializers.CharField(source="assignment.dossier.submission.bidder.kvk")
    bidder_name = serializers.CharField(source="assignment.dossier.submission.bidder.name")
    evaluator = serializers.CharField(source="assignment.evaluator.user.username")
    evaluator_name = serializers.CharField(source="assignment.evaluator.name")
    assigned_at = serializers.DateTimeField(source="assignment.assigned_at")
    declaration = serializers.ChoiceField(choices=["pending", "no_conflict", "conflict"])
    phase = serializers.SerializerMethodField()
    in_phase = serializers.BooleanField()
    progress = serializers.SerializerMethodField()

    def get_phase(self, state) -> str:
        return self.context["phase"]

    def get_progress(self, state) -> dict:
        return {"scored": state.scored, "total": state.total, "submitted": state.submitted}


class ScoreOutputSerializer(serializers.Serializer):
    criterion = serializers.CharField(source="criterion.code")
    evaluator = serializers.CharField(source="evaluator.user.username")
    evaluator_name = serializers.CharField(source="evaluator.name")
    level = serializers.SerializerMethodField()
    rationale = serializers.CharField()
    submitted = serializers.SerializerMethodField()

    def get_level(self, score) -> str:
        return level_text(score.level)

    def get_submitted(self, score) -> bool:
        return score.submitted_at is not None


class AnswerOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    requirement = serializers.CharField(source="requirement.code")
    segment = serializers.CharField(source="requirement.segment.code", default=None)
    text = serializers.CharField(source="requirement.text")
    met = serializers.BooleanField()
    rejected = serializers.BooleanField()
    rejection_reason = serializers.CharField()
    reviewed = serializers.SerializerMethodField()

    def get_reviewed(self, answer) -> bool:
        return getattr(answer, "review", None) is not None


class DossierOutputSerializer(serializers.Serializer):
    """A dossier's facts; ``bid`` is null while the price vault is closed."""

    id = serializers.IntegerField(source="dossier.pk")
    tender = serializers.CharField(source="dossier.submission.tender.slug")
    segment = serializers.CharField(source="dossier.segment.code")
    bidder_kvk = serializers.CharField(source="dossier.submission.bidder.kvk")
    bidder_name = serializers.CharField(source="dossier.submission.bidder.name")
    municipalities = serializers.SerializerMethodField()
    specialisms = serializers.ListField(source="facts.specialisms", child=serializers.CharField())
    requirement_answers = AnswerOutputSerializer(source="facts.answers", many=True)
    bid = serializers.SerializerMethodField()

    def get_municipalities(self, data) -> list[str]:
        return [m.code for m in data["facts"]["municipalities"]]

    def get_bid(self, data) -> dict | None:
        bid = data["facts"]["bid"]  # None while the price vault is closed (the selector decides)
        if bid is None:
            return None
        return {
            "clients": bid["clients"],
            "months": level_text(bid["months"]),
            "hours_per_month": level_text(bid["hours_per_month"]),
        }


class ConsensusCriterionSerializer(serializers.Serializer):
    criterion = serializers.CharField(source="criterion.code")
    name = serializers.CharField(source="criterion.name")
    scale = serializers.SerializerMethodField()
    scores = ScoreOutputSerializer(many=True)
    spread = serializers.IntegerField()
    flagged = serializers.BooleanField()
    final_level = serializers.SerializerMethodField()
    final_rationale = serializers.SerializerMethodField()

    def get_scale(self, row) -> list[str]:
        return [level_text(level) for level in row.scale]

    def get_final_level(self, row) -> str | None:
        return level_text(row.final.level) if row.final else None

    def get_final_rationale(self, row) -> str | None:
        return row.final.rationale if row.final else None


class ConsensusDossierSerializer(serializers.Serializer):
    """One dossier's consensus: ``criteria[].scores`` stays empty until ``ready``."""

    dossier = serializers.IntegerField(source="progress.dossier.pk")
    phase = serializers.CharField()
    ready = serializers.BooleanField(source="progress.all_submitted")
    evaluators = serializers.SerializerMethodField()
    submitted = serializers.IntegerField(source="progress.submitted")
    required = serializers.IntegerField(source="progress.required")
    criteria = ConsensusCriterionSerializer(source="rows", many=True)

    def get_evaluators(self, data) -> int:
        return len(data["progress"].active)


class ConsensusRowSerializer(serializers.Serializer):
    dossier = serializers.IntegerField(source="progress.dossier.pk")
    segment = serializers.CharField(source="progress.dossier.segment.code")
    bidder_kvk = serializers.CharField(source="progress.dossier.submission.bidder.kvk")
    bidder_name = serializers.CharField(source="progress.dossier.submission.bidder.name")
    evaluators = serializers.SerializerMethodField()
    submitted = serializers.IntegerField(source="progress.submitted")
    ready = serializers.BooleanField(source="progress.all_submitted")
    flagged = serializers.IntegerField(allow_null=True)
    criteria = serializers.IntegerField()
    final_levels = serializers.IntegerField(source="finals")

    def get_evaluators(self, row) -> int:
        return len(row.progress.active)


class RaterSerializer(serializers.Serializer):
    evaluator = serializers.CharField(source="evaluator.user.username")
    evaluator_name = serializers.CharField(source="evaluator.name")
    count = serializers.IntegerField()
    mean_deviation = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)

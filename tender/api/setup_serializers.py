"""Serializers of the set-up API: output per entity, input that resolves codes within the tender
and reports every problem of ``tender.services.setup`` as a field error (400)."""

from collections import defaultdict

from django.utils.translation import gettext as _
from rest_framework import serializers

from ..constants import Funding, PaymentRhythm, Phase, Procedure
from ..models import Criterion, Lot, Region, Requirement, Segment, SubSegment, Tender
from ..services import setup

# -- output -------------------------------------------------------------------------------


class SetupTenderOutputSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(read_only=True, slug_field="code")

    class Meta:
        model = Tender
        fields = ["slug", "title", "region", "procedure", "state", "deadline", "standstill_days"]


class SetupLotOutputSerializer(serializers.ModelSerializer):
    tender = serializers.SlugRelatedField(read_only=True, slug_field="slug")
    municipalities = serializers.SerializerMethodField()

    class Meta:
        model = Lot
        fields = ["id", "tender", "code", "name", "funding", "municipalities", "position"]

    def get_municipalities(self, lot) -> list[str]:
        return sorted(m.code for m in lot.municipalities.all())


class SetupSegmentOutputSerializer(serializers.ModelSerializer):
    tender = serializers.SlugRelatedField(read_only=True, slug_field="slug")
    lot = serializers.SlugRelatedField(read_only=True, slug_field="code")

    class Meta:
        model = Segment
        fields = [
            "id",
            "tender",
            "lot",
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
            "position",
        ]


class SetupSubSegmentOutputSerializer(serializers.ModelSerializer):
    tender = serializers.CharField(source="segment.tender.slug", read_only=True)
    segment = serializers.SlugRelatedField(read_only=True, slug_field="code")

    class Meta:
        model = SubSegment
        fields = ["id", "tender", "segment", "code", "name"]


class SetupRequirementOutputSerializer(serializers.ModelSerializer):
    tender = serializers.SlugRelatedField(read_only=True, slug_field="slug")
    segment = serializers.SlugRelatedField(read_only=True, slug_field="code")

    class Meta:
        model = Requirement
        fields = ["id", "tender", "segment", "code", "text", "phase", "position"]


class SetupCriterionOutputSerializer(serializers.ModelSerializer):
    tender = serializers.CharField(source="segment.tender.slug", read_only=True)
    segment = serializers.SlugRelatedField(read_only=True, slug_field="code")

    class Meta:
        model = Criterion
        fields = [
            "id",
            "tender",
            "segment",
            "code",
            "name",
            "phase",
            "max_points",
            "min_level",
            "position",
        ]


# -- input --------------------------------------------------------------------------------


def raise_problems(problems: setup.Problems) -> None:
    """Every problem as a DRF field error; ``None`` fields go to non_field_errors."""
    if not problems:
        return
    errors = defaultdict(list)
    for field, message in problems:
        errors[field or "non_field_errors"].append(message)
    raise serializers.ValidationError(dict(errors))


def decimal(model, name: str, **kwargs) -> serializers.DecimalField:
    """A DecimalField with the digits of the model field (the services full_clean() too)."""
    field = model._meta.get_field(name)
    if field.null:
        kwargs = {"required": False, "allow_null": True, "default": None, **kwargs}
    return serializers.DecimalField(
        max_digits=field.max_digits, decimal_places=field.decimal_places, **kwargs
    )


class SetupInputSerializer(serializers.Serializer):
    """Context: ``tender`` (the tender written to) and ``instance`` (None on create).

    ``tender`` in the payload names the tender on create; the view resolves it first, so a
    tender the caller may not see is a 404, not a field error.
    """

    tender = serializers.CharField(required=False, help_text="Kenmerk (slug) van de aanbesteding.")

    @property
    def target_tender(self) -> Tender:
        return self.context["tender"]

    @property
    def target(self):
        return self.context.get("instance")

    def segment_by_code(self, code):
        if code in (None, ""):
            return None
        segment = Segment.objects.filter(tender=self.target_tender, code=code).first()
        if segment is None:
            raise serializers.ValidationError(
                _("Segment %(code)s bestaat niet in deze aanbesteding.") % {"code": code}
            )
        return segment

    def to_service(self) -> dict:
        data = dict(self.validated_data)
        data.pop("tender", None)
        return data


class TenderInputSerializer(SetupInputSerializer):
    tender = None
    slug = serializers.CharField(required=False, allow_blank=True, max_length=64)
    title = serializers.CharField(allow_blank=True, max_length=300)
    region = serializers.SlugRelatedField(queryset=Region.objects.all(), slug_field="code")
    procedure = serializers.ChoiceField(choices=Procedure.choices, default=Procedure.RESTRICTED)
    deadline = serializers.DateTimeField()
    standstill_days = serializers.IntegerField(default=20)

    def validate(self, data):
        raise_problems(
            setup.tender_problems(
                slug=data.get("slug"),
                title=data["title"],
                region=data["region"],
                procedure=data["procedure"],
                deadline=data["deadline"],
                standstill_days=data["standstill_days"],
                tender=self.target,
            )
        )
        if self.target is not None:
            data.pop("slug", None)
        return data


class LotInputSerializer(SetupInputSerializer):
    code = serializers.CharField(allow_blank=True, max_length=32)
    name = serializers.CharField(allow_blank=True, max_length=200)
    funding = serializers.ChoiceField(choices=Funding.choices, default=Funding.LUMPSUM)
    municipalities = serializers.ListField(
        child=serializers.CharField(), help_text="CBS-codes, bijvoorbeeld ['GM0197']."
    )
    position = serializers.IntegerField(required=False, allow_null=True, min_value=0)

    def validate(self, data):
        raise_problems(
            setup.lot_problems(
                tender=self.target_tender,
                code=data["code"],
                name=data["name"],
                funding=data["funding"],
                municipalities=data["municipalities"],
                lot=self.target,
            )
        )
        return data


class SegmentInputSerializer(SetupInputSerializer):
    lot = serializers.CharField(help_text="Code van het perceel.")
    code = serializers.CharField(allow_blank=True, max_length=32)
    name = serializers.CharField(allow_blank=True, max_length=200)
    places = serializers.IntegerField()
    award_places = serializers.IntegerField(required=False, allow_null=True, default=None)
    min_total = decimal(Segment, "min_total")
    coverage_k = serializers.IntegerField(default=1)
    specialisms = serializers.ListField(child=serializers.CharField(), default=list)
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    tariff = decimal(Segment, "tariff")
    budget = decimal(Segment, "budget")
    payment = serializers.ChoiceField(choices=PaymentRhythm.choices, default=PaymentRhythm.MONTHLY)
    band = decimal(Segment, "band", help_text="Bandbreedte als fractie, bijvoorbeeld 0.05 voor 5%.")

    def validate_lot(self, code):
        lot = Lot.objects.filter(tender=self.target_tender, code=code).first()
        if lot is None:
            raise serializers.ValidationError(
                _("Perceel %(code)s bestaat niet in deze aanbesteding.") % {"code": code}
            )
        return lot

    def validate(self, data):
        checked = {k: v for k, v in data.items() if k not in ("tender", "start_date")}
        raise_problems(
            setup.segment_problems(tender=self.target_tender, segment=self.target, **checked)
        )
        return data


class SubSegmentInputSerializer(SetupInputSerializer):
    segment = serializers.CharField(help_text="Code van het segment.")
    code = serializers.CharField(allow_blank=True, max_length=32)
    name = serializers.CharField(allow_blank=True, max_length=200, default="")

    def validate_segment(self, code):
        return self.segment_by_code(code)

    def validate(self, data):
        raise_problems(
            setup.subsegment_problems(
                segment=data["segment"], code=data["code"], subsegment=self.target
            )
        )
        return data


class RequirementInputSerializer(SetupInputSerializer):
    segment = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text="Code van het segment; leeg voor een algemene minimumeis.",
    )
    code = serializers.CharField(allow_blank=True, max_length=32)
    text = serializers.CharField(allow_blank=True)
    phase = serializers.ChoiceField(
        choices=Phase.choices,
        required=False,
        default=Phase.SELECTION,
        help_text="De ronde waarin de eis wordt getoetst: selection (standaard) of award.",
    )
    position = serializers.IntegerField(required=False, allow_null=True, min_value=0)

    def validate_segment(self, code):
        return self.segment_by_code(code)

    def validate(self, data):
        raise_problems(
            setup.requirement_problems(
                tender=self.target_tender,
                segment=data["segment"],
                code=data["code"],
                text=data["text"],
                requirement=self.target,
                phase=data["phase"],
            )
        )
        return data


class CriterionInputSerializer(SetupInputSerializer):
    segment = serializers.CharField(help_text="Code van het segment.")
    code = serializers.CharField(allow_blank=True, max_length=32)
    name = serializers.CharField(allow_blank=True, max_length=200)
    phase = serializers.ChoiceField(choices=Phase.choices)
    max_points = decimal(Criterion, "max_points")
    min_level = decimal(Criterion, "min_level")
    position = serializers.IntegerField(required=False, allow_null=True)

    def validate_segment(self, code):
        return self.segment_by_code(code)

    def validate(self, data):
        raise_problems(
            setup.criterion_problems(
                segment=data["segment"],
                code=data["code"],
                name=data["name"],
                phase=data["phase"],
                max_points=data["max_points"],
                min_level=data["min_level"],
                position=data.get("position"),
                criterion=self.target,
            )
        )
        return data


class MunicipalitySerializer(serializers.Serializer):
    code = serializers.CharField(allow_blank=True, help_text="CBS-code, bijvoorbeeld GM0197.")
    name = serializers.CharField(allow_blank=True, max_length=200)


class SetupRegionOutputSerializer(serializers.ModelSerializer):
    municipalities = serializers.SerializerMethodField()

    class Meta:
        model = Region
        fields = ["code", "name", "municipalities"]

    def get_municipalities(self, region) -> list[dict]:
        return [
            {"code": m.code, "name": m.name}
            for m in sorted(region.municipalities.all(), key=lambda m: m.code)
        ]


class RegionInputSerializer(serializers.Serializer):
    """Context: ``instance`` (the region, None on create). The code is set on create only."""

    code = serializers.CharField(required=False, allow_blank=True, max_length=64)
    name = serializers.CharField(allow_blank=True, max_length=200)
    municipalities = MunicipalitySerializer(many=True, allow_empty=True)

    def validate(self, data):
        region = self.context.get("instance")
        data["municipalities"] = [(m["code"], m["name"]) for m in data["municipalities"]]
        raise_problems(
            setup.region_problems(
                code=data.get("code"),
                name=data["name"],
                municipalities=data["municipalities"],
                region=region,
            )
        )
        if region is not None:
            data.pop("code", None)
        return data


class ScenarioImportInputSerializer(serializers.Serializer):
    """Multipart: ``file`` and ``replace``. Or a JSON body that is the scenario itself, with
    ``?replace=true``."""

    file = serializers.FileField(required=False)
    replace = serializers.BooleanField(default=False)


class ScenarioIssueSerializer(serializers.Serializer):
    path = serializers.CharField()
    message = serializers.CharField()

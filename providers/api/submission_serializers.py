"""Serializers of the submission API (``/api/v1/portal/tenders/<slug>/submission/...``)."""

from rest_framework import serializers

from ..models import DocumentKind, Dossier, Subcontractor, Submission, SubmissionDocument


class DocumentSerializer(serializers.ModelSerializer):
    segment = serializers.CharField(source="segment.code", default=None, read_only=True)
    requirement = serializers.CharField(source="requirement.code", default=None, read_only=True)
    criterion = serializers.CharField(source="criterion.code", default=None, read_only=True)
    size = serializers.IntegerField(source="file.size", read_only=True)
    sha256 = serializers.CharField(source="file.sha256", read_only=True)
    content_type = serializers.CharField(source="file.content_type", read_only=True)
    pages = serializers.IntegerField(source="file.pages", read_only=True, allow_null=True)

    class Meta:
        model = SubmissionDocument
        fields = [
            "id",
            "kind",
            "segment",
            "requirement",
            "criterion",
            "name",
            "size",
            "sha256",
            "content_type",
            "pages",
            "uploaded_at",
        ]


class DossierSerializer(serializers.ModelSerializer):
    segment = serializers.CharField(source="segment.code", read_only=True)
    municipalities = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = [
            "segment",
            "municipalities",
            "specialisms",
            "bid_clients",
            "bid_months",
            "bid_hours_per_month",
        ]

    def get_municipalities(self, dossier) -> list[str]:
        return sorted(m.code for m in dossier.municipalities.all())


class SubcontractorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Subcontractor
        fields = ["id", "name", "kvk"]


class ChecklistItemSerializer(serializers.Serializer):
    label = serializers.CharField()
    done = serializers.BooleanField()


class SubmissionSerializer(serializers.ModelSerializer):
    tender = serializers.CharField(source="tender.slug", read_only=True)
    bidder = serializers.CharField(source="bidder.kvk", read_only=True)
    answers = serializers.SerializerMethodField()
    party_answers = serializers.SerializerMethodField()
    dossiers = DossierSerializer(many=True, read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)
    subcontractors = SubcontractorSerializer(many=True, read_only=True)
    checklist = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "tender",
            "bidder",
            "version",
            "state",
            "is_current",
            "submitted_at",
            "content_hash",
            "answers",
            "party_answers",
            "dossiers",
            "documents",
            "subcontractors",
            "checklist",
        ]

    def get_answers(self, submission) -> dict[str, bool]:
        return {a.requirement.code: a.met for a in submission.answers.all()}

    def get_party_answers(self, submission) -> dict[str, dict[str, bool]]:
        """Requirement code -> party key (m<organisation id> / s<subcontractor id>) -> met."""
        answers: dict[str, dict[str, bool]] = {}
        for a in submission.party_answers.all():
            key = f"m{a.member_id}" if a.member_id else f"s{a.subcontractor_id}"
            answers.setdefault(a.requirement.code, {})[key] = a.met
        return answers

    def get_checklist(self, submission) -> list[dict]:
        from ..submission_selectors import submission_checklist

        if submission.state != "draft":
            return []
        return [
            {"label": item.label, "done": item.done} for item in submission_checklist(submission)
        ]


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Submission
        fields = ["version", "state", "is_current", "submitted_at", "withdrawn_at", "content_hash"]


class OverviewSerializer(serializers.Serializer):
    draft = SubmissionSerializer(allow_null=True)
    versions = VersionSerializer(many=True)


class ReceiptSerializer(serializers.ModelSerializer):
    tender = serializers.CharField(source="tender.slug")
    bidder = serializers.CharField(source="bidder.kvk")
    received_at = serializers.DateTimeField(source="submitted_at")
    manifest = serializers.JSONField()

    class Meta:
        model = Submission
        fields = [
            "tender",
            "bidder",
            "version",
            "state",
            "is_current",
            "received_at",
            "content_hash",
            "manifest",
        ]


class SegmentsInputSerializer(serializers.Serializer):
    segments = serializers.ListField(child=serializers.CharField(max_length=50))


class AnswersInputSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.BooleanField(allow_null=True),
        help_text="Requirement code -> true/false, or null to clear the answer.",
    )
    party_answers = serializers.DictField(
        child=serializers.DictField(child=serializers.BooleanField(allow_null=True)),
        required=False,
        default=dict,
        help_text="Requirements of every party: requirement code -> {party key -> true/false "
        "or null}; the party key is m<organisation id> for a confirmed member of the "
        "combination, s<subcontractor id> for a subcontractor of the submission.",
    )


class DossierInputSerializer(serializers.Serializer):
    municipalities = serializers.ListField(child=serializers.CharField(max_length=20))
    specialisms = serializers.ListField(child=serializers.CharField(max_length=50), default=list)
    bid_clients = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    bid_months = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    bid_hours_per_month = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class UploadInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    segment = serializers.CharField(required=False, allow_blank=True)
    requirement = serializers.CharField(required=False, allow_blank=True)
    criterion = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="A plan per award criterion: the criterion's code (with its segment).",
    )
    file = serializers.FileField(allow_empty_file=True)


class SubcontractorInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kvk = serializers.CharField(max_length=8)

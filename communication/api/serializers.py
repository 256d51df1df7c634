"""Serializers of the communication API: input serializers feed the services, output
serializers decide what each audience sees. The public and provider outputs never contain the
organisation that asked a question; only the staff output does."""

from django.urls import reverse
from rest_framework import serializers

from tender.models import Lot, Segment, Tender

from ..models import KeyDate, NewsItem, Nota, Question, Session, TenderDocument


def _code(obj):
    return obj.code if obj is not None else None


# -- public -------------------------------------------------------------------------------


class PublicDocumentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    kind = serializers.CharField(read_only=True, help_text="document, nota of proces_verbaal")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = TenderDocument
        fields = ["id", "title", "kind", "kind_display", "sha256", "created_at", "url"]

    def get_url(self, document) -> str:
        path = reverse("public-document", args=[document.tender.slug, document.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class PublicNewsSerializer(serializers.ModelSerializer):
    class Meta:
        model = NewsItem
        fields = ["id", "title", "body", "published_at"]


class PublicSessionSerializer(serializers.ModelSerializer):
    """No participation link: that goes to registered participants only."""

    lots = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    segments = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    taken = serializers.IntegerField(read_only=True)
    overflow = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Session
        fields = [
            "id",
            "kind",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "location",
            "lots",
            "segments",
            "capacity",
            "taken",
            "registration_opens_at",
            "registration_deadline",
            "overflow",
            "cancelled_at",
        ]
        read_only_fields = ["cancelled_at"]


class KeyMomentSerializer(serializers.Serializer):
    label = serializers.CharField()
    when = serializers.SerializerMethodField()
    note = serializers.CharField()
    is_deadline = serializers.BooleanField()

    def get_when(self, moment) -> str:
        return moment.when.isoformat()


class PublicNotaQuestionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    lot = serializers.SerializerMethodField()
    segment = serializers.SerializerMethodField()
    question = serializers.CharField(source="published_question")
    answer = serializers.CharField()

    def get_lot(self, question) -> str | None:
        return _code(question.lot)

    def get_segment(self, question) -> str | None:
        return _code(question.segment)


class PublicNotaSerializer(serializers.ModelSerializer):
    questions = PublicNotaQuestionSerializer(source="items", many=True, read_only=True)
    document = PublicDocumentSerializer(read_only=True)

    class Meta:
        model = Nota
        fields = ["number", "intro", "published_at", "document", "questions"]


class PublicTenderSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Tender
        fields = ["slug", "title", "region", "procedure", "state", "deadline"]


# -- staff: news, key dates, sessions, notas -----------------------------------------------


class TenderSlugField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", queryset=Tender.objects.all(), **kwargs)


class NewsItemSerializer(serializers.ModelSerializer):
    tender = TenderSlugField()
    mail_subscribers = serializers.BooleanField(write_only=True, default=False)

    class Meta:
        model = NewsItem
        fields = [
            "id",
            "tender",
            "title",
            "body",
            "published",
            "published_at",
            "mailed_at",
            "mail_subscribers",
        ]
        read_only_fields = ["mailed_at"]
        extra_kwargs = {"published_at": {"required": False}}


class KeyDateSerializer(serializers.ModelSerializer):
    tender = TenderSlugField()

    class Meta:
        model = KeyDate
        fields = ["id", "tender", "label", "date", "note"]


class SessionSerializer(serializers.ModelSerializer):
    """Staff view of a session, participation link included."""

    tender = TenderSlugField()
    lots = serializers.SlugRelatedField(
        many=True, slug_field="code", queryset=Lot.objects.all(), required=False
    )
    segments = serializers.SlugRelatedField(
        many=True, slug_field="code", queryset=Segment.objects.all(), required=False
    )
    overflow = serializers.PrimaryKeyRelatedField(
        queryset=Session.objects.all(), allow_null=True, required=False
    )
    taken = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = [
            "id",
            "tender",
            "kind",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "location",
            "online_link",
            "lots",
            "segments",
            "capacity",
            "registration_opens_at",
            "registration_deadline",
            "programme",
            "details_send_by",
            "details_sent_at",
            "cancelled_at",
            "overflow",
            "taken",
        ]
        read_only_fields = ["details_sent_at", "cancelled_at"]

    def get_taken(self, session) -> int:
        taken = getattr(session, "taken", None)  # annotated in lists
        if taken is None:
            taken = session.registrations.filter(cancelled_at__isnull=True).count()
        return taken

    def to_internal_value(self, data):
        # Lot and segment codes are unique per tender: resolve them within the tender.
        tender_slug = data.get("tender") or (self.instance.tender.slug if self.instance else None)
        for name in ("lots", "segments"):
            self.fields[name].child_relation.queryset = self.fields[
                name
            ].child_relation.queryset.filter(tender__slug=tender_slug)
        self.fields["overflow"].queryset = Session.objects.filter(tender__slug=tender_slug)
        return super().to_internal_value(data)


class NotaSerializer(serializers.ModelSerializer):
    tender = TenderSlugField()
    questions = serializers.PrimaryKeyRelatedField(many=True, queryset=Question.objects.all())
    document = PublicDocumentSerializer(read_only=True)

    class Meta:
        model = Nota
        fields = ["id", "tender", "number", "intro", "questions", "published_at", "document"]
        read_only_fields = ["number", "published_at"]


class DeadlineMoveSerializer(serializers.Serializer):
    deadline = serializers.DateTimeField()


# -- questions and registrations (providers' data; explicit fields, no model import) ---------


class QuestionInputSerializer(serializers.Serializer):
    tender = serializers.SlugField(help_text="Kenmerk (slug) van de aanbesteding.")
    lot = serializers.CharField(required=False, allow_blank=True, help_text="Code van het perceel.")
    segment = serializers.CharField(
        required=False, allow_blank=True, help_text="Code van het segment."
    )
    text = serializers.CharField(max_length=5000)


class ProviderQuestionSerializer(serializers.Serializer):
    """A provider's own question. The answer and the number appear once the nota with the
    question is published: every bidder gets the answers at the same moment."""

    id = serializers.IntegerField()
    tender = serializers.CharField(source="tender.slug")
    lot = serializers.SerializerMethodField()
    segment = serializers.SerializerMethodField()
    text = serializers.CharField()
    asked_at = serializers.DateTimeField()
    nota = serializers.SerializerMethodField()
    number = serializers.SerializerMethodField()
    answer = serializers.SerializerMethodField()

    def _published(self, question) -> bool:
        return question.nota_id is not None and question.nota.is_published

    def get_lot(self, question) -> str | None:
        return _code(question.lot)

    def get_segment(self, question) -> str | None:
        return _code(question.segment)

    def get_nota(self, question) -> int | None:
        return question.nota.number if self._published(question) else None

    def get_number(self, question) -> int | None:
        return question.number if self._published(question) else None

    def get_answer(self, question) -> str | None:
        return question.answer if self._published(question) else None


class StaffQuestionSerializer(ProviderQuestionSerializer):
    """Staff see who asked, the draft answer and a nota in preparation too."""

    organisation = serializers.SerializerMethodField()
    public_text = serializers.CharField()
    answered_at = serializers.DateTimeField()

    def _published(self, question) -> bool:
        return True

    def get_nota(self, question) -> int | None:
        return question.nota.number if question.nota_id else None

    def get_answer(self, question) -> str:
        return question.answer

    def get_organisation(self, question) -> dict:
        return {"kvk": question.organisation.kvk, "name": question.organisation.name}


class AnswerInputSerializer(serializers.Serializer):
    answer = serializers.CharField()
    public_text = serializers.CharField(required=False, allow_blank=True)


class RegistrationInputSerializer(serializers.Serializer):
    session = serializers.IntegerField(help_text="Id van de sessie (niet van een extra sessie).")
    participant_name = serializers.CharField(max_length=200)
    participant_email = serializers.EmailField()


class RegistrationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    session = serializers.IntegerField(source="session_id")
    session_title = serializers.CharField(source="session.title")
    in_overflow = serializers.SerializerMethodField()
    organisation = serializers.SerializerMethodField()
    participant_name = serializers.CharField()
    participant_email = serializers.EmailField()
    registered_at = serializers.DateTimeField()
    cancelled_at = serializers.DateTimeField()

    def get_in_overflow(self, registration) -> bool:
        return registration.session.main_session is not None

    def get_organisation(self, registration) -> dict:
        return {"kvk": registration.organisation.kvk, "name": registration.organisation.name}

"""Serializers of the provider portal API: an organisation's own data only."""

from rest_framework import serializers

from .. import uea as structure
from ..constants import LegalForm
from ..models import (
    Combination,
    CombinationMember,
    Organisation,
    OrganisationInvitation,
    OrganisationMembership,
    UEADeclaration,
)


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = [
            "id",
            "kvk",
            "name",
            "legal_form",
            "agb",
            "address",
            "postcode",
            "city",
            "phone",
            "contact_name",
            "contact_email",
        ]
        read_only_fields = ["id", "kvk"]


class OrganisationUpdateSerializer(serializers.Serializer):
    """Every field optional (PATCH); the service validates."""

    name = serializers.CharField(required=False, max_length=200)
    legal_form = serializers.ChoiceField(choices=LegalForm.choices, required=False)
    agb = serializers.CharField(required=False, allow_blank=True, max_length=8)
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    postcode = serializers.CharField(required=False, allow_blank=True, max_length=7)
    city = serializers.CharField(required=False, allow_blank=True, max_length=100)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    contact_email = serializers.EmailField(required=False, allow_blank=True)


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = OrganisationMembership
        fields = ["id", "username", "name", "email", "is_admin", "created_at"]


class InvitationSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()

    class Meta:
        model = OrganisationInvitation
        fields = ["id", "email", "created_at", "expires_at", "accepted_at", "revoked_at", "state"]

    def get_state(self, obj) -> str:
        return obj.state(self.context["now"])


class InvitationInputSerializer(serializers.Serializer):
    email = serializers.EmailField()


class CombinationMemberSerializer(serializers.ModelSerializer):
    kvk = serializers.CharField(source="organisation.kvk", read_only=True)
    name = serializers.CharField(source="organisation.name", read_only=True)
    combination = serializers.IntegerField(source="combination_id", read_only=True)
    state = serializers.SerializerMethodField()

    class Meta:
        model = CombinationMember
        fields = ["id", "combination", "kvk", "name", "state", "invited_at", "confirmed_at"]

    def get_state(self, obj) -> str:
        if obj.is_confirmed:
            return "confirmed"
        return "declined" if obj.is_declined else "invited"


class CombinationSerializer(serializers.ModelSerializer):
    tender = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    lead_kvk = serializers.CharField(source="lead.kvk", read_only=True)
    lead_name = serializers.CharField(source="lead.name", read_only=True)
    members = CombinationMemberSerializer(source="member_rows", many=True, read_only=True)
    complete = serializers.SerializerMethodField()

    class Meta:
        model = Combination
        fields = [
            "id",
            "tender",
            "name",
            "lead_kvk",
            "lead_name",
            "legal_entity",
            "kvk",
            "members",
            "complete",
        ]

    def get_complete(self, obj) -> bool:
        from ..portal_selectors import combination_is_complete

        return combination_is_complete(obj)


class CombinationInputSerializer(serializers.Serializer):
    tender = serializers.SlugField()
    name = serializers.CharField(max_length=200)
    legal_entity = serializers.BooleanField(
        required=False,
        default=False,
        help_text="A legal entity with its own KvK number; false for a combination in "
        "formation or a consortium (its lead's KvK identifies it).",
    )
    kvk = serializers.CharField(max_length=8, required=False, allow_blank=True, default="")


class CombinationInviteSerializer(serializers.Serializer):
    kvk = serializers.CharField(max_length=8)


class UEASerializer(serializers.ModelSerializer):
    tender = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    is_signed = serializers.BooleanField(read_only=True)
    problems = serializers.SerializerMethodField()

    class Meta:
        model = UEADeclaration
        fields = [
            "tender",
            "answers",
            "signer_name",
            "signer_role",
            "signed_place",
            "signed_on",
            "signed_at",
            "is_signed",
            "content_hash",
            "problems",
        ]

    def get_problems(self, obj) -> dict[str, str]:
        from ..services.uea import uea_problems

        return {} if obj.is_signed else uea_problems(obj)


class UEAInputSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Per vraagcode (providers/uea.py): true/false voor ja/nee-vragen, tekst "
        "anders; '<code>__explanation' voor een toelichting.",
    )
    signer_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    signer_role = serializers.CharField(required=False, allow_blank=True, max_length=200)
    signed_place = serializers.CharField(required=False, allow_blank=True, max_length=100)

    def validate_answers(self, value):
        unknown = [
            k for k in value if k.removesuffix("__explanation") not in structure.QUESTION_CODES
        ]
        if unknown:
            raise serializers.ValidationError(f"Onbekende vraagcodes: {', '.join(sorted(unknown))}")
        return value


class ResultRowSerializer(serializers.Serializer):
    segment = serializers.CharField(source="segment.code")
    rank = serializers.IntegerField(allow_null=True)
    points = serializers.DecimalField(max_digits=9, decimal_places=2)
    status = serializers.CharField()


class PhaseResultSerializer(serializers.Serializer):
    phase = serializers.CharField()
    final = serializers.BooleanField()
    rows = ResultRowSerializer(many=True)


class PortalTenderSerializer(serializers.Serializer):
    """The provider's overview of one tender."""

    tender = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()
    deadline = serializers.DateTimeField()
    combination = CombinationSerializer(allow_null=True)
    invitations = CombinationMemberSerializer(many=True)
    uea_signed = serializers.BooleanField()
    results = PhaseResultSerializer(many=True)


class OrganisationRegistrationSerializer(OrganisationUpdateSerializer):
    """Registering an organisation with its first (admin) user; the service validates the
    organisation's details, the KvK number and the password."""

    kvk = serializers.CharField(max_length=8)
    name = serializers.CharField(max_length=200)
    legal_form = serializers.ChoiceField(choices=LegalForm.choices)
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)


class InvitationAcceptSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)


class NewAccountSerializer(serializers.Serializer):
    """The new account and its API token (send it as ``Authorization: Token <token>``)."""

    username = serializers.CharField()
    token = serializers.CharField()
    organisation = OrganisationSerializer()

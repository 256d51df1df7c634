"""The provider portal API (``/api/v1/portal/``): the user's own organisation, its colleagues
and invitations, combinations, the UEA and a tender overview. The same services and rules as
the screens; another organisation's objects answer 404."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.tokens import api_token_create
from audit.services import client_address_of
from tender.files import PDF, document_response

from ..models import (
    Combination,
    CombinationMember,
    OrganisationInvitation,
    OrganisationMembership,
)
from ..portal_sections import tender_section
from ..portal_selectors import (
    combination_invitations,
    combination_members_visible_to,
    combination_of,
    combinations_visible_to,
    invitations_of,
    members_of,
    uea_of,
)
from ..selectors import organisation_of, portal_tenders
from ..services.combinations import (
    combination_create,
    combination_invite,
    combination_member_decide,
    combination_member_remove,
)
from ..services.organisations import (
    invitation_accept,
    invitation_create,
    invitation_revoke,
    organisation_register,
    organisation_update,
)
from ..services.uea import uea_pdf, uea_save, uea_sign
from .serializers import (
    CombinationInputSerializer,
    CombinationInviteSerializer,
    CombinationMemberSerializer,
    CombinationSerializer,
    InvitationAcceptSerializer,
    InvitationInputSerializer,
    InvitationSerializer,
    MemberSerializer,
    NewAccountSerializer,
    OrganisationRegistrationSerializer,
    OrganisationSerializer,
    OrganisationUpdateSerializer,
    PortalTenderSerializer,
    UEAInputSerializer,
    UEASerializer,
)


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


class OrganisationScoped:
    """The request user's organisation; a user without one gets 404 everywhere here."""

    def organisation(self):
        organisation = organisation_of(self.request.user)
        if organisation is None:
            raise NotFound
        return organisation


@extend_schema(tags=["portaal"])
class OwnOrganisationView(OrganisationScoped, APIView):
    serializer_class = OrganisationSerializer

    def get(self, request):
        return Response(OrganisationSerializer(self.organisation()).data)

    @extend_schema(request=OrganisationUpdateSerializer, responses=OrganisationSerializer)
    def patch(self, request):
        data = OrganisationUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = organisation_update(
            organisation=self.organisation(),
            user=request.user,
            client_address=client_address_of(request),
            **data.validated_data,
        )
        return Response(OrganisationSerializer(organisation).data)


@extend_schema(tags=["portaal"])
class MemberViewSet(OrganisationScoped, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The users of the own organisation."""

    serializer_class = MemberSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return OrganisationMembership.objects.none()
        return members_of(self.organisation())


@extend_schema(tags=["portaal"])
class InvitationViewSet(
    OrganisationScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Invitations of colleagues (admins create and revoke)."""

    serializer_class = InvitationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return OrganisationInvitation.objects.none()
        return invitations_of(self.organisation())

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(request=InvitationInputSerializer, responses={201: InvitationSerializer})
    def create(self, request):
        data = InvitationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation, _token = invitation_create(
            organisation=self.organisation(),
            user=request.user,
            email=data.validated_data["email"],
            base_url=_base_url(request),
            client_address=client_address_of(request),
        )
        return Response(self.get_serializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        invitation = invitation_revoke(
            invitation=self.get_object(),
            user=request.user,
            client_address=client_address_of(request),
        )
        return Response(self.get_serializer(invitation).data)


@extend_schema(tags=["portaal"])
class CombinationViewSet(
    OrganisationScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Combinations the own organisation leads or is invited into."""

    serializer_class = CombinationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Combination.objects.none()
        return combinations_visible_to(self.organisation())

    @extend_schema(request=CombinationInputSerializer, responses={201: CombinationSerializer})
    def create(self, request):
        data = CombinationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tender = get_object_or_404(portal_tenders(), slug=data.validated_data["tender"])
        combination = combination_create(
            tender=tender,
            organisation=self.organisation(),
            user=request.user,
            name=data.validated_data["name"],
            legal_entity=data.validated_data["legal_entity"],
            kvk=data.validated_data["kvk"],
            client_address=client_address_of(request),
        )
        return Response(
            CombinationSerializer(self.get_queryset().get(pk=combination.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=CombinationInviteSerializer, responses={201: CombinationMemberSerializer}
    )
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        combination = self.get_object()
        if combination.lead_id != self.organisation().pk:
            raise NotFound
        data = CombinationInviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = combination_invite(
            combination=combination,
            kvk=data.validated_data["kvk"],
            user=request.user,
            base_url=_base_url(request),
            client_address=client_address_of(request),
        )
        return Response(CombinationMemberSerializer(member).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["portaal"])
class CombinationMemberViewSet(
    OrganisationScoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Member rows of the combinations the own organisation leads, and its own invitations:
    the invited organisation confirms or declines, the lead removes an unconfirmed member."""

    serializer_class = CombinationMemberSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return CombinationMember.objects.none()
        return combination_members_visible_to(self.organisation()).order_by("pk")

    def _decide(self, request, accept: bool):
        member = self.get_object()
        if member.organisation_id != self.organisation().pk:
            raise NotFound
        member = combination_member_decide(
            member=member,
            user=request.user,
            accept=accept,
            base_url=_base_url(request),
            client_address=client_address_of(request),
        )
        return Response(CombinationMemberSerializer(member).data)

    @extend_schema(request=None, responses=CombinationMemberSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._decide(request, True)

    @extend_schema(request=None, responses=CombinationMemberSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._decide(request, False)

    def destroy(self, request, pk=None):
        member = self.get_object()
        if member.combination.lead_id != self.organisation().pk:
            raise NotFound
        combination_member_remove(
            member=member, user=request.user, client_address=client_address_of(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class TenderScoped(OrganisationScoped):
    def tender(self, slug):
        return get_object_or_404(portal_tenders(), slug=slug)


@extend_schema(tags=["portaal"])
class PortalTenderView(TenderScoped, APIView):
    """The own overview of one tender: combination, invitations, UEA status and, after the
    opening, the own result per phase (final rankings only). Questions and session
    registrations: ``/api/v1/questions/?tender=<slug>`` and ``/api/v1/session-registrations/``."""

    @extend_schema(responses=PortalTenderSerializer)
    def get(self, request, slug):
        tender, organisation = self.tender(slug), self.organisation()
        declaration = uea_of(tender=tender, organisation=organisation)
        data = {
            "tender": tender.slug,
            "title": tender.title,
            "state": tender.state,
            "deadline": tender.deadline,
            "combination": combination_of(tender=tender, organisation=organisation),
            "invitations": combination_invitations(tender=tender, organisation=organisation),
            "uea_signed": bool(declaration and declaration.is_signed),
            "results": tender_section(
                "results", tender=tender, organisation=organisation, default=[]
            ),
        }
        return Response(PortalTenderSerializer(data).data)


@extend_schema(tags=["portaal"])
class UEAView(TenderScoped, APIView):
    """The own organisation's UEA for a tender: read, save the draft (PUT)."""

    def _declaration(self, slug):
        declaration = uea_of(tender=self.tender(slug), organisation=self.organisation())
        if declaration is None:
            raise NotFound
        return declaration

    @extend_schema(responses=UEASerializer)
    def get(self, request, slug):
        return Response(UEASerializer(self._declaration(slug)).data)

    @extend_schema(request=UEAInputSerializer, responses=UEASerializer)
    def put(self, request, slug):
        data = UEAInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        declaration = uea_save(
            tender=self.tender(slug),
            organisation=self.organisation(),
            user=request.user,
            answers=values["answers"],
            signer_name=values.get("signer_name", ""),
            signer_role=values.get("signer_role", ""),
            signed_place=values.get("signed_place", ""),
            client_address=client_address_of(request),
        )
        return Response(UEASerializer(declaration).data)


@extend_schema(tags=["portaal"])
class UEASignView(TenderScoped, APIView):
    @extend_schema(request=None, responses=UEASerializer)
    def post(self, request, slug):
        declaration = uea_sign(
            tender=self.tender(slug),
            organisation=self.organisation(),
            user=request.user,
            client_address=client_address_of(request),
        )
        return Response(UEASerializer(declaration).data)


@extend_schema(tags=["portaal"])
class UEAPdfView(TenderScoped, APIView):
    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF")
        }
    )
    def get(self, request, slug):
        declaration = uea_of(tender=self.tender(slug), organisation=self.organisation())
        if declaration is None:
            raise NotFound
        name = f"UEA-{declaration.tender.slug}-{declaration.organisation.kvk}.pdf"
        return document_response(uea_pdf(declaration), filename=name, content_type=PDF)


def _new_account(user, request) -> Response:
    _token, key = api_token_create(
        user=user,
        name=gettext("Aangemaakt bij registratie"),
        client_address=client_address_of(request),
    )
    organisation = organisation_of(user)
    return Response(
        NewAccountSerializer(
            {"username": user.username, "token": key, "organisation": organisation}
        ).data,
        status=status.HTTP_201_CREATED,
    )


@extend_schema(tags=["portaal"])
class RegistrationView(APIView):
    """Register an organisation (KvK, one per number) with its first user, who becomes its
    admin; answers the new account's API token. No login needed; rate-limited."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "portal-register"

    @extend_schema(
        request=OrganisationRegistrationSerializer, responses={201: NewAccountSerializer}
    )
    def post(self, request):
        data = OrganisationRegistrationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user, _organisation = organisation_register(
            client_address=client_address_of(request), **data.validated_data
        )
        return _new_account(user, request)


@extend_schema(tags=["portaal"])
class InvitationAcceptView(APIView):
    """Accept a colleague invitation with its token (from the mail): creates the account
    (username = the invited address) and answers its API token. Single use."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "portal-register"

    @extend_schema(request=InvitationAcceptSerializer, responses={201: NewAccountSerializer})
    def post(self, request):
        data = InvitationAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = invitation_accept(client_address=client_address_of(request), **data.validated_data)
        return _new_account(user, request)

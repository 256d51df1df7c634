"""The API of what providers do on the public site: register their organisation for a session
and ask questions. Staff list registrations and questions (with who asked) and answer.

A provider sees its own organisation's registrations and questions only: another
organisation's are a 404.
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.permissions import is_staff_member
from audit.services import client_address_of
from providers.selectors import organisation_of
from tender.services.mail import base_url_of

from ..models import Session
from ..permissions import (
    can_ask_question,
    can_manage_tender_communication,
    can_register_for_session,
)
from ..selectors import (
    public_tenders,
    questions_filter,
    questions_visible_to,
    registrations_visible_to,
)
from ..services.questions import question_answer, question_ask
from ..services.registrations import session_register, session_registration_cancel
from .serializers import (
    AnswerInputSerializer,
    ProviderQuestionSerializer,
    QuestionInputSerializer,
    RegistrationInputSerializer,
    RegistrationSerializer,
    StaffQuestionSerializer,
)

# -- registrations and questions (providers and staff) ------------------------------------------


@extend_schema(tags=["communicatie"])
class SessionRegistrationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A provider registers its organisation (one participant) and cancels; it sees its own
    organisation's registrations only. Staff list them all (``?session=<id>``)."""

    serializer_class = RegistrationSerializer

    def get_queryset(self):
        queryset = registrations_visible_to(self.request.user).order_by("registered_at", "pk")
        session = self.request.query_params.get("session")
        if session and session.isdigit():
            queryset = queryset.filter(Q(session_id=session) | Q(session__overflow_for=session))
        if self.request.query_params.get("active") == "true":
            queryset = queryset.filter(cancelled_at__isnull=True)
        return queryset

    @extend_schema(
        parameters=[
            OpenApiParameter("session", int, description="Sessie (met haar extra sessie)"),
            OpenApiParameter("active", bool, description="Alleen niet afgemelde"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=RegistrationInputSerializer, responses={201: RegistrationSerializer})
    def create(self, request):
        data = RegistrationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = get_object_or_404(
            Session.objects.filter(tender__in=public_tenders()), pk=data.validated_data["session"]
        )
        if not can_register_for_session(request.user, session):
            raise PermissionDenied
        registration = session_register(
            session=session,
            organisation=organisation_of(request.user),
            participant_name=data.validated_data["participant_name"],
            participant_email=data.validated_data["participant_email"],
            user=request.user,
            base_url=base_url_of(request),
        )
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        registration = self.get_object()
        registration = session_registration_cancel(registration=registration, user=request.user)
        return Response(RegistrationSerializer(registration).data)


@extend_schema(tags=["communicatie"])
class QuestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Providers ask questions and list their own organisation's (answers appear with the
    published nota); staff list all, with who asked, filter them and answer."""

    def get_queryset(self):
        params = self.request.query_params
        queryset = questions_visible_to(self.request.user)
        if params.get("tender"):
            queryset = queryset.filter(tender__slug=params["tender"])
        answered = {"true": True, "false": False}.get(params.get("answered", ""))
        return questions_filter(
            queryset, lot=params.get("lot"), segment=params.get("segment"), answered=answered
        ).order_by("asked_at", "pk")

    def get_serializer_class(self):
        if is_staff_member(self.request.user):
            return StaffQuestionSerializer
        return ProviderQuestionSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("tender", str),
            OpenApiParameter("lot", str, description="Code van het perceel"),
            OpenApiParameter("segment", str, description="Code van het segment"),
            OpenApiParameter("answered", bool),
        ],
        responses=StaffQuestionSerializer(many=True),
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=QuestionInputSerializer, responses={201: ProviderQuestionSerializer})
    def create(self, request):
        data = QuestionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        tender = get_object_or_404(public_tenders(), slug=values["tender"])
        if not can_ask_question(request.user, tender):
            raise PermissionDenied
        lot = get_object_or_404(tender.lots, code=values["lot"]) if values.get("lot") else None
        segment = (
            get_object_or_404(tender.segments, code=values["segment"])
            if values.get("segment")
            else None
        )
        question = question_ask(
            tender=tender,
            organisation=organisation_of(request.user),
            user=request.user,
            text=values["text"],
            lot=lot,
            segment=segment,
            client_address=client_address_of(request),
        )
        return Response(ProviderQuestionSerializer(question).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AnswerInputSerializer, responses=StaffQuestionSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        question = self.get_object()
        if not can_manage_tender_communication(request.user, question.tender):
            raise PermissionDenied
        data = AnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = question_answer(
            question=question,
            user=request.user,
            answer=data.validated_data["answer"],
            public_text=data.validated_data.get("public_text"),
        )
        return Response(StaffQuestionSerializer(question).data)

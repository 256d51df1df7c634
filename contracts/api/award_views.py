"""The award decision API: the decision per tender, letters (staff: all; a provider: its own
sent letters), making and sending letters, objections and the final award. Same rules as the
screens; anything the caller may not see is a 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import is_staff_member
from audit.services import client_address_of
from providers.models import Organisation
from providers.selectors import organisation_of
from tender.mixins import tender_or_404
from tender.models import Segment, Tender

from ..award_models import AwardLetter, Objection
from ..award_selectors import (
    decision_of,
    decision_segments,
    letter_targets,
    letters_for_organisation,
    objections_of,
    phases_of,
)
from ..award_views import letter_response
from ..permissions import can_manage_award, can_view_award
from ..services import awards as services
from .award_serializers import (
    AwardDecisionSerializer,
    FinaliseSerializer,
    LetterRunSerializer,
    LetterSerializer,
    ObjectionInputSerializer,
    ObjectionResolveInputSerializer,
    ObjectionSerializer,
)


class TenderAwardMixin:
    manage = False

    def tender(self, request, slug) -> Tender:
        tender = tender_or_404(request.user, slug, predicate=can_view_award)
        if self.manage and not can_manage_award(request.user, tender):
            raise NotFound
        return tender

    def phase(self, tender, phase) -> str:
        if phase not in phases_of(tender):
            raise NotFound
        return phase


class DecisionView(TenderAwardMixin, APIView):
    @extend_schema(responses=AwardDecisionSerializer)
    def get(self, request, slug):
        tender = self.tender(request, slug)
        phases = []
        for phase in phases_of(tender):
            decision = decision_of(tender=tender, phase=phase)
            sent = bool(decision and decision.sent_at)
            phases.append(
                {
                    "phase": phase,
                    "decision_date": decision.decision_date if decision else None,
                    "standstill_ends_at": decision.standstill_ends_at if decision else None,
                    "sent_at": decision.sent_at if decision else None,
                    "letters": tender.award_letters.filter(phase=phase).count(),
                    "bidders": len(letter_targets(tender=tender, phase=phase)),
                    "send_refusal": None
                    if sent
                    else services.letters_missing(tender=tender, phase=phase),
                }
            )
        segments = [
            {
                "code": s.segment.code,
                "winners": [
                    {"kvk": w.bidder_kvk, "name": w.bidder_name, "points": w.points}
                    for w in s.winners
                ],
                "standstill_ends_at": s.standstill.ends_at if s.standstill else None,
                "final_at": s.standstill.final_at if s.standstill else None,
                "open_objections": len(s.open_objections),
            }
            for s in decision_segments(tender=tender)
        ]
        data = {
            "tender": tender.slug,
            "state": tender.state,
            "standstill_days": tender.standstill_days,
            "phases": phases,
            "segments": segments,
        }
        return Response(AwardDecisionSerializer(data).data)


class LettersGenerateView(TenderAwardMixin, APIView):
    manage = True

    @extend_schema(request=None, responses={202: LetterRunSerializer})
    def post(self, request, slug, phase):
        tender = self.tender(request, slug)
        run = services.letters_request(
            tender=tender,
            phase=self.phase(tender, phase),
            user=request.user,
            client_address=client_address_of(request),
        )
        run.refresh_from_db()
        return Response(LetterRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class DecisionSendView(TenderAwardMixin, APIView):
    manage = True

    @extend_schema(request=None, responses={204: None})
    def post(self, request, slug, phase):
        tender = self.tender(request, slug)
        services.decision_send(
            tender=tender,
            phase=self.phase(tender, phase),
            user=request.user,
            base_url=request.build_absolute_uri("/"),
            client_address=client_address_of(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ObjectionsView(TenderAwardMixin, APIView):
    @extend_schema(responses=ObjectionSerializer(many=True))
    def get(self, request, slug):
        tender = self.tender(request, slug)
        return Response(ObjectionSerializer(objections_of(tender=tender), many=True).data)

    @extend_schema(request=ObjectionInputSerializer, responses={201: ObjectionSerializer})
    def post(self, request, slug):
        tender = self.tender(request, slug)
        if not can_manage_award(request.user, tender):
            raise NotFound
        data = ObjectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        segment = Segment.objects.filter(tender=tender, code=data.validated_data["segment"]).first()
        bidder = Organisation.objects.filter(kvk=data.validated_data["bidder_kvk"]).first()
        if segment is None:
            raise ValidationError({"segment": ["Onbekend segment."]})
        if bidder is None:
            raise ValidationError({"bidder_kvk": ["Onbekende organisatie."]})
        objection = services.objection_register(
            segment=segment,
            bidder=bidder,
            kind=data.validated_data["kind"],
            note=data.validated_data.get("note", ""),
            user=request.user,
            client_address=client_address_of(request),
        )
        return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)


class ObjectionResolveView(TenderAwardMixin, APIView):
    manage = True

    @extend_schema(request=ObjectionResolveInputSerializer, responses=ObjectionSerializer)
    def post(self, request, slug, pk):
        tender = self.tender(request, slug)
        objection = get_object_or_404(Objection, pk=pk, segment__tender=tender)
        data = ObjectionResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objection = services.objection_resolve(
            objection=objection,
            result=data.validated_data["result"],
            outcome=data.validated_data["outcome"],
            user=request.user,
            client_address=client_address_of(request),
        )
        return Response(ObjectionSerializer(objection).data)


class FinaliseView(TenderAwardMixin, APIView):
    manage = True

    @extend_schema(request=None, responses=FinaliseSerializer)
    def post(self, request, slug):
        tender = self.tender(request, slug)
        result = services.award_finalise(
            tender=tender, user=request.user, client_address=client_address_of(request)
        )
        data = {
            "finalised": result.finalised,
            "already_final": result.already_final,
            "refused": dict(result.refused),
            "tender_awarded": result.tender_awarded,
        }
        return Response(FinaliseSerializer(data).data)


def letters_visible_to(user):
    """Staff: every letter; a provider: its own organisation's sent letters; else none."""
    if is_staff_member(user):
        return AwardLetter.objects.select_related("tender", "bidder")
    organisation = organisation_of(user)
    if organisation is None:
        return AwardLetter.objects.none()
    return letters_for_organisation(organisation=organisation).select_related("bidder")


@extend_schema(
    parameters=[
        OpenApiParameter("tender", str, description="Tender slug."),
        OpenApiParameter("phase", str, description="selection or award."),
    ]
)
class LetterListView(generics.ListAPIView):
    serializer_class = LetterSerializer

    def get_queryset(self):
        queryset = letters_visible_to(self.request.user).order_by(
            "tender__slug", "phase", "bidder__kvk", "-version"
        )
        if tender := self.request.query_params.get("tender"):
            queryset = queryset.filter(tender__slug=tender)
        if phase := self.request.query_params.get("phase"):
            queryset = queryset.filter(phase=phase)
        return queryset


class LetterDetailView(generics.RetrieveAPIView):
    serializer_class = LetterSerializer

    def get_queryset(self):
        return letters_visible_to(self.request.user)


class LetterPdfView(APIView):
    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF")
        }
    )
    def get(self, request, pk):
        letter = get_object_or_404(letters_visible_to(request.user), pk=pk)
        try:
            return letter_response(request, letter)
        except Http404 as exc:
            raise NotFound from exc

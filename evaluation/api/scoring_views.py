"""The scoring API: assignments (with the declaration, the dossier and the caller's scores),
the consensus and the requirement review. The same services and selectors as the screens, so
the same rules: an evaluator's token sees only its own assignments, scores stay blind until
the caller's own set is in, bid figures stay in the vault until the phase's ranking is final.

Resources the caller may not see are 404; actions on a visible resource that the caller's
role does not allow are 403; refused business actions are 400 with the Dutch reason.
"""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts.permissions import can_be_assigned
from audit.services import audit_record, client_address_of
from providers.models import Dossier, RequirementAnswer
from tender.constants import BIDS_READABLE_STATES, Phase
from tender.models import Tender, readable_rounds_q

from ..consensus_selectors import (
    consensus_for,
    consensus_overview,
    inter_rater,
)
from ..models import Assignment
from ..permissions import can_assign, can_review_answer, can_view_scores_of
from ..review_selectors import (
    answers_reviewable_by,
)
from ..scoring_selectors import (
    assignment_states,
    assignments_visible_to,
    dossier_facts,
    dossier_in_phase,
    dossier_progress,
    dossiers_in_phase,
    sealed_dossiers,
    visible_scores,
)
from ..services.assignments import assignment_create, assignment_remove, conflict_declare
from ..services.consensus import final_level_set
from ..services.review import requirement_review
from ..services.scoring import ScoreSetIncomplete, score_save, score_set_submit
from .scoring_serializers import (
    AnswerOutputSerializer,
    AssignmentCreateInputSerializer,
    AssignmentOutputSerializer,
    ConsensusCriterionSerializer,
    ConsensusDossierSerializer,
    ConsensusRowSerializer,
    DeclarationInputSerializer,
    DossierOutputSerializer,
    FinalLevelInputSerializer,
    PhaseQuerySerializer,
    RaterSerializer,
    ReviewInputSerializer,
    ScoreInputSerializer,
    ScoreOutputSerializer,
)

PHASE = OpenApiParameter("phase", enum=Phase.values, description="selection (standaard) of award")
TENDER = OpenApiParameter("tender", description="Kenmerk (slug) van de aanbesteding")


def _phase(request) -> str:
    data = PhaseQuerySerializer(data=request.query_params)
    data.is_valid(raise_exception=True)
    return data.validated_data["phase"]


def _criterion(dossier: Dossier, code: str, phase: str | None = None):
    criteria = dossier.segment.criteria.all()
    if phase:
        criteria = criteria.filter(phase=phase)
    criterion = criteria.filter(code=code).first()
    if criterion is None:
        raise ValidationError({"criterion": [f"Onbekend criterium '{code}' voor dit dossier."]})
    return criterion


class AssignmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Assignments the caller may see: the chair all, an evaluator their own. ``?tender=``
    filters, ``?phase=`` chooses the phase the progress is about (default selection)."""

    serializer_class = AssignmentOutputSerializer

    def get_queryset(self):
        queryset = assignments_visible_to(self.request.user).filter(
            readable_rounds_q("dossier__submission__"),
            dossier__submission__tender__state__in=BIDS_READABLE_STATES,
        )
        tender = self.request.query_params.get("tender")
        if tender:
            queryset = queryset.filter(dossier__submission__tender__slug=tender)
        return queryset

    def _states(self, assignments, phase):
        assignments = list(assignments)
        tenders = {a.dossier.submission.tender for a in assignments}
        in_phase = set()
        for tender in tenders:
            in_phase |= set(
                dossiers_in_phase(tender=tender, phase=phase).values_list("pk", flat=True)
            )
        return assignment_states(assignments=assignments, phase=phase, in_phase=in_phase)

    def _output(self, assignments, phase, many=True):
        states = self._states(assignments, phase)
        context = {"phase": phase}
        if many:
            return AssignmentOutputSerializer(states, many=True, context=context).data
        return AssignmentOutputSerializer(states[0], context=context).data

    @extend_schema(parameters=[TENDER, PHASE])
    def list(self, request):
        phase = _phase(request)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self._output(page, phase))

    @extend_schema(parameters=[PHASE])
    def retrieve(self, request, pk=None):
        return Response(self._output([self.get_object()], _phase(request), many=False))

    @extend_schema(
        request=AssignmentCreateInputSerializer, responses={201: AssignmentOutputSerializer}
    )
    def create(self, request):
        """The chair assigns an evaluator (by username) to a dossier."""
        data = AssignmentCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not can_assign(request.user, None):
            raise PermissionDenied("Alleen de voorzitter wijst beoordelaars toe.")
        dossier = (
            Dossier.objects.filter(
                readable_rounds_q("submission__"),
                pk=data.validated_data["dossier"],
                submission__tender__state__in=BIDS_READABLE_STATES,
            )
            .select_related("submission__tender", "submission__bidder", "segment")
            .first()
        )
        if (
            dossier is None
            or not sealed_dossiers(tender=dossier.submission.tender).filter(pk=dossier.pk).exists()
        ):
            raise ValidationError({"dossier": ["Onbekend of niet verzegeld dossier."]})
        user = get_user_model().objects.filter(username=data.validated_data["evaluator"]).first()
        if user is None:
            raise ValidationError({"evaluator": ["Onbekende gebruiker."]})
        assignment = assignment_create(
            dossier=dossier,
            user=user,
            assigned_by=request.user,
            client_address=client_address_of(request),
        )
        output = self._output([assignment], Phase.SELECTION, many=False)
        return Response(output, status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        """The chair withdraws an assignment."""
        assignment = self.get_object()
        if not can_assign(request.user, None):
            raise PermissionDenied("Alleen de voorzitter trekt toewijzingen in.")
        assignment_remove(
            assignment=assignment,
            removed_by=request.user,
            client_address=client_address_of(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _own(self, assignment: Assignment) -> Assignment:
        if assignment.evaluator.user_id != self.request.user.pk:
            raise PermissionDenied("Dit is niet uw toewijzing.")
        return assignment

    @extend_schema(request=DeclarationInputSerializer, responses={201: AssignmentOutputSerializer})
    @action(detail=True, methods=["post"])
    def declaration(self, request, pk=None):
        """The evaluator declares (no) conflict of interest with the dossier's bidder."""
        assignment = self._own(self.get_object())
        data = DeclarationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conflict_declare(
            dossier=assignment.dossier,
            user=request.user,
            has_conflict=data.validated_data["has_conflict"],
            note=data.validated_data["note"],
            client_address=client_address_of(request),
        )
        output = self._output([assignment], Phase.SELECTION, many=False)
        return Response(output, status=status.HTTP_201_CREATED)

    def _scorable(self, assignment: Assignment, phase: str) -> Dossier:
        """The dossier, once the caller may read it in ``phase`` (declared, no conflict)."""
        dossier = assignment.dossier
        if not can_view_scores_of(self.request.user, dossier):
            raise PermissionDenied(
                "Verklaar eerst dat u geen belangenconflict hebt met deze inschrijver."
            )
        if not dossier_in_phase(dossier=dossier, phase=phase):
            raise NotFound("Dit dossier wordt in deze fase niet beoordeeld.")
        return dossier

    @extend_schema(parameters=[PHASE], responses=DossierOutputSerializer)
    @action(detail=True, methods=["get"])
    def dossier(self, request, pk=None):
        """The dossier's facts; ``bid`` stays null until the phase's ranking is final."""
        phase = _phase(request)
        dossier = self._scorable(self.get_object(), phase)
        data = {"dossier": dossier, "facts": dossier_facts(dossier, phase=phase)}
        audit_record(
            action="dossier.view",
            actor=request.user,
            obj=dossier,
            tender=dossier.submission.tender,
            client_address=client_address_of(request),
            details={"phase": phase, "screen": "api-dossier"},
        )
        return Response(DossierOutputSerializer(data).data)

    @extend_schema(
        parameters=[PHASE],
        request=ScoreInputSerializer,
        responses=ScoreOutputSerializer(many=True),
    )
    @action(detail=True, methods=["get", "post"])
    def scores(self, request, pk=None):
        """GET: the scores of this dossier the caller may see (blind: others' only after the
        caller's own set is in). POST: save one of the caller's own scores (autosave)."""
        assignment = self.get_object()
        if request.method == "GET":
            phase = _phase(request)
            dossier = self._scorable(assignment, phase)
            scores = visible_scores(user=request.user, dossier=dossier, phase=phase)
            return Response(ScoreOutputSerializer(scores, many=True).data)
        assignment = self._own(assignment)
        data = ScoreInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        criterion = _criterion(assignment.dossier, data.validated_data["criterion"])
        score = score_save(
            dossier=assignment.dossier,
            criterion=criterion,
            user=request.user,
            level=data.validated_data["level"],
            rationale=data.validated_data["rationale"],
            client_address=client_address_of(request),
        )
        return Response(ScoreOutputSerializer(score).data)

    @extend_schema(request=PhaseQuerySerializer, responses=ScoreOutputSerializer(many=True))
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the caller's set for the phase; 400 lists each incomplete criterion."""
        assignment = self._own(self.get_object())
        data = PhaseQuerySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            scores = score_set_submit(
                dossier=assignment.dossier,
                phase=data.validated_data["phase"],
                user=request.user,
                client_address=client_address_of(request),
            )
        except ScoreSetIncomplete as exc:
            raise ValidationError(
                {
                    "non_field_errors": [exc.message],
                    "criteria": {c.code: [message] for c, message in exc.errors},
                }
            ) from exc
        return Response(ScoreOutputSerializer(scores, many=True).data)


class ConsensusViewSet(viewsets.GenericViewSet):
    """The chair's consensus. ``GET /consensus/?tender=&phase=`` lists the dossiers of the
    phase; ``GET /consensus/{dossier}/?phase=`` gives the individual levels side by side (only
    once every assigned evaluator submitted), the flags and the final levels."""

    serializer_class = ConsensusRowSerializer
    queryset = Dossier.objects.none()  # for the schema only; the data comes from selectors

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not can_assign(request.user, None):
            raise NotFound

    def _tender(self, request) -> Tender:
        slug = request.query_params.get("tender")
        if not slug:
            raise ValidationError({"tender": ["Geef de aanbesteding op (?tender=)."]})
        return get_object_or_404(Tender, slug=slug, state__in=BIDS_READABLE_STATES)

    @extend_schema(parameters=[TENDER, PHASE], responses=ConsensusRowSerializer(many=True))
    def list(self, request):
        rows = consensus_overview(tender=self._tender(request), phase=_phase(request))
        return Response(ConsensusRowSerializer(rows, many=True).data)

    def _dossier(self, pk, phase) -> Dossier:
        dossier = get_object_or_404(
            Dossier.objects.select_related("submission__tender", "submission__bidder", "segment"),
            readable_rounds_q("submission__"),
            pk=pk,
            submission__tender__state__in=BIDS_READABLE_STATES,
        )
        if not dossier_in_phase(dossier=dossier, phase=phase):
            raise NotFound
        return dossier

    @extend_schema(parameters=[PHASE], responses=ConsensusDossierSerializer)
    def retrieve(self, request, pk=None):
        phase = _phase(request)
        dossier = self._dossier(pk, phase)
        progress = dossier_progress(dossier=dossier, phase=phase)
        scores = visible_scores(user=request.user, dossier=dossier, phase=phase)
        rows = consensus_for(
            dossier=dossier, phase=phase, scores=scores if progress.all_submitted else []
        )
        data = {"progress": progress, "phase": phase, "rows": rows}
        audit_record(
            action="dossier.view",
            actor=request.user,
            obj=dossier,
            tender=dossier.submission.tender,
            client_address=client_address_of(request),
            details={"phase": phase, "screen": "api-consensus"},
        )
        return Response(ConsensusDossierSerializer(data).data)

    @extend_schema(request=FinalLevelInputSerializer, responses=ConsensusCriterionSerializer)
    @action(detail=True, methods=["post"], url_path="final-levels")
    def final_levels(self, request, pk=None):
        """Set the final level and rationale of one criterion (by code)."""
        data = FinalLevelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dossier = get_object_or_404(
            Dossier.objects.select_related("submission__tender", "segment"),
            readable_rounds_q("submission__"),
            pk=pk,
            submission__tender__state__in=BIDS_READABLE_STATES,
        )
        criterion = _criterion(dossier, data.validated_data["criterion"])
        final_level_set(
            dossier=dossier,
            criterion=criterion,
            level=data.validated_data["level"],
            rationale=data.validated_data["rationale"],
            user=request.user,
            client_address=client_address_of(request),
        )
        scores = visible_scores(user=request.user, dossier=dossier, phase=criterion.phase)
        row = next(
            r
            for r in consensus_for(dossier=dossier, phase=criterion.phase, scores=scores)
            if r.criterion.pk == criterion.pk
        )
        return Response(ConsensusCriterionSerializer(row).data)

    @extend_schema(parameters=[TENDER, PHASE], responses=RaterSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="inter-rater")
    def inter_rater(self, request):
        """Mean absolute deviation from the consensus per evaluator, in scale steps."""
        figures = inter_rater(tender=self._tender(request), phase=_phase(request))
        return Response(RaterSerializer(figures, many=True).data)


class RequirementAnswerViewSet(viewsets.GenericViewSet):
    """Requirement answers the caller may review (``?tender=`` required): the chair all, an
    evaluator those of the dossiers they may score. POST ``{id}/review/`` records a check."""

    serializer_class = AnswerOutputSerializer
    queryset = RequirementAnswer.objects.none()  # for the schema only; see answers_reviewable_by

    @extend_schema(parameters=[TENDER], responses=AnswerOutputSerializer(many=True))
    def list(self, request):
        if not (can_assign(request.user, None) or can_be_assigned(request.user)):
            return Response([])
        slug = request.query_params.get("tender")
        if not slug:
            raise ValidationError({"tender": ["Geef de aanbesteding op (?tender=)."]})
        tender = get_object_or_404(Tender, slug=slug, state__in=BIDS_READABLE_STATES)
        answers = answers_reviewable_by(user=request.user, tender=tender)
        data = AnswerOutputSerializer(answers, many=True).data
        audit_record(
            action="submission.answers_view",
            actor=request.user,
            obj=tender,
            tender=tender,
            client_address=client_address_of(request),
            details={"screen": "api-answers", "answers": len(data)},
        )
        return Response(data)

    @extend_schema(request=ReviewInputSerializer, responses=AnswerOutputSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        answer = get_object_or_404(
            RequirementAnswer.objects.select_related(
                "submission__tender", "submission__bidder", "requirement"
            ),
            readable_rounds_q("submission__"),
            pk=pk,
            submission__tender__state__in=BIDS_READABLE_STATES,
        )
        if not can_review_answer(request.user, answer):
            raise NotFound
        data = ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        requirement_review(
            answer=answer,
            accepted=data.validated_data["accepted"],
            reason=data.validated_data["reason"],
            user=request.user,
            client_address=client_address_of(request),
        )
        answer.refresh_from_db()
        return Response(AnswerOutputSerializer(answer).data)

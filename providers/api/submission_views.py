"""The submission API for providers: the same services and rules as the portal screens.

Everything is scoped to the caller's own organisation; another organisation's objects and
tenders that are not published are 404. Refusals are 400 with the Dutch message on its field.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.services import client_address_of
from tender.files import PDF, document_response
from tender.mixins import tender_or_404
from tender.models import Criterion, Requirement, Segment
from tender.services.mail import base_url_of

from ..constants import SubmissionState
from ..envelopes import envelope_unseal
from ..models import Subcontractor, SubmissionDocument
from ..selectors import organisation_of, portal_tenders
from ..services import submissions as services
from ..submission_selectors import (
    draft_of,
    portal_round,
    round_admits,
    sealed_current_of,
    submission_detail,
    submissions_of,
)
from .submission_serializers import (
    AnswersInputSerializer,
    DocumentSerializer,
    DossierInputSerializer,
    OverviewSerializer,
    ReceiptSerializer,
    SegmentsInputSerializer,
    SubcontractorInputSerializer,
    SubcontractorSerializer,
    SubmissionSerializer,
    UploadInputSerializer,
    VersionSerializer,
)


class SubmissionAPIMixin:
    """Resolves the tender (published ones) and the caller's organisation, else 404."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.organisation = organisation_of(request.user)
        if self.organisation is None:
            raise Http404
        self.tender = tender_or_404(request.user, kwargs["slug"], queryset=portal_tenders())
        # Round 2 of the restricted procedure exists only for the invited (404 for the rest).
        if not round_admits(
            tender=self.tender, organisation=self.organisation, round=portal_round(self.tender)
        ):
            raise Http404

    def draft(self):
        draft = draft_of(tender=self.tender, organisation=self.organisation)
        if draft is None:
            raise Http404
        return draft

    def draft_response(self, draft, status_code=status.HTTP_200_OK):
        return Response(SubmissionSerializer(submission_detail(draft.pk)).data, status=status_code)


@extend_schema(tags=["inschrijving"])
class SubmissionView(SubmissionAPIMixin, APIView):
    @extend_schema(responses=OverviewSerializer, summary="The draft and every version")
    def get(self, request, slug):
        draft = draft_of(tender=self.tender, organisation=self.organisation)
        versions = submissions_of(tender=self.tender, organisation=self.organisation)
        return Response(
            {
                "draft": SubmissionSerializer(submission_detail(draft.pk)).data if draft else None,
                "versions": VersionSerializer(versions, many=True).data,
            }
        )

    @extend_schema(
        request=None,
        responses={201: SubmissionSerializer},
        summary="Start the draft (or a new version copied from the latest one)",
    )
    def post(self, request, slug):
        draft = services.submission_start(
            tender=self.tender,
            organisation=self.organisation,
            user=request.user,
            client_address=client_address_of(request),
        )
        return self.draft_response(draft, status.HTTP_201_CREATED)


@extend_schema(tags=["inschrijving"])
class SegmentsView(SubmissionAPIMixin, APIView):
    @extend_schema(request=SegmentsInputSerializer, responses=SubmissionSerializer)
    def put(self, request, slug):
        draft = self.draft()
        data = SegmentsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        codes = set(data.validated_data["segments"])
        segments = list(Segment.objects.filter(tender=self.tender, code__in=codes))
        if len(segments) != len(codes):
            return Response(
                {"segments": ["Kies segmenten van deze aanbesteding."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        services.submission_segments_set(
            submission=draft,
            segments=segments,
            user=request.user,
            client_address=client_address_of(request),
        )
        return self.draft_response(draft)


@extend_schema(tags=["inschrijving"])
class AnswersView(SubmissionAPIMixin, APIView):
    @extend_schema(request=AnswersInputSerializer, responses=SubmissionSerializer)
    def put(self, request, slug):
        draft = self.draft()
        data = AnswersInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data["answers"]
        by_party = data.validated_data["party_answers"]
        requirements = {
            r.code: r
            for r in Requirement.objects.filter(tender=self.tender, code__in=[*given, *by_party])
        }
        unknown = sorted((set(given) | set(by_party)) - set(requirements))
        if unknown:
            return Response(
                {"answers": [f"Onbekende eis: {', '.join(unknown)}."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        services.submission_answers_save(
            submission=draft,
            answers={requirements[code]: met for code, met in given.items()},
            party_answers={
                (requirements[code], key): met
                for code, parties in by_party.items()
                for key, met in parties.items()
            },
            user=request.user,
            client_address=client_address_of(request),
        )
        return self.draft_response(draft)


@extend_schema(tags=["inschrijving"])
class DossierView(SubmissionAPIMixin, APIView):
    @extend_schema(request=DossierInputSerializer, responses=SubmissionSerializer)
    def put(self, request, slug, code):
        draft = self.draft()
        segment = get_object_or_404(Segment, tender=self.tender, code=code)
        data = DossierInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.dossier_save(
            submission=draft,
            segment=segment,
            user=request.user,
            client_address=client_address_of(request),
            municipality_codes=values["municipalities"],
            specialisms=values["specialisms"],
            bid_clients=values.get("bid_clients"),
            bid_months=values.get("bid_months"),
            bid_hours_per_month=values.get("bid_hours_per_month"),
        )
        return self.draft_response(draft)


@extend_schema(tags=["inschrijving"])
class DocumentsView(SubmissionAPIMixin, APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": UploadInputSerializer},
        responses={201: DocumentSerializer},
        summary="Upload a document (checked by content, encrypted at rest)",
    )
    def post(self, request, slug):
        draft = self.draft()
        data = UploadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        upload = values["file"]
        segment = Segment.objects.filter(tender=self.tender, code=values.get("segment")).first()
        requirement = Requirement.objects.filter(
            tender=self.tender, code=values.get("requirement")
        ).first()
        criterion = (
            Criterion.objects.filter(segment=segment, code=values.get("criterion")).first()
            if segment
            else None
        )

        document = services.document_upload(
            submission=draft,
            kind=values["kind"],
            name=upload.name,
            data=upload,
            user=request.user,
            client_address=client_address_of(request),
            segment=segment,
            requirement=requirement,
            criterion=criterion,
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["inschrijving"])
class DocumentView(SubmissionAPIMixin, APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, slug, pk):
        document = get_object_or_404(SubmissionDocument, pk=pk, submission=self.draft())
        services.document_delete(
            document=document, user=request.user, client_address=client_address_of(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["inschrijving"])
class SubcontractorsView(SubmissionAPIMixin, APIView):
    @extend_schema(request=SubcontractorInputSerializer, responses={201: SubcontractorSerializer})
    def post(self, request, slug):
        draft = self.draft()
        data = SubcontractorInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subcontractor = services.subcontractor_add(
            submission=draft,
            user=request.user,
            client_address=client_address_of(request),
            **data.validated_data,
        )
        return Response(SubcontractorSerializer(subcontractor).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["inschrijving"])
class SubcontractorView(SubmissionAPIMixin, APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, slug, pk):
        subcontractor = get_object_or_404(Subcontractor, pk=pk, submission=self.draft())
        services.subcontractor_remove(
            subcontractor=subcontractor,
            user=request.user,
            client_address=client_address_of(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["inschrijving"])
class SealView(SubmissionAPIMixin, APIView):
    @extend_schema(
        request=None, responses=ReceiptSerializer, summary="Submit (seal) the draft; the receipt"
    )
    def post(self, request, slug):
        draft = draft_of(tender=self.tender, organisation=self.organisation)
        if draft is None:
            # A retried seal whose first attempt was sealed: its receipt, sealed once.
            sealed = sealed_current_of(tender=self.tender, organisation=self.organisation)
            if sealed is None:
                raise Http404
            return Response(ReceiptSerializer(envelope_unseal(sealed)).data)
        sealed = services.submission_seal(
            submission=draft,
            user=request.user,
            client_address=client_address_of(request),
            base_url=base_url_of(request),
        )
        return Response(ReceiptSerializer(sealed).data)


@extend_schema(tags=["inschrijving"])
class WithdrawView(SubmissionAPIMixin, APIView):
    @extend_schema(request=None, responses=VersionSerializer)
    def post(self, request, slug):
        sealed = (
            submissions_of(tender=self.tender, organisation=self.organisation)
            .filter(state=SubmissionState.SEALED, is_current=True)
            .first()
        )
        if sealed is None:
            raise Http404
        withdrawn = services.submission_withdraw(
            submission=sealed, user=request.user, client_address=client_address_of(request)
        )
        return Response(VersionSerializer(withdrawn).data)


class ReceiptMixin(SubmissionAPIMixin):
    def receipt_submission(self, version):
        return envelope_unseal(
            get_object_or_404(
                submissions_of(tender=self.tender, organisation=self.organisation)
                .exclude(state=SubmissionState.DRAFT)
                .select_related("tender__region", "bidder"),
                version=version,
            )
        )


@extend_schema(tags=["inschrijving"])
class ReceiptView(ReceiptMixin, APIView):
    @extend_schema(responses=ReceiptSerializer)
    def get(self, request, slug, version):
        return Response(ReceiptSerializer(self.receipt_submission(version)).data)


@extend_schema(tags=["inschrijving"])
class ReceiptPdfView(ReceiptMixin, APIView):
    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, slug, version):
        submission = self.receipt_submission(version)
        return document_response(
            services.submission_receipt_pdf(submission),
            filename=f"{services.receipt_reference(submission)}.pdf",
            content_type=PDF,
        )

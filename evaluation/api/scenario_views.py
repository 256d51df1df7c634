"""Scenario import and export through the API (``/api/v1/setup/import/`` and
``/api/v1/setup/tenders/<slug>/export/``), next to the scenario services; the rest of the
set-up API is ``tender.api.setup_views``."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import parsers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.services import client_address_of
from tender.api import setup_serializers as s
from tender.api.setup_views import refuse_creation
from tender.permissions import can_export_tender
from tender.scenario import validate_scenario
from tender.selectors import tenders_visible_to

from ..services.scenario_export import scenario_export
from ..services.scenario_import import scenario_import


class ScenarioExportView(APIView):
    """The tender as a scenario file that ``load_scenario`` accepts."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "slug",
                str,
                OpenApiParameter.PATH,
                description="Unieke korte naam, gebruikt in adressen en exports.",
            )
        ],
        responses={
            200: OpenApiResponse(description="Het scenariobestand (tender-scenario/1)."),
            409: OpenApiResponse(description="De opzet is niet volledig; 'issues' zegt wat."),
        },
    )
    def get(self, request, slug):
        tender = get_object_or_404(tenders_visible_to(request.user), slug=slug)
        if not can_export_tender(request.user, tender):
            raise PermissionDenied(_("Alleen een inkoper mag een aanbesteding exporteren."))
        data = scenario_export(
            tender=tender, actor=request.user, client_address=client_address_of(request)
        )
        issues = validate_scenario(data)
        if issues:
            return Response(
                {
                    "detail": _(
                        "De aanbesteding is nog niet volledig en kan zo niet worden geëxporteerd."
                    ),
                    "issues": s.ScenarioIssueSerializer(issues, many=True).data,
                },
                status=status.HTTP_409_CONFLICT,
            )
        response = Response(data)
        response["Content-Disposition"] = f'attachment; filename="{tender.slug}.json"'
        return response


class RawJSONParser(parsers.BaseParser):
    """Keeps a JSON body as bytes, so the import parses it with ``tender.scenario.parse_scenario``
    (which refuses duplicate keys and NaN, unlike DRF's JSON parser)."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        return {"raw": stream.read()}


class ScenarioImportView(APIView):
    """POST a scenario: a JSON body (``?replace=true`` to replace), or multipart ``file`` and
    ``replace``. 201 with the tender; 400 with ``issues`` (JSON path + Dutch message) or a field
    error; nothing is loaded on any error."""

    parser_classes = [RawJSONParser, parsers.MultiPartParser]

    @extend_schema(
        request={
            "application/json": {"type": "object"},
            "multipart/form-data": s.ScenarioImportInputSerializer,
        },
        parameters=[OpenApiParameter("replace", bool)],
        responses={201: s.SetupTenderOutputSerializer},
    )
    def post(self, request):
        refuse_creation(request.user)
        if "raw" in request.data:
            raw = request.data["raw"]
            replace = request.query_params.get("replace", "").lower() in ("1", "true", "ja")
        else:
            form = s.ScenarioImportInputSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            upload = form.validated_data.get("file")
            if upload is None:
                raise ValidationError({"file": [_("Kies een scenariobestand.")]})
            raw, replace = upload.read(), form.validated_data["replace"]
        # A ScenarioError becomes a problem naming each JSON path (config.api.exceptions).
        tender = scenario_import(
            raw=raw,
            replace=replace,
            user=request.user,
            client_address=client_address_of(request),
        )
        return Response(s.SetupTenderOutputSerializer(tender).data, status=status.HTTP_201_CREATED)

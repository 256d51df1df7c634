"""The OpenAPI description of the error layer (``config.api.exceptions``): a ``Problem``
component and the 400, 401, 403 and 404 problem responses on every operation."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from .exceptions import PROBLEM_CONTENT_TYPE


class InvalidParamSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Het veld (geneste velden met punten: `lots.0.code`).")
    reason = serializers.CharField(help_text="Wat er mis is (Nederlands).")


class ProblemSerializer(serializers.Serializer):
    """An RFC 9457 problem (``application/problem+json``)."""

    type = serializers.CharField(
        help_text="URI van het soort probleem; `about:blank` voor een gewone HTTP-fout."
    )
    title = serializers.CharField(help_text="Korte samenvatting van het soort probleem.")
    status = serializers.IntegerField(help_text="De HTTP-statuscode.")
    detail = serializers.CharField(help_text="Uitleg van dit geval (Nederlands).")
    invalid_params = InvalidParamSerializer(
        many=True, help_text="Een regel per fout in een invoerveld; leeg als het geen veld betreft."
    )

    class Meta:
        ref_name = "Problem"


PROBLEM_RESPONSES = {
    "400": "Ongeldige invoer of een geweigerde actie (met de reden).",
    "401": "Niet ingelogd.",
    "403": "Geen toestemming voor deze actie.",
    "404": "Niet gevonden (of niet zichtbaar voor de aanroeper).",
}


class ProblemAutoSchema(AutoSchema):
    """Adds the problem responses to every operation; a response an operation documents itself
    keeps its description and gets the problem body when it has none."""

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        if direction != "response":
            return bodies
        for code, description in PROBLEM_RESPONSES.items():
            own = bodies.get(code)
            if own is not None and own.get("content"):
                continue
            problem = self._get_response_for_code(
                OpenApiResponse(ProblemSerializer, description=description),
                code,
                media_types=[PROBLEM_CONTENT_TYPE],
                direction=direction,
            )
            if own is not None:
                problem["description"] = own.get("description") or description
            bodies[code] = problem
        return bodies

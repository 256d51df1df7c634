"""The API's one error layer (``config.api.exceptions``): every refused request is an RFC 9457
problem, and the OpenAPI document says so on every operation."""

import pytest
from django.http import Http404
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, Throttled
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from tender.errors import ApplicationError
from tender.scenario import ScenarioError, ScenarioIssue
from tests.problems import field_errors, problem

PROBLEM_RESPONSES = ("400", "401", "403", "404")


class LotInput(serializers.Serializer):
    code = serializers.CharField(max_length=3)


class TenderInput(serializers.Serializer):
    name = serializers.CharField()
    places = serializers.IntegerField(min_value=1)
    lots = LotInput(many=True)

    def validate(self, attrs):
        if attrs["name"] == "dubbel":
            raise serializers.ValidationError("Deze aanbesteding bestaat al.")
        return attrs


class Refuses(APIView):
    """Raises what the request asks for."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [AllowAny]
    service_fields = {"new_deadline": "deadline"}

    def post(self, request):
        what = request.data["raise"]
        if what == "refused":
            raise ApplicationError("Dat mag nu niet.")
        if what == "refused-field":
            raise ApplicationError("Kies een later moment.", field="when")
        if what == "refused-renamed":
            raise ApplicationError("Te vroeg.", field="new_deadline")
        if what == "scenario":
            raise ScenarioError(
                [ScenarioIssue("$.tender.slug", "Verplicht."), ScenarioIssue("$", "X")]
            )
        if what == "invalid":
            TenderInput(data=request.data["payload"]).is_valid(raise_exception=True)
        if what == "404":
            raise Http404
        if what == "403":
            raise PermissionDenied
        if what == "401":
            raise NotAuthenticated
        if what == "429":
            raise Throttled(wait=30)
        raise AssertionError(what)


def call(what, **payload):
    request = APIRequestFactory().post("/x/", {"raise": what, **payload}, format="json")
    response = Refuses.as_view()(request)
    return response.render()


def test_a_refused_service_action_is_a_400_problem_with_the_dutch_message():
    response = call("refused")
    assert response.status_code == 400
    body = problem(response)
    assert body["detail"] == "Dat mag nu niet."
    assert body["invalid_params"] == []
    assert body["type"].endswith("action-refused") and body["title"]


def test_a_refusal_about_a_field_keeps_its_field():
    response = call("refused-field")
    assert problem(response)["detail"] == "Kies een later moment."
    assert field_errors(response) == {"when": ["Kies een later moment."]}


def test_a_view_can_name_the_services_field_as_its_input_does():
    assert field_errors(call("refused-renamed")) == {"deadline": ["Te vroeg."]}


def test_validation_errors_are_invalid_params_per_field_with_nested_names():
    response = call("invalid", payload={"name": "x", "places": 0, "lots": [{"code": "A"}, {}]})
    assert response.status_code == 400
    body = problem(response)
    assert body["type"].endswith("invalid-input") and body["detail"]
    errors = field_errors(response)
    assert set(errors) == {"places", "lots.1.code"}
    assert all(
        isinstance(reason, str) and reason for reasons in errors.values() for reason in reasons
    )


def test_non_field_validation_errors_are_the_detail():
    response = call("invalid", payload={"name": "dubbel", "places": 1, "lots": []})
    body = problem(response)
    assert body["detail"] == "Deze aanbesteding bestaat al." and body["invalid_params"] == []


def test_a_scenario_error_names_each_json_path():
    response = call("scenario")
    assert response.status_code == 400
    assert field_errors(response) == {"$.tender.slug": ["Verplicht."], "$": ["X"]}


@pytest.mark.parametrize(
    ("what", "status", "title"),
    [("404", 404, "Not Found"), ("403", 403, "Forbidden"), ("401", 401, "Unauthorized")],
)
def test_http_errors_are_problems_about_blank(what, status, title):
    response = call(what)
    assert response.status_code == status
    body = problem(response)
    assert body["type"] == "about:blank" and body["title"] == title and body["detail"]


def test_headers_of_http_errors_are_kept():
    assert call("401")["WWW-Authenticate"] == "Token"
    response = call("429")
    assert response.status_code == 429 and response["Retry-After"] == "30"
    assert problem(response)["detail"]


@pytest.mark.django_db
def test_real_endpoints_answer_problems(client):
    response = client.get("/api/v1/contracts/")
    assert response.status_code == 403
    assert problem(response)["type"] == "about:blank"
    response = client.get("/api/v1/public/tenders/bestaat-niet/")
    assert response.status_code == 404 and problem(response)["title"] == "Not Found"


def test_every_operation_documents_the_problem_responses():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert set(schema["components"]["schemas"]["Problem"]["properties"]) == {
        "type",
        "title",
        "status",
        "detail",
        "invalid_params",
    }
    operations = 0
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            operations += 1
            for code in PROBLEM_RESPONSES:
                response = operation["responses"].get(code)
                assert response, f"{method.upper()} {path} lacks {code}"
                content = response["content"]["application/problem+json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert operations > 50

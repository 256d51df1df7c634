"""The one error layer of the API: every refused request is an RFC 9457 problem.

``ApplicationError`` (a business rule refused the action), DRF's ``ValidationError`` and the other
API exceptions (401, 403, 404, 405, 415, 429, ...) all become ``application/problem+json`` with
``type``, ``title``, ``status``, ``detail`` and ``invalid_params`` (one ``{"name", "reason"}`` per
message on an input field; empty when the problem is not about a field). Status codes are the
ones DRF gives; a refused service action is a 400, an action over a rate limit
(``accounts.ratelimit.RateLimited``) a 429; a database that dropped the connection is a 503
(with ``Retry-After``). Views raise, they never translate.
"""

import logging
from collections.abc import Iterator
from http import HTTPStatus

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from accounts.ratelimit import RateLimited
from config.outage import DATABASE_ERRORS, RETRY_AFTER
from tender.errors import ApplicationError
from tender.scenario import ScenarioError

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"

# Problem types (RFC 9457 3.1.1: not meant to be dereferenced, hence tag URIs). Plain HTTP
# errors (401, 403, 404, ...) use ``about:blank`` with the status phrase as title.
ACTION_REFUSED = "tag:aanbesteding-sociaal-domein,2026:problem:action-refused"
INVALID_INPUT = "tag:aanbesteding-sociaal-domein,2026:problem:invalid-input"
INVALID_SCENARIO = "tag:aanbesteding-sociaal-domein,2026:problem:invalid-scenario"
UNAVAILABLE = "tag:aanbesteding-sociaal-domein,2026:problem:database-unavailable"

# Keys of a ValidationError dict that are not about an input field: they go into ``detail``.
_GENERAL_KEYS = {api_settings.NON_FIELD_ERRORS_KEY, "detail"}


def problem_exception_handler(exc, context):
    """``REST_FRAMEWORK["EXCEPTION_HANDLER"]``: the problem for ``exc``, or None (a 500)."""
    if isinstance(exc, ApplicationError):
        set_rollback()
        # A view whose input names a field differently from the service maps it, the way a
        # form does: ``service_fields = {"new_deadline": "deadline"}``.
        field = getattr(context.get("view"), "service_fields", {}).get(exc.field, exc.field)
        invalid = [{"name": field, "reason": exc.message}] if field else []
        problem = _problem(ACTION_REFUSED, _("Actie geweigerd"), 400, exc.message, invalid)
        return _response(problem, context)
    if isinstance(exc, RateLimited):
        # Our own rate limits (accounts.ratelimit); DRF's throttles arrive below as Throttled.
        set_rollback()
        status_code = HTTPStatus.TOO_MANY_REQUESTS
        problem = _problem("about:blank", status_code.phrase, int(status_code), exc.message, [])
        response = _response(problem, context)
        response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, ScenarioError):
        set_rollback()
        invalid = [{"name": issue.path, "reason": issue.message} for issue in exc.issues]
        detail = _("Het scenariobestand kan niet worden geladen.")
        problem = _problem(INVALID_SCENARIO, _("Ongeldig scenario"), 400, detail, invalid)
        return _response(problem, context)

    if isinstance(exc, DATABASE_ERRORS):
        # The database dropped the connection (e.g. a restart): the transaction is gone,
        # nothing was stored; the client may retry.
        set_rollback()
        logger.error("Database unavailable in the API", exc_info=exc)
        detail = _(
            "De verbinding met de database viel even weg. De actie is niet uitgevoerd; "
            "probeer het over enkele ogenblikken opnieuw."
        )
        problem = _problem(UNAVAILABLE, _("Tijdelijk niet beschikbaar"), 503, detail, [])
        response = _response(problem, context)
        response["Retry-After"] = RETRY_AFTER
        return response

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        general, invalid = _split(exc.detail)
        detail = " ".join(general) or _("De invoer is ongeldig.")
        problem = _problem(
            INVALID_INPUT, _("Ongeldige invoer"), response.status_code, detail, invalid
        )
    else:
        # DRF has turned Http404 and Django's PermissionDenied into its own exceptions here.
        detail = " ".join(_messages(response.data))
        problem = _problem(
            "about:blank",
            HTTPStatus(response.status_code).phrase,
            response.status_code,
            detail,
            [],
        )
    response.data = problem
    if _renders_json(context):
        response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _problem(type_: str, title: str, status_code: int, detail: str, invalid: list) -> dict:
    return {
        "type": type_,
        "title": str(title),
        "status": status_code,
        "detail": str(detail),
        "invalid_params": invalid,
    }


def _response(problem: dict, context) -> Response:
    response = Response(problem, status=problem["status"])
    if _renders_json(context):
        response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _renders_json(context) -> bool:
    """problem+json unless the browsable API (HTML) was negotiated."""
    request = context.get("request")
    renderer = getattr(request, "accepted_renderer", None)
    return renderer is None or renderer.format == "json"


def _split(detail) -> tuple[list[str], list[dict]]:
    """A ValidationError's detail as (general messages, invalid params)."""
    if not isinstance(detail, dict):
        return list(_messages(detail)), []
    general: list[str] = []
    invalid: list[dict] = []
    for key, value in detail.items():
        if key in _GENERAL_KEYS:
            general.extend(_messages(value))
        else:
            invalid.extend(_params(str(key), value))
    return general, invalid


def _params(name: str, value) -> Iterator[dict]:
    """``{"name", "reason"}`` per message; nested errors get dotted names (``lots.0.code``)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _params(f"{name}.{key}", inner)
    elif isinstance(value, list | tuple):
        if any(isinstance(item, dict | list | tuple) for item in value):
            for index, inner in enumerate(value):
                if inner:  # a ListSerializer puts {} for the items without errors
                    yield from _params(f"{name}.{index}", inner)
        else:
            for message in value:
                yield {"name": name, "reason": str(message)}
    else:
        yield {"name": name, "reason": str(value)}


def _messages(value) -> Iterator[str]:
    if isinstance(value, dict):
        for inner in value.values():
            yield from _messages(inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _messages(inner)
    else:
        yield str(value)

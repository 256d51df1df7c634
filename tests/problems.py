"""Reading the API's RFC 9457 problems (``config.api.exceptions``) in tests."""

import json

PROBLEM_KEYS = {"type", "title", "status", "detail", "invalid_params"}


def problem(response) -> dict:
    """The problem body of an error response, after checking its media type and shape."""
    assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
    body = json.loads(response.content)
    assert set(body) == PROBLEM_KEYS, body
    assert body["status"] == response.status_code
    return body


def field_errors(response) -> dict[str, list[str]]:
    """``invalid_params`` as ``{name: [reason, ...]}``."""
    errors: dict[str, list[str]] = {}
    for param in problem(response)["invalid_params"]:
        errors.setdefault(param["name"], []).append(param["reason"])
    return errors

"""The one translation of a refused service action into an API answer."""

from rest_framework.exceptions import ValidationError

from tender.errors import ApplicationError


def api_error(exc: ApplicationError) -> ValidationError:
    """400 with the Dutch message under the field it concerns (else ``non_field_errors``)."""
    return ValidationError({exc.field or "non_field_errors": [exc.message]})


def service_call(call):
    """Run a service; its refusal becomes a 400 with the message on its field."""
    try:
        return call()
    except ApplicationError as exc:
        raise api_error(exc) from exc

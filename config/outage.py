"""A database that is briefly unreachable (PostgreSQL restarting, a connection dropped, SQLite
busy beyond its timeout) is not a crash: the user gets a Dutch page (503) that says the action
was not carried out and can be retried, instead of a 500 with a stack.

Nothing is half-stored: every service runs in one transaction, which the database rolls back
when the connection breaks. The API answers the same case with a problem (503) in
``config.api.exceptions``.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER = "5"  # seconds


def database_unavailable_response() -> HttpResponse:
    """The page for a database outage; rendered without the request, so no context processor
    (the signed-in user, the session) needs the database that just failed."""
    response = HttpResponse(render_to_string("503_database.html"), status=503)
    response["Retry-After"] = RETRY_AFTER
    return response


class DatabaseOutageMiddleware:
    """Turns a database connection error in a view into the 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        logger.error(
            "Database unavailable during %s %s", request.method, request.path, exc_info=exception
        )
        return database_unavailable_response()

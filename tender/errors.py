"""``ApplicationError``, the one way a service refuses, and how an HTML page shows a refusal
(the API turns it into a problem+json answer: ``config.api.exceptions``)."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction


class ApplicationError(Exception):
    """A business rule refused an action. ``message`` is Dutch and shown to the user as is;
    ``field`` names the input it concerns, where there is one (API field errors)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class ServiceAction:
    """What ``service_action`` yields (``as outcome``); after the block, ``refused`` says
    whether the service refused and ``error`` holds the refusal."""

    error: ApplicationError | None = None

    @property
    def refused(self) -> bool:
        return self.error is not None


@contextmanager
def service_action(request=None, *, form=None) -> Iterator[ServiceAction]:
    """One user action on an HTML page: the block runs in one transaction; when a service
    refuses (``ApplicationError``), the transaction is rolled back and the refusal is shown:
    on ``form`` (on its field when the form has it, else above the form) or, without a form,
    as an error message on the next page. The view then goes on after the block::

        if form.is_valid():
            with service_action(request, form=form):
                thing_save(...)
                messages.success(request, _("Opgeslagen."))
                return redirect(...)
        return render(..., {"form": form}, status=400)

    A form whose fields are named differently from the service's maps them in
    ``service_fields`` (``{"password": "password1"}``).
    """
    outcome = ServiceAction()
    try:
        with transaction.atomic():
            yield outcome
    except ApplicationError as exc:
        outcome.error = exc
        show_refusal(request, exc, form=form)


def attempt(form, call):
    """``call()`` as one ``service_action`` whose refusal goes onto ``form``: its result, or
    None when refused (``if form.is_valid() and attempt(form, lambda: thing_save(...)):``)."""
    with service_action(form=form):
        return call()
    return None


def show_refusal(request, exc: ApplicationError, *, form=None) -> None:
    """Put a refusal on ``form`` (its field if it has one) or in the page messages; with
    neither, the view shows ``outcome.error`` itself (a page with its own place for it)."""
    if form is None:
        if request is not None:
            messages.error(request, exc.message)
        return
    field = getattr(form, "service_fields", {}).get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.message)

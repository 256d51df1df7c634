"""What the provider portal's tender page shows of the communication: the organisation's own
questions, the published notas and its session registrations; and cancelling a registration
from that page. Registered with ``providers.portal_sections`` in ``communication.apps``."""

from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from tender.errors import service_action

from .models import SessionRegistration
from .selectors import organisation_document_audiences, published_documents, published_notas
from .services.registrations import session_registration_cancel


def own_questions(*, tender, organisation):
    return (
        organisation.questions.filter(tender=tender)
        .select_related("nota", "lot", "segment")
        .order_by("asked_at", "pk")
    )


def notas(*, tender, organisation):
    return published_notas(tender)


def documents(*, tender, organisation):
    """The library documents published for the organisation's audiences (public, and those
    for registered or invited candidates when it is one)."""
    return list(published_documents(tender, organisation_document_audiences(tender, organisation)))


def own_registrations(*, tender, organisation):
    return (
        SessionRegistration.objects.filter(
            session__tender=tender, organisation=organisation, cancelled_at__isnull=True
        )
        .select_related("session")
        .order_by("session__starts_at")
    )


def cancel_registration(request, *, tender, organisation) -> None:
    registration = get_object_or_404(
        SessionRegistration.objects.filter(session__tender=tender, organisation=organisation),
        pk=request.POST.get("registration") or 0,
    )
    with service_action(request):
        session_registration_cancel(registration=registration, user=request.user)
        messages.success(request, _("U bent afgemeld voor de sessie."))

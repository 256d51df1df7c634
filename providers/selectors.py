"""Reading organisations' memberships, session registrations and questions, scoped to the
user: a provider sees its own organisation's only, staff see all, anyone else nothing."""

from django.db.models import Q, QuerySet

from accounts.permissions import can_view_tender_communication, is_provider, is_staff_member
from tender.models import Session, Tender

from .models import Organisation, OrganisationMembership, Question, SessionRegistration


def organisation_of(user) -> Organisation | None:
    """The organisation a provider user acts for, or None (not a provider, or not linked)."""
    if not is_provider(user):
        return None
    membership = (
        OrganisationMembership.objects.select_related("organisation").filter(user=user).first()
    )
    return membership.organisation if membership else None


def registrations_visible_to(user) -> QuerySet[SessionRegistration]:
    queryset = SessionRegistration.objects.select_related("session", "organisation")
    if is_staff_member(user):
        return queryset
    organisation = organisation_of(user)
    if organisation is None:
        return queryset.none()
    return queryset.filter(organisation=organisation)


def registration_of(*, user, session: Session) -> SessionRegistration | None:
    """The user's organisation's active registration in ``session`` or its overflow."""
    organisation = organisation_of(user)
    if organisation is None:
        return None
    return (
        SessionRegistration.objects.select_related("session")
        .filter(
            Q(session=session) | Q(session__overflow_for=session),
            organisation=organisation,
            cancelled_at__isnull=True,
        )
        .first()
    )


def session_attendees(session: Session) -> QuerySet[SessionRegistration]:
    """Active registrations of a session and of its overflow session, in registration order.
    Staff only (the callers check ``can_view_tender_communication``)."""
    sessions = [session.pk] + ([session.overflow_id] if session.overflow_id else [])
    return (
        SessionRegistration.objects.filter(session__in=sessions, cancelled_at__isnull=True)
        .select_related("organisation", "session")
        .order_by("registered_at", "pk")
    )


def questions_visible_to(user, tender: Tender | None = None) -> QuerySet[Question]:
    """Staff: every question, with the asking organisation. A provider: its own
    organisation's questions. Anyone else: none."""
    queryset = Question.objects.select_related("tender", "lot", "segment", "nota", "organisation")
    if tender is not None:
        queryset = queryset.filter(tender=tender)
    if is_staff_member(user) and (tender is None or can_view_tender_communication(user, tender)):
        return queryset
    organisation = organisation_of(user)
    if organisation is None:
        return queryset.none()
    return queryset.filter(organisation=organisation)


def questions_filter(
    queryset: QuerySet[Question],
    *,
    lot: str | None = None,
    segment: str | None = None,
    answered: bool | None = None,
) -> QuerySet[Question]:
    """Filter by lot code, segment code and answered yes/no (staff lists, API)."""
    if lot:
        queryset = queryset.filter(lot__code=lot)
    if segment:
        queryset = queryset.filter(segment__code=segment)
    if answered is not None:
        queryset = queryset.filter(answered_at__isnull=not answered)
    return queryset


def portal_tenders() -> QuerySet[Tender]:
    """Tenders a provider can see in the portal: every tender that has been published
    (drafts never), newest deadline first."""
    return Tender.objects.public().select_related("region").order_by("-deadline", "slug")

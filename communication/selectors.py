"""Reading what the public tender site shows, and the sessions staff plan.

Public means: the tender is not a draft. What is public of questions is only what a
published nota holds, without who asked. Registrations and questions are scoped to the
user: a provider sees its own organisation's only, staff see all, anyone else nothing.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_staff_member
from providers.models import Organisation
from providers.selectors import organisation_of
from tender.models import Criterion, Lot, Municipality, Requirement, Segment, Tender

from .models import (
    KeyDate,
    NewsItem,
    Nota,
    Question,
    Session,
    SessionRegistration,
    TenderDocument,
)
from .permissions import can_view_tender_communication

ACTIVE = Q(registrations__cancelled_at__isnull=True)


def public_tenders() -> QuerySet[Tender]:
    return Tender.objects.public().select_related("region")


def public_news(tender: Tender) -> QuerySet[NewsItem]:
    return NewsItem.objects.filter(
        tender=tender, published=True, published_at__lte=timezone.now()
    ).order_by("-published_at", "-pk")


# -- the document library ------------------------------------------------------------------

Audience = TenderDocument.Audience


def registered_organisations(tender: Tender) -> QuerySet[Organisation]:
    """The tender's registered candidates (docs/rules.md, "registered bidders"): organisations
    with a member user that asked a question about the tender or registered for one of its
    sessions (also when that registration was cancelled later)."""
    return Organisation.objects.filter(
        Q(questions__tender=tender) | Q(session_registrations__session__tender=tender),
        memberships__isnull=False,
    ).distinct()


def invited_organisations(tender: Tender) -> QuerySet[Organisation]:
    """The candidates invited to round 2 (the offer round) for at least one segment
    (``OfferInvitation``), with the confirmed members of their combinations for the tender."""
    return Organisation.objects.filter(
        Q(offer_invitations__tender=tender)
        | Q(
            combinationmember__combination__tender=tender,
            combinationmember__confirmed_at__isnull=False,
            combinationmember__combination__lead__offer_invitations__tender=tender,
        )
    ).distinct()


def document_audiences(user, tender: Tender) -> set[str]:
    """The audiences whose documents ``user`` may read: everyone the public ones; a provider
    user also those of the candidate groups its organisation belongs to."""
    return organisation_document_audiences(tender, organisation_of(user))


def organisation_document_audiences(tender: Tender, organisation: Organisation | None) -> set[str]:
    audiences = {Audience.PUBLIC}
    if organisation is None:
        return audiences
    if registered_organisations(tender).filter(pk=organisation.pk).exists():
        audiences.add(Audience.REGISTERED)
    if invited_organisations(tender).filter(pk=organisation.pk).exists():
        audiences.add(Audience.INVITED)
    return audiences


def _library(tender: Tender) -> QuerySet[TenderDocument]:
    """The tender's documents, each with ``superseded`` (a newer version is published) and
    newest first within its category."""
    newer = TenderDocument.objects.filter(replaces=OuterRef("pk"), publish_at__lte=timezone.now())
    return (
        TenderDocument.objects.filter(tender=tender)
        .annotate(superseded=Exists(newer))
        .order_by("category", "-publish_at", "-pk")
    )


def published_documents(tender: Tender, audiences: set[str]) -> QuerySet[TenderDocument]:
    """Documents of ``audiences`` from their publication moment on (the on-read check)."""
    return _library(tender).filter(audience__in=audiences, publish_at__lte=timezone.now())


def public_documents(tender: Tender) -> QuerySet[TenderDocument]:
    return published_documents(tender, {Audience.PUBLIC})


def documents_visible_to(user, tender: Tender) -> QuerySet[TenderDocument]:
    """Staff: the whole library, scheduled documents too. Anyone else: what is published for
    their audiences (``document_audiences``)."""
    if is_staff_member(user) and can_view_tender_communication(user, tender):
        return _library(tender).select_related("uploaded_by", "replaces")
    return published_documents(tender, document_audiences(user, tender))


def tender_structure(tender: Tender) -> list[Lot]:
    """The lots in order with their municipalities and segments, each segment with its
    requirements and criteria (selection first, then award, in position order): five
    queries, whatever the tender holds."""
    criteria = Criterion.objects.order_by("-phase", "position", "pk")  # selection < award
    segments = Segment.objects.order_by("position", "code").prefetch_related(
        Prefetch("criteria", queryset=criteria),
        Prefetch("requirements", queryset=Requirement.objects.order_by("position", "code")),
    )
    return list(
        Lot.objects.filter(tender=tender)
        .order_by("position", "code")
        .prefetch_related(
            Prefetch("municipalities", queryset=Municipality.objects.order_by("name")),
            Prefetch("segments", queryset=segments),
        )
    )


def tender_requirements(tender: Tender) -> QuerySet[Requirement]:
    """The requirements of the whole tender (those of one segment are with the segment)."""
    return Requirement.objects.filter(tender=tender, segment__isnull=True).order_by(
        "position", "code"
    )


def sessions_with_counts(tender: Tender) -> QuerySet[Session]:
    """The tender's sessions with ``taken`` (active registrations) and the main session of an
    overflow session, in date order."""
    return (
        Session.objects.filter(tender=tender)
        .select_related("overflow", "overflow_for")
        .prefetch_related("lots", "segments")
        .annotate(taken=Count("registrations", filter=ACTIVE))
        .order_by("starts_at", "pk")
    )


def overflow_candidates(tender: Tender, session: Session | None = None) -> QuerySet[Session]:
    """Sessions that may be chosen as the overflow of ``session`` (a new one when None):
    this tender's, without an overflow of their own, not the overflow of another session."""
    queryset = Session.objects.filter(tender=tender, overflow__isnull=True)
    if session is None:
        return queryset.filter(overflow_for__isnull=True)
    return queryset.filter(Q(overflow_for__isnull=True) | Q(overflow_for=session)).exclude(
        pk=session.pk
    )


@dataclass(frozen=True)
class KeyMoment:
    label: str  # or a lazy translation
    when: date | datetime
    note: str = ""
    is_deadline: bool = False

    @property
    def sort_key(self) -> date:
        return (
            timezone.localtime(self.when).date() if isinstance(self.when, datetime) else self.when
        )


def key_moments(tender: Tender) -> list[KeyMoment]:
    """The 'Belangrijke data': the staff-kept list plus the deadline, always, in date order
    (on the same day the deadline comes last)."""
    moments = [
        KeyMoment(label=k.label, when=k.date, note=k.note)
        for k in KeyDate.objects.filter(tender=tender).order_by("date", "pk")
    ]
    moments.append(KeyMoment(label=_("Sluitingstermijn"), when=tender.deadline, is_deadline=True))
    return sorted(moments, key=lambda m: (m.sort_key, m.is_deadline))


def published_notas(tender: Tender, audiences=frozenset({Audience.PUBLIC})) -> list[Nota]:
    """Published notas whose document is for one of ``audiences`` (default: the public ones;
    a nota of round 2 is for the invited candidates only), newest first, each with its
    questions in number order (``items``): question, answer, lot and segment only, never the
    organisation."""
    questions = Question.objects.select_related("lot", "segment").order_by("number", "pk")
    return list(
        Nota.objects.filter(
            tender=tender, published_at__isnull=False, document__audience__in=audiences
        )
        .select_related("document")
        .prefetch_related(Prefetch("questions", queryset=questions, to_attr="items"))
        .order_by("-number")
    )


# -- Registrations and questions, scoped to the user ---------------------------------------


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

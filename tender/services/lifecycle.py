"""The tender lifecycle as one state machine (DOMAIN.md, "Lifecycle of a tender").

Every transition is one call of ``tender_transition``: it checks the state, the user's role
and the guards, changes the state and writes the audit log in one transaction. The opening is
the exception that needs two people: ``tender_confirm_opening`` (four-eyes).

Later apps add their preconditions and follow-up work through ``register_guard`` and
``register_after`` (in their ``AppConfig.ready``), so this module never imports them.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import role_names
from accounts.roles import CONTRACTMANAGER, INKOPER, VOORZITTER
from audit.services import audit_record

from ..constants import Procedure, TenderState
from ..errors import ApplicationError
from ..models import OpeningConfirmation, Tender

S = TenderState


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    label: str
    roles: frozenset[str]


TRANSITIONS = {
    t.name: t
    for t in (
        Transition(
            "publish", (S.DRAFT,), S.PUBLISHED, gettext_lazy("Publiceren"), frozenset({INKOPER})
        ),
        Transition(
            "open_submissions",
            (S.PUBLISHED,),
            S.SUBMISSIONS_OPEN,
            gettext_lazy("Inschrijving openstellen"),
            frozenset({INKOPER}),
        ),
        Transition(
            "close",
            (S.SUBMISSIONS_OPEN,),
            S.CLOSED,
            gettext_lazy("Inschrijving sluiten"),
            frozenset({INKOPER, VOORZITTER}),
        ),
        Transition(
            "open",
            (S.CLOSED,),
            S.OPENED,
            gettext_lazy("Opening bevestigen"),
            frozenset({INKOPER, VOORZITTER}),
        ),
        Transition(
            "start_selection",
            (S.OPENED,),
            S.SELECTION,
            gettext_lazy("Selectiefase starten"),
            frozenset({VOORZITTER}),
        ),
        Transition(
            "start_award",
            (S.OPENED, S.SELECTION),
            S.AWARD,
            gettext_lazy("Gunningsfase starten"),
            frozenset({VOORZITTER}),
        ),
        Transition(
            "start_standstill",
            (S.AWARD,),
            S.STANDSTILL,
            gettext_lazy("Gunningsbeslissing versturen"),
            frozenset({INKOPER, VOORZITTER}),
        ),
        Transition(
            "award",
            (S.STANDSTILL,),
            S.AWARDED,
            gettext_lazy("Definitief gunnen"),
            frozenset({INKOPER}),
        ),
        Transition(
            "contract",
            (S.AWARDED,),
            S.CONTRACTED,
            gettext_lazy("Contracten afsluiten"),
            frozenset({INKOPER, CONTRACTMANAGER}),
        ),
        Transition(
            "cancel",
            (
                S.DRAFT,
                S.PUBLISHED,
                S.SUBMISSIONS_OPEN,
                S.CLOSED,
                S.OPENED,
                S.SELECTION,
                S.AWARD,
                S.STANDSTILL,
            ),
            S.CANCELLED,
            gettext_lazy("Aanbesteding intrekken"),
            frozenset({INKOPER}),
        ),
    )
}

Guard = Callable[[Tender], str | None]
After = Callable[..., None]
_guards: dict[str, list[Guard]] = defaultdict(list)
_after: dict[str, list[After]] = defaultdict(list)


def register_guard(transition: str, guard: Guard) -> None:
    """Add a precondition: ``guard(tender)`` returns a Dutch reason to refuse, or None."""
    if guard not in _guards[transition]:
        _guards[transition].append(guard)


def register_after(transition: str, hook: After) -> None:
    """Add follow-up work run inside the transition's transaction: ``hook(tender=, user=)``."""
    if hook not in _after[transition]:
        _after[transition].append(hook)


# -- built-in guards ----------------------------------------------------------------------


def _complete_for_publication(tender: Tender) -> str | None:
    lots = list(tender.lots.prefetch_related("municipalities", "segments__criteria"))
    if not lots:
        return _("Voeg eerst minstens één perceel toe.")
    for lot in lots:
        if not lot.municipalities.all():
            return _("Perceel %(code)s heeft geen deelnemende gemeenten.") % {"code": lot.code}
        segments = lot.segments.all()
        if not segments:
            return _("Perceel %(code)s heeft geen inkoopsegmenten.") % {"code": lot.code}
        for segment in segments:
            if not segment.criteria.all():
                return _("Segment %(code)s heeft geen criteria.") % {"code": segment.code}
    return None


def _deadline_in_future(tender: Tender) -> str | None:
    if tender.deadline_passed(timezone.now()):
        return _("De sluitingstermijn ligt in het verleden; verplaats die eerst.")
    return None


def _deadline_passed(tender: Tender) -> str | None:
    if not tender.deadline_passed(timezone.now()):
        return _("De sluitingstermijn is nog niet verstreken.")
    return None


def _procedure_has_selection(tender: Tender) -> str | None:
    if tender.procedure == Procedure.OPEN:
        return _("Een openbare procedure heeft geen selectiefase; start de gunningsfase.")
    return None


def _award_follows_the_right_phase(tender: Tender) -> str | None:
    if tender.procedure == Procedure.OPEN and tender.state != S.OPENED:
        return _("Een openbare procedure gaat na de opening direct naar de gunningsfase.")
    if tender.procedure != Procedure.OPEN and tender.state != S.SELECTION:
        return _("De gunningsfase volgt op de selectiefase.")
    return None


for _name, _guard in (
    ("publish", _complete_for_publication),
    ("publish", _deadline_in_future),
    ("open_submissions", _deadline_in_future),
    ("close", _deadline_passed),
    ("start_selection", _procedure_has_selection),
    ("start_award", _award_follows_the_right_phase),
):
    register_guard(_name, _guard)


# -- queries ------------------------------------------------------------------------------


def user_may(user, transition: Transition) -> bool:
    return bool(user.is_superuser or role_names(user) & transition.roles)


def available_transitions(*, tender: Tender, user) -> list[Transition]:
    """Transitions from the current state that this user's roles allow (the buttons shown).

    Guards are not evaluated here: a refused guard is explained when the button is used.
    """
    return [t for t in TRANSITIONS.values() if tender.state in t.sources and user_may(user, t)]


# -- actions ------------------------------------------------------------------------------


def _check(tender: Tender, transition: Transition, user, system: bool = False) -> None:
    if tender.state not in transition.sources:
        raise ApplicationError(
            _("'%(action)s' kan niet in de status '%(state)s'.")
            % {"action": transition.label, "state": tender.get_state_display()},
            field="transition",
        )
    if not (system or user_may(user, transition)):
        raise ApplicationError(
            _("U mag '%(action)s' niet uitvoeren.") % {"action": transition.label},
            field="transition",
        )
    for guard in _guards[transition.name]:
        reason = guard(tender)
        if reason:
            raise ApplicationError(reason, field="transition")


def _apply(tender: Tender, transition: Transition, user, client_address, details) -> Tender:
    previous = tender.state
    tender.state = transition.target
    tender.save(update_fields=["state", "updated_at"])
    for hook in _after[transition.name]:
        hook(tender=tender, user=user)
    audit_record(
        action=f"tender.{transition.name}",
        actor=user,
        obj=tender,
        tender=tender,
        client_address=client_address,
        details={"from": previous, "to": tender.state, **(details or {})},
    )
    return tender


@transaction.atomic
def tender_transition(
    *,
    tender: Tender,
    name: str,
    user,
    reason: str = "",
    client_address: str | None = None,
    system: bool = False,
) -> Tender:
    """Move ``tender`` along transition ``name``; raises ApplicationError with a Dutch reason.

    ``system=True`` (with ``user=None``) is a scheduled job acting: no role check, the audit
    entry has no actor."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise ApplicationError(
            _("Onbekende actie '%(name)s'.") % {"name": name}, field="transition"
        )
    if name == "open":
        raise ApplicationError(
            _("De opening vraagt bevestiging door twee personen."), field="transition"
        )
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if name == "cancel" and not reason.strip():
        raise ApplicationError(_("Geef een reden voor het intrekken."), field="reason")
    _check(tender, transition, user, system=system and user is None)
    return _apply(
        tender,
        transition,
        user,
        client_address,
        {"reason": reason.strip()} if reason.strip() else None,
    )


@transaction.atomic
def tender_confirm_opening(*, tender: Tender, user, client_address: str | None = None) -> Tender:
    """Record one confirmation of the opening; the second, by another person, opens the tender.

    Refused for the same person twice, before the deadline, outside the 'closed' state and for
    users without an opening role.
    """
    transition = TRANSITIONS["open"]
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    _check(tender, transition, user)
    if OpeningConfirmation.objects.filter(tender=tender, user=user).exists():
        raise ApplicationError(
            _("U heeft de opening al bevestigd; een tweede, andere gebruiker moet bevestigen."),
            field="transition",
        )
    OpeningConfirmation.objects.create(tender=tender, user=user)
    confirmations = list(
        OpeningConfirmation.objects.filter(tender=tender)
        .select_related("user")
        .order_by("confirmed_at", "pk")
    )
    if len(confirmations) < 2:
        audit_record(
            action="tender.open_confirm",
            actor=user,
            obj=tender,
            tender=tender,
            client_address=client_address,
        )
        return tender
    return _apply(
        tender,
        transition,
        user,
        client_address,
        {"confirmed_by": [c.user.get_username() for c in confirmations]},
    )

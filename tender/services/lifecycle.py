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

from ..constants import PROCEDURE_STEPS, Procedure, Round, TenderState
from ..errors import ApplicationError
from ..models import OpeningConfirmation, Segment, Tender

S = TenderState


_ALL = frozenset(Procedure.values)
_RESTRICTED = frozenset({Procedure.RESTRICTED})
_OPEN = frozenset({Procedure.OPEN})
_OFFERING = frozenset({Procedure.RESTRICTED, Procedure.OPEN})
_OPEN_HOUSE = frozenset({Procedure.OPEN_HOUSE})


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    label: str
    roles: frozenset[str]
    procedures: frozenset[str] = _ALL
    #: Where a procedure starts the transition from a state of its own (the offers: from
    #: ``published`` in the open procedure, after the selection in the restricted one).
    sources_of: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def sources_for(self, procedure: str) -> tuple[str, ...]:
        return dict(self.sources_of).get(procedure, self.sources)

    def applies(self, tender) -> bool:
        return tender.procedure in self.procedures and tender.state in self.sources_for(
            tender.procedure
        )


#: The four-eyes openings and the round each one opens.
OPENINGS = {"open_requests": Round.REQUEST, "open_offers": Round.OFFER}

_PROCURING = frozenset({INKOPER})
_OPENING = frozenset({INKOPER, VOORZITTER})

TRANSITIONS = {
    t.name: t
    for t in (
        # Market consultation is optional: a tender may go from draft straight to published.
        Transition(
            "consult",
            (S.DRAFT,),
            S.CONSULTATION,
            gettext_lazy("Marktconsultatie starten"),
            _PROCURING,
        ),
        Transition(
            "publish",
            (S.DRAFT, S.CONSULTATION),
            S.PUBLISHED,
            gettext_lazy("Publiceren"),
            _PROCURING,
        ),
        # -- restricted, round 1: requests to participate
        Transition(
            "start_requests",
            (S.PUBLISHED,),
            S.REQUESTS_OPEN,
            gettext_lazy("Verzoeken tot deelneming openstellen"),
            _PROCURING,
            _RESTRICTED,
        ),
        Transition(
            "close_requests",
            (S.REQUESTS_OPEN,),
            S.REQUESTS_CLOSED,
            gettext_lazy("Verzoeken tot deelneming sluiten"),
            _OPENING,
            _RESTRICTED,
        ),
        Transition(
            "open_requests",
            (S.REQUESTS_CLOSED,),
            S.REQUESTS_OPENED,
            gettext_lazy("Opening verzoeken bevestigen"),
            _OPENING,
            _RESTRICTED,
        ),
        Transition(
            "start_selection",
            (S.REQUESTS_OPENED,),
            S.SELECTION,
            gettext_lazy("Selectiefase starten"),
            frozenset({VOORZITTER}),
            _RESTRICTED,
        ),
        Transition(
            "start_selection_standstill",
            (S.SELECTION,),
            S.SELECTION_STANDSTILL,
            gettext_lazy("Selectiebeslissing versturen"),
            _OPENING,
            _RESTRICTED,
        ),
        # -- the offers: round 2 of restricted, the one round of open
        Transition(
            "start_offers",
            (S.PUBLISHED, S.SELECTION_STANDSTILL),
            S.OFFERS_OPEN,
            gettext_lazy("Inschrijving openstellen"),
            _PROCURING,
            _OFFERING,
            (
                (Procedure.OPEN, (S.PUBLISHED,)),
                (Procedure.RESTRICTED, (S.SELECTION_STANDSTILL,)),
            ),
        ),
        Transition(
            "close_offers",
            (S.OFFERS_OPEN,),
            S.OFFERS_CLOSED,
            gettext_lazy("Inschrijving sluiten"),
            _OPENING,
            _OFFERING,
        ),
        Transition(
            "open_offers",
            (S.OFFERS_CLOSED,),
            S.OFFERS_OPENED,
            gettext_lazy("Opening inschrijvingen bevestigen"),
            _OPENING,
            _OFFERING,
        ),
        Transition(
            "start_award",
            (S.OFFERS_OPENED,),
            S.AWARD,
            gettext_lazy("Gunningsfase starten"),
            frozenset({VOORZITTER}),
            _OFFERING,
        ),
        Transition(
            "start_standstill",
            (S.AWARD,),
            S.STANDSTILL,
            gettext_lazy("Gunningsbeslissing versturen"),
            _OPENING,
            _OFFERING,
        ),
        Transition(
            "award",
            (S.STANDSTILL,),
            S.AWARDED,
            gettext_lazy("Definitief gunnen"),
            _PROCURING,
            _OFFERING,
        ),
        Transition(
            "contract",
            (S.AWARDED,),
            S.CONTRACTED,
            gettext_lazy("Contracten afsluiten"),
            frozenset({INKOPER, CONTRACTMANAGER}),
            _OFFERING,
        ),
        # -- Open House: continuous admission (applications are handled one by one in it)
        Transition(
            "open_admission",
            (S.PUBLISHED,),
            S.ADMISSION_OPEN,
            gettext_lazy("Toelating openstellen"),
            _PROCURING,
            _OPEN_HOUSE,
        ),
        Transition(
            "close_admission",
            (S.ADMISSION_OPEN,),
            S.ADMISSION_CLOSED,
            gettext_lazy("Toelating sluiten"),
            _PROCURING,
            _OPEN_HOUSE,
        ),
        Transition(
            "cancel",
            tuple(
                s
                for s in TenderState
                if s not in (S.AWARDED, S.CONTRACTED, S.CANCELLED, S.ADMISSION_CLOSED)
            ),
            S.CANCELLED,
            gettext_lazy("Aanbesteding intrekken"),
            _PROCURING,
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


def _segments_definitive(tender: Tender) -> str | None:
    """Publishing needs every segment definitive: a provisional one ("onder voorbehoud van
    besluitvorming") first gets its decision record (``tender.services.decisions``)."""
    codes = list(
        Segment.objects.filter(tender=tender, provisional=True)
        .order_by("code")
        .values_list("code", flat=True)
    )
    if codes:
        return _(
            "Nog niet elk segment is definitief: %(codes)s. Leg eerst per segment het besluit "
            "vast (college, raad of bestuurlijk overleg)."
        ) % {"codes": ", ".join(codes)}
    return None


def _consultation_started(*, tender: Tender, user) -> None:
    """Remember that the tender used the market consultation (the timeline shows the step)."""
    tender.consultation_at = timezone.now()
    tender.save(update_fields=["consultation_at", "updated_at"])


def _deadline_in_future(tender: Tender) -> str | None:
    if tender.deadline_passed(timezone.now(), tender.rounds[0]):
        return _("De sluitingstermijn ligt in het verleden; verplaats die eerst.")
    return None


def _offers_deadline_in_future(tender: Tender) -> str | None:
    if tender.deadline_passed(timezone.now(), Round.OFFER):
        return _(
            "De sluitingstermijn voor de inschrijvingen ontbreekt of ligt in het verleden; "
            "stel die eerst in."
        )
    return None


def _deadline_passed(tender: Tender) -> str | None:
    if not tender.deadline_passed(timezone.now()):
        return _("De sluitingstermijn is nog niet verstreken.")
    return None


for _name, _guard in (
    ("publish", _complete_for_publication),
    ("publish", _segments_definitive),
    ("publish", _deadline_in_future),
    ("start_requests", _deadline_in_future),
    ("close_requests", _deadline_passed),
    ("start_offers", _offers_deadline_in_future),
    ("close_offers", _deadline_passed),
):
    register_guard(_name, _guard)
register_after("consult", _consultation_started)


def steps_of(tender: Tender) -> list[dict]:
    """The steps of the tender's procedure with the current one marked (the timeline on the
    tender page): ``[{"state", "label", "done", "current"}]``. A cancelled tender marks no
    step current. The optional market consultation is a step only for a tender that used it."""
    steps = PROCEDURE_STEPS[tender.procedure]
    if tender.consultation_at is None and tender.state != S.CONSULTATION:
        steps = tuple(s for s in steps if s != S.CONSULTATION)
    labels = dict(TenderState.choices)
    current = steps.index(tender.state) if tender.state in steps else -1
    return [
        {"state": s, "label": labels[s], "done": i < current, "current": i == current}
        for i, s in enumerate(steps)
    ]


# -- queries ------------------------------------------------------------------------------


def user_may(user, transition: Transition) -> bool:
    return bool(user.is_superuser or role_names(user) & transition.roles)


def available_transitions(*, tender: Tender, user) -> list[Transition]:
    """Transitions from the current state that this user's roles allow (the buttons shown).

    Guards are not evaluated here: a refused guard is explained when the button is used.
    """
    return [t for t in TRANSITIONS.values() if t.applies(tender) and user_may(user, t)]


# -- actions ------------------------------------------------------------------------------


def _check(tender: Tender, transition: Transition, user, system: bool = False) -> None:
    if tender.procedure not in transition.procedures:
        raise ApplicationError(
            _("'%(action)s' hoort niet bij de procedure '%(procedure)s'.")
            % {"action": transition.label, "procedure": tender.get_procedure_display()},
            field="transition",
        )
    if tender.state not in transition.sources_for(tender.procedure):
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
    if name in OPENINGS:
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


def opened_round(tender: Tender) -> str:
    """For the after-hooks of the openings: the round the tender's opening just opened (the
    last round the tender's state has made readable)."""
    readable = [r for r in tender.rounds if tender.round_readable(r)]
    return readable[-1] if readable else tender.rounds[-1]


def opening_of(tender: Tender) -> str | None:
    """The four-eyes opening the tender waits for in its state (a transition name), or None."""
    for name in OPENINGS:
        if TRANSITIONS[name].applies(tender):
            return name
    return None


@transaction.atomic
def tender_confirm_opening(*, tender: Tender, user, client_address: str | None = None) -> Tender:
    """Record one confirmation of the opening of the round that is closed now; the second, by
    another person, opens that round (its transition: ``open_requests`` or ``open_offers``).

    Refused for the same person twice, before the round's deadline, outside a closed state and
    for users without an opening role.
    """
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    name = opening_of(tender) or "open_offers"
    transition = TRANSITIONS[name]
    round = OPENINGS[name]
    _check(tender, transition, user)
    mine = OpeningConfirmation.objects.filter(tender=tender, round=round)
    if mine.filter(user=user).exists():
        raise ApplicationError(
            _("U heeft de opening al bevestigd; een tweede, andere gebruiker moet bevestigen."),
            field="transition",
        )
    OpeningConfirmation.objects.create(tender=tender, round=round, user=user)
    confirmations = list(mine.select_related("user").order_by("confirmed_at", "pk"))
    if len(confirmations) < 2:
        audit_record(
            action="tender.open_confirm",
            actor=user,
            obj=tender,
            tender=tender,
            client_address=client_address,
            details={"round": round},
        )
        return tender
    return _apply(
        tender,
        transition,
        user,
        client_address,
        {"round": round, "confirmed_by": [c.user.get_username() for c in confirmations]},
    )


#: Before round 2 opens the restricted procedure's offers deadline may be set or moved.
OFFERS_DEADLINE_STATES = frozenset(
    {
        S.DRAFT,
        S.CONSULTATION,
        S.PUBLISHED,
        S.REQUESTS_OPEN,
        S.REQUESTS_CLOSED,
        S.REQUESTS_OPENED,
        S.SELECTION,
        S.SELECTION_STANDSTILL,
    }
)


@transaction.atomic
def tender_offers_deadline_set(
    *, tender: Tender, deadline, user, client_address: str | None = None
) -> Tender:
    """Set the deadline of round 2 (the offers) of a restricted tender: procurement staff,
    before round 2 opens, in the future and after the first round's deadline. Audited. (Once
    the offers are open it moves like any deadline: with a nota, not here.)"""
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if not (user.is_superuser or INKOPER in role_names(user)):
        raise ApplicationError(_("Alleen een inkoper stelt de sluitingstermijn in."))
    if tender.procedure != Procedure.RESTRICTED:
        raise ApplicationError(_("Alleen de niet-openbare procedure heeft een tweede ronde."))
    if tender.state not in OFFERS_DEADLINE_STATES:
        raise ApplicationError(
            _("De sluitingstermijn van de inschrijvingen ligt vast (status: %(s)s).")
            % {"s": tender.get_state_display()}
        )
    if deadline <= timezone.now() or deadline <= tender.deadline:
        raise ApplicationError(
            _(
                "De sluitingstermijn van de inschrijvingen ligt in de toekomst en na die van de "
                "verzoeken tot deelneming."
            ),
            field="offers_deadline",
        )
    previous = tender.offers_deadline
    tender.offers_deadline = deadline
    tender.save(update_fields=["offers_deadline", "updated_at"])
    audit_record(
        action="tender.offers_deadline",
        actor=user,
        obj=tender,
        tender=tender,
        client_address=client_address,
        details={
            "from": previous.isoformat() if previous else None,
            "to": deadline.isoformat(),
        },
    )
    return tender

from django.db import models
from django.utils.translation import gettext_lazy as _


class Procedure(models.TextChoices):
    RESTRICTED = "restricted", _("Niet-openbaar met voorselectie")
    OPEN_HOUSE = "open_house", _("Open House")
    OPEN = "open", _("Openbaar")


class TenderState(models.TextChoices):
    DRAFT = "draft", _("Concept")
    # Optional: market consultation before publication (public page, sessions, questions and
    # newsletter live while segments may still be provisional).
    CONSULTATION = "consultation", _("Marktconsultatie")
    PUBLISHED = "published", _("Gepubliceerd")
    # Round 1 of the restricted procedure: requests to participate (verzoeken tot deelneming).
    REQUESTS_OPEN = "requests_open", _("Verzoeken tot deelneming open")
    REQUESTS_CLOSED = "requests_closed", _("Verzoeken tot deelneming gesloten")
    REQUESTS_OPENED = "requests_opened", _("Verzoeken tot deelneming geopend")
    SELECTION = "selection", _("Selectiefase")
    SELECTION_STANDSTILL = "selection_standstill", _("Opschortende termijn selectie")
    # The offers (inschrijvingen): round 2 of the restricted procedure, the one round of the
    # open procedure.
    OFFERS_OPEN = "offers_open", _("Inschrijving open")
    OFFERS_CLOSED = "offers_closed", _("Inschrijving gesloten")
    OFFERS_OPENED = "offers_opened", _("Inschrijvingen geopend")
    AWARD = "award", _("Gunningsfase")
    STANDSTILL = "standstill", _("Opschortende termijn")
    AWARDED = "awarded", _("Gegund")
    CONTRACTED = "contracted", _("Gecontracteerd")
    # Open House: continuous admission.
    ADMISSION_OPEN = "admission_open", _("Toelating open")
    ADMISSION_CLOSED = "admission_closed", _("Toelating gesloten")
    CANCELLED = "cancelled", _("Ingetrokken")


class Round(models.TextChoices):
    """The submission round a submission belongs to (DOMAIN.md, "Procedures")."""

    REQUEST = "request", _("Verzoek tot deelneming")
    OFFER = "offer", _("Inschrijving")
    APPLICATION = "application", _("Aanmelding")


# -- Named sets of tender states: the one home of every "in which states" rule (docs/rules.md).
# Checks, selectors, admin and exports use these names, never a list of their own.

_S = TenderState
_R = Round

#: On the public site and in the provider portal: every tender but a draft (a cancelled tender
#: says so there).
PUBLIC_STATES = frozenset(_S) - {_S.DRAFT}
#: Set-up (data, lots, segments, requirements, criteria) may change; frozen from the opening of
#: the first round on (and always once a submission exists: ``tender.permissions``).
SETUP_EDITABLE_STATES = frozenset({_S.DRAFT, _S.CONSULTATION, _S.PUBLISHED})
#: The market prepares its bids: combinations are formed, UEAs filled in and questions asked
#: (each until the deadline of the round that is open).
BIDDING_STATES = frozenset({_S.PUBLISHED, _S.REQUESTS_OPEN, _S.OFFERS_OPEN, _S.ADMISSION_OPEN})
#: Per round: the tender state in which that round's submissions are started, changed and
#: sealed (strictly before the round's deadline). Not while the tender is only published: its
#: set-up may still change then, and a draft would freeze it.
ROUND_WRITABLE_STATE = {
    _R.REQUEST: _S.REQUESTS_OPEN,
    _R.OFFER: _S.OFFERS_OPEN,
    _R.APPLICATION: _S.ADMISSION_OPEN,
}
SUBMISSIONS_WRITABLE_STATES = frozenset(ROUND_WRITABLE_STATE.values())
#: Bidders ask questions: while they prepare their bids and during the market consultation
#: (answered there in the consultation report).
QUESTION_STATES = BIDDING_STATES | {_S.CONSULTATION}
#: Per round: the states in which its opening (four-eyes) may be confirmed.
ROUND_CLOSED_STATE = {_R.REQUEST: _S.REQUESTS_CLOSED, _R.OFFER: _S.OFFERS_CLOSED}
#: Per round: from its (four-eyes) opening on, that round's sealed content (submissions,
#: documents, UEAs) is readable. The offers of a restricted tender stay sealed while the
#: opened requests are read (selection_standstill, offers_open, offers_closed).
OFFERS_OPENED_STATES = frozenset(
    {_S.OFFERS_OPENED, _S.AWARD, _S.STANDSTILL, _S.AWARDED, _S.CONTRACTED}
)
REQUESTS_OPENED_STATES = OFFERS_OPENED_STATES | {
    _S.REQUESTS_OPENED,
    _S.SELECTION,
    _S.SELECTION_STANDSTILL,
    _S.OFFERS_OPEN,
    _S.OFFERS_CLOSED,
}
#: Open House applications: readable once the admission closed (batch openings during the
#: admission period come with issue 14, point 4).
APPLICATIONS_OPENED_STATES = frozenset({_S.ADMISSION_CLOSED})
ROUND_OPENED_STATES = {
    _R.REQUEST: REQUESTS_OPENED_STATES,
    _R.OFFER: OFFERS_OPENED_STATES,
    _R.APPLICATION: APPLICATIONS_OPENED_STATES,
}
#: Some round was opened: sealed content of *that* round is readable (``Tender.round_readable``
#: says which round).
OPENED_STATES = REQUESTS_OPENED_STATES | APPLICATIONS_OPENED_STATES
#: Bids may be read (scored, exported, shown in the admin) for at least one round: from the
#: first opening on, and in a draft, which holds sealed submissions only when they were loaded
#: from a scenario file. Which round: ``Tender.round_readable``.
BIDS_READABLE_STATES = OPENED_STATES | {_S.DRAFT}
#: Scores, consensus and requirement reviews change (while the phase's ranking is not final).
SCORING_WRITABLE_STATES = frozenset(
    {_S.DRAFT, _S.REQUESTS_OPENED, _S.SELECTION, _S.OFFERS_OPENED, _S.AWARD}
)
#: After a phase's decision went out, the scores of that phase can be corrected while an upheld
#: objection has reopened its ranking (``evaluation.scoring_selectors.scoring_refusal``): the
#: award phase during the standstill; the selection phase between the rounds (its standstill
#: and round 2 of the restricted procedure, where the segments not held are invited already),
#: and there only for the dossiers of the segments an upheld selection objection holds.
REOPENED_SCORING_STATES = {
    "award": frozenset({_S.STANDSTILL}),
    "selection": frozenset({_S.SELECTION_STANDSTILL, _S.OFFERS_OPEN}),
}
#: The award decision is final or the tender withdrawn: nothing is re-ranked any more.
DECIDED_STATES = frozenset({_S.AWARDED, _S.CONTRACTED, _S.CANCELLED})
#: The award decision is final and public: the public tender page shows the award notice
#: (winners per segment from the final award ranking).
AWARD_DECIDED_STATES = DECIDED_STATES - {_S.CANCELLED}

#: The rounds of each procedure, in order; the first round's deadline is ``Tender.deadline``.
PROCEDURE_ROUNDS = {
    "restricted": (_R.REQUEST, _R.OFFER),
    "open": (_R.OFFER,),
    "open_house": (_R.APPLICATION,),
}

#: The steps of each procedure's lifecycle (the timeline on the tender page). ``consultation``
#: is optional: the timeline shows it only for a tender that uses it (``steps_of``).
PROCEDURE_STEPS = {
    "restricted": (
        _S.DRAFT,
        _S.CONSULTATION,
        _S.PUBLISHED,
        _S.REQUESTS_OPEN,
        _S.REQUESTS_CLOSED,
        _S.REQUESTS_OPENED,
        _S.SELECTION,
        _S.SELECTION_STANDSTILL,
        _S.OFFERS_OPEN,
        _S.OFFERS_CLOSED,
        _S.OFFERS_OPENED,
        _S.AWARD,
        _S.STANDSTILL,
        _S.AWARDED,
        _S.CONTRACTED,
    ),
    "open": (
        _S.DRAFT,
        _S.CONSULTATION,
        _S.PUBLISHED,
        _S.OFFERS_OPEN,
        _S.OFFERS_CLOSED,
        _S.OFFERS_OPENED,
        _S.AWARD,
        _S.STANDSTILL,
        _S.AWARDED,
        _S.CONTRACTED,
    ),
    "open_house": (_S.DRAFT, _S.CONSULTATION, _S.PUBLISHED, _S.ADMISSION_OPEN, _S.ADMISSION_CLOSED),
}


class Funding(models.TextChoices):
    LUMPSUM = "lumpsum", _("Lumpsum")
    PXQ = "pxq", _("P x Q")
    TASK = "task", _("Taakgericht")
    RESULT = "result", _("Resultaatgericht")
    POPULATION = "population", _("Populatiebekostiging")


class DecisionBody(models.TextChoices):
    """Who took a decision that makes a provisional segment definitive."""

    COLLEGE = "college", _("College van B&W")
    RAAD = "raad", _("Gemeenteraad")
    BESTUURLIJK_OVERLEG = "bestuurlijk_overleg", _("Bestuurlijk overleg")


#: The default note of a provisional segment (the seeds' wording).
PROVISIONAL_NOTE = "onder voorbehoud van besluitvorming"


class PlanDocuments(models.TextChoices):
    """Which plan documents the offer holds (round 2 of the restricted procedure, the one round
    of the open procedure): none, one per award criterion of the segment, or one per segment."""

    NONE = "none", _("Geen plan")
    PER_CRITERION = "criterion", _("Een plan per gunningscriterium")
    PER_SEGMENT = "segment", _("Eén plan per segment")


class RequirementBinds(models.TextChoices):
    """Whom a requirement binds: the bidder (the lead) only, or every party of the bid (the
    lead, each confirmed member of its combination and each subcontractor), each answering
    with its own evidence."""

    BIDDER = "bidder", _("Alleen de inschrijver")
    EVERY_PARTY = "every_party", _("Elke partij (penvoerder, leden, onderaannemers)")


class Phase(models.TextChoices):
    SELECTION = "selection", _("Selectie")
    AWARD = "award", _("Gunning")


class PaymentRhythm(models.TextChoices):
    MONTHLY = "monthly", _("Maandelijks")
    QUARTERLY = "quarterly", _("Per kwartaal")


DEFAULT_SCALE = ["0", "0.25", "0.5", "0.75", "1"]

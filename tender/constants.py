from django.db import models
from django.utils.translation import gettext_lazy as _


class Procedure(models.TextChoices):
    RESTRICTED = "restricted", _("Niet-openbaar met voorselectie")
    OPEN_HOUSE = "open_house", _("Open House")
    OPEN = "open", _("Openbaar")


class TenderState(models.TextChoices):
    DRAFT = "draft", _("Concept")
    PUBLISHED = "published", _("Gepubliceerd")
    SUBMISSIONS_OPEN = "submissions_open", _("Inschrijving open")
    CLOSED = "closed", _("Gesloten")
    OPENED = "opened", _("Geopend")
    SELECTION = "selection", _("Selectiefase")
    AWARD = "award", _("Gunningsfase")
    STANDSTILL = "standstill", _("Opschortende termijn")
    AWARDED = "awarded", _("Gegund")
    CONTRACTED = "contracted", _("Gecontracteerd")
    CANCELLED = "cancelled", _("Ingetrokken")


# -- Named sets of tender states: the one home of every "in which states" rule (docs/rules.md).
# Checks, selectors, admin and exports use these names, never a list of their own.

_S = TenderState

#: On the public site and in the provider portal: every tender but a draft (a cancelled tender
#: says so there).
PUBLIC_STATES = frozenset(_S) - {_S.DRAFT}
#: Set-up (data, lots, segments, requirements, criteria) may change; frozen from the opening of
#: the submissions on (and always once a submission exists: ``tender.permissions``).
SETUP_EDITABLE_STATES = frozenset({_S.DRAFT, _S.PUBLISHED})
#: The market prepares its bids: combinations are formed, UEAs filled in and questions asked
#: (each until the deadline).
BIDDING_STATES = frozenset({_S.PUBLISHED, _S.SUBMISSIONS_OPEN})
#: Submission drafts are started, changed and sealed (strictly before the deadline). Not while
#: the tender is only published: its set-up may still change then, and a draft would freeze it.
SUBMISSIONS_WRITABLE_STATES = frozenset({_S.SUBMISSIONS_OPEN})
#: From the (four-eyes) opening on: sealed content (submissions, documents, UEAs) is readable.
OPENED_STATES = frozenset(
    {_S.OPENED, _S.SELECTION, _S.AWARD, _S.STANDSTILL, _S.AWARDED, _S.CONTRACTED}
)
#: Bids may be read (scored, exported, shown in the admin): from the opening on, and in a draft,
#: which holds sealed submissions only when they were loaded from a scenario file.
BIDS_READABLE_STATES = OPENED_STATES | {_S.DRAFT}
#: Scores, consensus and requirement reviews change (while the phase's ranking is not final).
SCORING_WRITABLE_STATES = frozenset({_S.DRAFT, _S.OPENED, _S.SELECTION, _S.AWARD})
#: The award decision is final or the tender withdrawn: nothing is re-ranked any more.
DECIDED_STATES = frozenset({_S.AWARDED, _S.CONTRACTED, _S.CANCELLED})
#: The award decision is final and public: the public tender page shows the award notice
#: (winners per segment from the final award ranking).
AWARD_DECIDED_STATES = DECIDED_STATES - {_S.CANCELLED}


class Funding(models.TextChoices):
    LUMPSUM = "lumpsum", _("Lumpsum")
    PXQ = "pxq", _("P x Q")
    TASK = "task", _("Taakgericht")
    RESULT = "result", _("Resultaatgericht")
    POPULATION = "population", _("Populatiebekostiging")


class Phase(models.TextChoices):
    SELECTION = "selection", _("Selectie")
    AWARD = "award", _("Gunning")


class PaymentRhythm(models.TextChoices):
    MONTHLY = "monthly", _("Maandelijks")
    QUARTERLY = "quarterly", _("Per kwartaal")


DEFAULT_SCALE = ["0", "0.25", "0.5", "0.75", "1"]

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

from django.db import models
from django.utils.translation import gettext_lazy as _


class RankingStatus(models.TextChoices):
    PENDING = "pending", _("In de wachtrij")
    RUNNING = "running", _("Bezig")
    DONE = "done", _("Klaar")
    FAILED = "failed", _("Mislukt")


class ResultStatus(models.TextChoices):
    SELECTED = "selected", _("Boven de streep")
    SELECTED_COVERAGE = "selected_coverage", _("Geselecteerd voor dekking")
    BELOW_LINE = "below_line", _("Onder de streep")
    EXCLUDED = "excluded", _("Uitgesloten")

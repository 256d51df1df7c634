"""Evaluators, their scores, consensus levels and stored rankings."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.jobs import job_stalled
from providers.models import Dossier
from tender.constants import Phase
from tender.models import Criterion, Segment, Tender

from .constants import RankingStatus, ResultStatus

# The scoring workflow's models live in their own module; imported here so Django sees them.
from .scoring_models import (  # noqa: F401
    Assignment,
    ConflictDeclaration,
    RequirementReview,
    ScoringDeadline,
)

level_validators = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]


class RankingImmutableError(Exception):
    """Raised on any attempt to change a finalised ranking."""


class Evaluator(models.Model):
    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="evaluators",
        help_text=_("Aanbesteding."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gebruiker"),
        on_delete=models.PROTECT,
        related_name="evaluator_roles",
        help_text=_("Account van de beoordelaar."),
    )
    name = models.CharField(_("naam"), max_length=200, help_text=_("Naam zoals getoond."))
    is_chair = models.BooleanField(
        _("voorzitter"), default=False, help_text=_("Inkoopspecialist die de consensus leidt.")
    )

    class Meta:
        ordering = ["tender", "name"]
        verbose_name = _("beoordelaar")
        verbose_name_plural = _("beoordelaars")
        constraints = [
            models.UniqueConstraint(fields=["tender", "user"], name="evaluator_once_per_tender"),
        ]

    def __str__(self):
        return self.name


class Score(models.Model):
    """One evaluator's individual level and rationale for one criterion of one dossier."""

    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("dossier"),
        on_delete=models.CASCADE,
        related_name="scores",
        help_text=_("Beoordeeld dossier."),
    )
    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("criterium"),
        on_delete=models.CASCADE,
        related_name="scores",
        help_text=_("Criterium."),
    )
    evaluator = models.ForeignKey(
        Evaluator,
        verbose_name=_("beoordelaar"),
        on_delete=models.PROTECT,
        related_name="scores",
        help_text=_("Beoordelaar."),
    )
    level = models.DecimalField(
        _("niveau"),
        max_digits=10,
        decimal_places=8,
        validators=level_validators,
        help_text=_("Fractie op de schaal van het criterium (0 t/m 1)."),
    )
    rationale = models.TextField(
        _("motivering"), blank=True, help_text=_("Verplicht bij het indienen van de set.")
    )
    submitted_at = models.DateTimeField(
        _("ingediend op"),
        null=True,
        blank=True,
        help_text=_("Leeg zolang de set niet is ingediend."),
    )
    updated_at = models.DateTimeField(_("gewijzigd"), auto_now=True, help_text=_("Gewijzigd."))

    class Meta:
        verbose_name = _("individuele score")
        verbose_name_plural = _("individuele scores")
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "criterion", "evaluator"], name="score_once_per_evaluator"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=0) & Q(level__lte=1), name="score_level_fraction"
            ),
        ]

    def __str__(self):
        return f"{self.evaluator} {self.criterion.code}: {self.level}"


class FinalLevel(models.Model):
    """The consensus level the chair sets per criterion of a dossier."""

    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("dossier"),
        on_delete=models.CASCADE,
        related_name="final_levels",
        help_text=_("Dossier."),
    )
    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("criterium"),
        on_delete=models.CASCADE,
        related_name="final_levels",
        help_text=_("Criterium."),
    )
    level = models.DecimalField(
        _("eindniveau"),
        max_digits=10,
        decimal_places=8,
        validators=level_validators,
        help_text=_("Consensusniveau (0 t/m 1)."),
    )
    rationale = models.TextField(
        _("motivering"), blank=True, help_text=_("Motivering van de consensus.")
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vastgesteld door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Voorzitter."),
    )
    updated_at = models.DateTimeField(_("gewijzigd"), auto_now=True, help_text=_("Gewijzigd."))

    class Meta:
        verbose_name = _("eindniveau")
        verbose_name_plural = _("eindniveaus")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "criterion"], name="final_level_once"),
            models.CheckConstraint(
                condition=Q(level__gte=0) & Q(level__lte=1), name="final_level_fraction"
            ),
        ]

    def __str__(self):
        return f"{self.criterion.code}: {self.level}"


class Ranking(models.Model):
    """One run of the ranking engine for a tender phase; immutable once final."""

    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="rankings",
        help_text=_("Aanbesteding."),
    )
    phase = models.CharField(
        _("fase"), max_length=10, choices=Phase.choices, help_text=_("Selectie of gunning.")
    )
    seed = models.BigIntegerField(
        _("loting-seed"),
        default=0,
        help_text=_("Beslist gelijke standen door loting, herhaalbaar."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RankingStatus.choices,
        default=RankingStatus.PENDING,
        help_text=_("Voortgang."),
    )
    progress = models.PositiveSmallIntegerField(
        _("voortgang (%)"), default=0, help_text=_("Voor de voortgangsbalk.")
    )
    error = models.TextField(_("foutmelding"), blank=True, help_text=_("Bij mislukken."))
    provisional = models.BooleanField(
        _("voorlopig"), default=False, help_text=_("Consensus nog niet compleet.")
    )
    input_hash = models.CharField(
        _("hash van de invoer"),
        max_length=64,
        blank=True,
        help_text=_("SHA-256 over alle invoer van de berekening."),
    )
    inputs = models.JSONField(
        _("invoer"),
        default=dict,
        blank=True,
        help_text=_(
            "Alle invoer van de berekening (engine-formaat), om de ranking later na te rekenen; "
            "leeg bij rankings van voor deze opslag."
        ),
    )
    result = models.JSONField(
        _("resultaat"),
        default=dict,
        blank=True,
        help_text=_("Het volledige resultaat, zoals `manage.py ranking`."),
    )
    is_final = models.BooleanField(
        _("definitief"), default=False, help_text=_("Na vaststellen onveranderlijk.")
    )
    finalised_at = models.DateTimeField(
        _("vastgesteld op"), null=True, blank=True, help_text=_("Moment van vaststellen.")
    )
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vastgesteld door"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Voorzitter."),
    )
    superseded = models.BooleanField(
        _("heropend"), default=False, help_text=_("Definitieve ranking die later is heropend.")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("aangevraagd door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Wie de berekening startte."),
    )
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True, help_text=_("Gestart."))
    heartbeat_at = models.DateTimeField(
        _("laatste teken van leven"),
        null=True,
        blank=True,
        help_text=_("Bijgewerkt bij de start van de berekening; te oud: de taak staat stil."),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ranking")
        verbose_name_plural = _("rankings")
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "phase"],
                condition=Q(is_final=True, superseded=False),
                name="ranking_one_final_per_phase",
            ),
        ]

    def __str__(self):
        return f"{self.tender.slug} {self.get_phase_display()} #{self.pk}"

    def save(self, *args, **kwargs):
        if self.pk and not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values("is_final").first()
            changing = set(kwargs.get("update_fields") or []) - {"superseded"}
            if stored and stored["is_final"] and (changing or not kwargs.get("update_fields")):
                raise RankingImmutableError("A finalised ranking cannot change.")
        super().save(*args, **kwargs)

    @property
    def is_stalled(self) -> bool:
        """Pending or running without a heartbeat for ``JOB_STALL_SECONDS``: resumable."""
        return job_stalled(
            status=self.status, heartbeat_at=self.heartbeat_at, created_at=self.created_at
        )


class RankingRow(models.Model):
    ranking = models.ForeignKey(
        Ranking,
        verbose_name=_("ranking"),
        on_delete=models.CASCADE,
        related_name="rows",
        help_text=_("Ranking."),
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Segment."),
    )
    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("dossier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Dossier van de inschrijver."),
    )
    bidder_kvk = models.CharField(_("KvK inschrijver"), max_length=8, help_text=_("Inschrijver."))
    bidder_name = models.CharField(
        _("naam inschrijver"),
        max_length=200,
        blank=True,
        help_text=_("Naam op het moment van rangschikken."),
    )
    position = models.PositiveIntegerField(_("positie"), help_text=_("Volgorde in de uitvoer."))
    rank = models.PositiveIntegerField(
        _("rang"), null=True, blank=True, help_text=_("Leeg voor uitgesloten inschrijvingen.")
    )
    points = models.DecimalField(
        _("punten"), max_digits=9, decimal_places=2, help_text=_("Afgerond op 2 decimalen.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ResultStatus.choices, help_text=_("Uitkomst.")
    )
    reasons = models.JSONField(
        _("redenen"), default=list, blank=True, help_text=_("Uitleg van de status.")
    )

    class Meta:
        ordering = ["ranking", "segment__code", "position"]
        verbose_name = _("rankingregel")
        verbose_name_plural = _("rankingregels")

    def __str__(self):
        return f"{self.rank or '-'} {self.bidder_kvk} {self.status}"


class RankingGap(models.Model):
    ranking = models.ForeignKey(
        Ranking,
        verbose_name=_("ranking"),
        on_delete=models.CASCADE,
        related_name="gaps",
        help_text=_("Ranking."),
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Segment."),
    )
    kind = models.CharField(_("soort"), max_length=20, help_text=_("Gemeente of specialisme."))
    code = models.CharField(_("code"), max_length=32, help_text=_("Ongedekte code."))
    shortfall = models.PositiveIntegerField(_("tekort"), help_text=_("Aantal ontbrekende."))

    class Meta:
        ordering = ["ranking", "segment__code", "id"]
        verbose_name = _("gat in dekking")
        verbose_name_plural = _("gaten in dekking")

    def __str__(self):
        return f"{self.kind} {self.code} ({self.shortfall})"

"""Contracts and their lumpsum figures. Issue 'Award decisions ...' fills in the workflow;
the shapes here are the ones the lumpsum engine and the ranking already need."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from providers.models import Dossier, Organisation, Submission
from tender.models import Municipality, Segment, Tender


class ContractState(models.TextChoices):
    DRAFT = "draft", _("Concept")
    ACTIVE = "active", _("Lopend")
    ENDED = "ended", _("Beëindigd")


class Contract(models.Model):
    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.PROTECT,
        related_name="contracts",
        help_text=_("Aanbesteding."),
    )
    submission = models.ForeignKey(
        Submission,
        verbose_name=_("inschrijving"),
        on_delete=models.PROTECT,
        related_name="contracts",
        help_text=_("Gegunde inschrijving."),
    )
    provider = models.ForeignKey(
        Organisation,
        verbose_name=_("opdrachtnemer"),
        on_delete=models.PROTECT,
        related_name="contracts",
        help_text=_("Aanbieder of penvoerder van de combinatie."),
    )
    number = models.CharField(
        _("contractnummer"), max_length=40, unique=True, help_text=_("Kenmerk van het contract.")
    )
    state = models.CharField(
        _("status"),
        max_length=10,
        choices=ContractState.choices,
        default=ContractState.DRAFT,
        help_text=_("Status."),
    )
    start_date = models.DateField(_("ingangsdatum"), help_text=_("Vroegste startdatum."))
    end_date = models.DateField(_("einddatum"), help_text=_("Einde van de lopende termijn."))
    extensions = models.PositiveSmallIntegerField(
        _("verlengingen"), default=0, help_text=_("Aantal verlengingen (max. 2).")
    )

    class Meta:
        ordering = ["tender", "number"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracten")
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "provider"], name="contract_one_per_provider"
            ),
            models.CheckConstraint(
                condition=models.Q(extensions__lte=2), name="contract_at_most_two_extensions"
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.provider.name}"


class ContractSegment(models.Model):
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="segments",
        help_text=_("Contract."),
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Gegund segment."),
    )
    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("dossier"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Dossier met het bod."),
    )
    municipalities = models.ManyToManyField(
        Municipality,
        verbose_name=_("gemeenten"),
        related_name="+",
        blank=True,
        help_text=_("Gemeenten waar geleverd wordt."),
    )
    start_date = models.DateField(_("startdatum"), help_text=_("Start van dit segment."))
    bid_amount = models.DecimalField(
        _("bod"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Cliënten x maanden x uren x tarief."),
    )
    lumpsum_amount = models.DecimalField(
        _("lumpsum per jaar"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Na eventuele schaling naar het budget."),
    )

    class Meta:
        verbose_name = _("gecontracteerd segment")
        verbose_name_plural = _("gecontracteerde segmenten")
        constraints = [
            models.UniqueConstraint(fields=["contract", "segment"], name="contract_segment_unique"),
        ]

    def __str__(self):
        return f"{self.contract.number} {self.segment.code}"


class Instalment(models.Model):
    contract_segment = models.ForeignKey(
        ContractSegment,
        verbose_name=_("gecontracteerd segment"),
        on_delete=models.CASCADE,
        related_name="instalments",
        help_text=_("Segment van het contract."),
    )
    year = models.PositiveSmallIntegerField(_("jaar"), help_text=_("Kalenderjaar."))
    due_date = models.DateField(_("betaaldatum"), help_text=_("Eerste dag van de periode."))
    amount = models.DecimalField(
        _("bedrag"), max_digits=14, decimal_places=2, help_text=_("Voorschot in euro.")
    )

    class Meta:
        ordering = ["contract_segment", "due_date"]
        verbose_name = _("termijnbetaling")
        verbose_name_plural = _("termijnbetalingen")
        constraints = [
            models.UniqueConstraint(
                fields=["contract_segment", "due_date"], name="instalment_once_per_date"
            ),
        ]

    def __str__(self):
        return f"{self.due_date} {self.amount}"


from .award_models import (  # noqa: E402
    AwardDecision,
    AwardLetter,
    LetterRun,
    Objection,
    SegmentStandstill,
)

__all__ = [
    "AwardDecision",
    "AwardLetter",
    "Contract",
    "ContractSegment",
    "ContractState",
    "Instalment",
    "LetterRun",
    "Objection",
    "SegmentStandstill",
]

"""Year-end settlement of a lumpsum: the provider's production report, the above-band policy of a
contract, and the computed (and approved) settlement. The maths is ``contracts.lumpsum.settle``."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import lumpsum as engine


class AboveBandPolicy(models.TextChoices):
    PROVIDER_BEARS = engine.OUTCOME_PROVIDER_BEARS, _("Voor rekening van de aanbieder")
    PAY_EXTRA = engine.OUTCOME_PAY_EXTRA, _("Gemeenten betalen het meerdere bij")


class SettlementOutcome(models.TextChoices):
    WITHIN_BAND = engine.OUTCOME_WITHIN_BAND, _("Binnen de bandbreedte")
    RECLAIM = engine.OUTCOME_RECLAIM, _("Terugvordering")
    PAY_EXTRA = engine.OUTCOME_PAY_EXTRA, _("Nabetaling")
    PROVIDER_BEARS = engine.OUTCOME_PROVIDER_BEARS, _("Boven de band, voor rekening aanbieder")


class ContractPolicy(models.Model):
    """Settlement terms of one contract that the contract itself does not hold (yet)."""

    contract = models.OneToOneField(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="settlement_policy",
        help_text=_("Contract waarvoor deze afspraak geldt."),
    )
    above_band = models.CharField(
        _("productie boven de band"),
        max_length=20,
        choices=AboveBandPolicy.choices,
        default=AboveBandPolicy.PROVIDER_BEARS,
        help_text=_("Wat er gebeurt met gerealiseerde productie boven de bovengrens."),
    )
    updated_at = models.DateTimeField(
        _("gewijzigd"), auto_now=True, help_text=_("Moment van laatste wijziging.")
    )

    class Meta:
        verbose_name = _("verrekenafspraak")
        verbose_name_plural = _("verrekenafspraken")

    def __str__(self):
        return f"{self.contract_id} {self.above_band}"


class ProductionReport(models.Model):
    """What a provider realised in one contracted segment in one calendar year."""

    contract_segment = models.ForeignKey(
        "contracts.ContractSegment",
        verbose_name=_("gecontracteerd segment"),
        on_delete=models.CASCADE,
        related_name="production_reports",
        help_text=_("Segment van het contract."),
    )
    year = models.PositiveSmallIntegerField(_("jaar"), help_text=_("Kalenderjaar."))
    realised_clients = models.PositiveIntegerField(
        _("cliënten"), help_text=_("Aantal cliënten dat in het jaar zorg kreeg.")
    )
    realised_hours = models.DecimalField(
        _("uren"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("Geleverde uren zorg in het jaar."),
    )
    comment = models.TextField(
        _("toelichting"), blank=True, max_length=4000, help_text=_("Toelichting van de aanbieder.")
    )
    updated_at = models.DateTimeField(
        _("gewijzigd"), auto_now=True, help_text=_("Moment van laatste wijziging.")
    )
    submitted_at = models.DateTimeField(
        _("ingediend"), null=True, blank=True, help_text=_("Leeg zolang het een concept is.")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ingediend door"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Gebruiker van de aanbieder die indiende."),
    )

    class Meta:
        ordering = ["contract_segment", "year"]
        verbose_name = _("productieverantwoording")
        verbose_name_plural = _("productieverantwoordingen")
        constraints = [
            models.UniqueConstraint(
                fields=["contract_segment", "year"], name="production_report_once_per_year"
            ),
        ]

    def __str__(self):
        return f"{self.contract_segment_id} {self.year}"


class ProductionDeclaration(models.Model):
    """P x Q funding: the production a provider declares for one month of a contracted
    segment, paid afterwards at the segment's tariff (DOMAIN.md "Funding models")."""

    contract_segment = models.ForeignKey(
        "contracts.ContractSegment",
        verbose_name=_("gecontracteerd segment"),
        on_delete=models.CASCADE,
        related_name="declarations",
        help_text=_("Segment van het contract."),
    )
    month = models.DateField(_("maand"), help_text=_("Eerste dag van de gedeclareerde maand."))
    hours = models.DecimalField(
        _("uren"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("Geleverde uren zorg in de maand."),
    )
    amount = models.DecimalField(
        _("bedrag"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Uren x normtarief, afgerond op centen."),
    )
    declared_at = models.DateTimeField(_("gedeclareerd op"), help_text=_("Moment van declareren."))
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gedeclareerd door"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        help_text=_("Gebruiker van de aanbieder die declareerde."),
    )

    class Meta:
        ordering = ["contract_segment", "month"]
        verbose_name = _("productiedeclaratie")
        verbose_name_plural = _("productiedeclaraties")
        constraints = [
            models.UniqueConstraint(
                fields=["contract_segment", "month"], name="declaration_once_per_month"
            ),
        ]

    def __str__(self):
        return f"{self.contract_segment_id} {self.month:%Y-%m}"

    @property
    def due_date(self):
        """Paid afterwards: the first day of the month after the declared month."""
        m = self.month
        return m.replace(year=m.year + m.month // 12, month=m.month % 12 + 1)


class Settlement(models.Model):
    """The settlement of one contracted segment for one year, as ``lumpsum.settle`` computed it.

    The inputs are kept next to the result, so the statement and an auditor's re-run agree.
    Recomputed freely until approved; approved settlements never change.
    """

    contract_segment = models.ForeignKey(
        "contracts.ContractSegment",
        verbose_name=_("gecontracteerd segment"),
        on_delete=models.CASCADE,
        related_name="settlements",
        help_text=_("Segment van het contract."),
    )
    year = models.PositiveSmallIntegerField(_("jaar"), help_text=_("Kalenderjaar."))
    report = models.OneToOneField(
        ProductionReport,
        verbose_name=_("productieverantwoording"),
        on_delete=models.PROTECT,
        related_name="settlement",
        help_text=_("Ingediende verantwoording waarop de verrekening berust."),
    )
    tariff = models.DecimalField(
        _("normtarief"), max_digits=14, decimal_places=6, help_text=_("Euro per uur.")
    )
    lumpsum = models.DecimalField(
        _("lumpsum (L)"), max_digits=14, decimal_places=2, help_text=_("Lumpsum van het jaar.")
    )
    realised = models.DecimalField(
        _("gerealiseerd (R)"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Geleverde uren x normtarief."),
    )
    band = models.DecimalField(
        _("bandbreedte"), max_digits=10, decimal_places=8, help_text=_("Als fractie.")
    )
    lower = models.DecimalField(
        _("ondergrens"), max_digits=14, decimal_places=2, help_text=_("L x (1 - b).")
    )
    upper = models.DecimalField(
        _("bovengrens"), max_digits=14, decimal_places=2, help_text=_("L x (1 + b).")
    )
    above_band = models.CharField(
        _("productie boven de band"),
        max_length=20,
        choices=AboveBandPolicy.choices,
        help_text=_("Afspraak die bij de berekening gold."),
    )
    outcome = models.CharField(
        _("uitkomst"), max_length=20, choices=SettlementOutcome.choices, help_text=_("Uitkomst.")
    )
    amount = models.DecimalField(
        _("bedrag"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Bedrag dat van eigenaar wisselt (nooit negatief)."),
    )
    computed_at = models.DateTimeField(_("berekend"), help_text=_("Moment van berekenen."))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("berekend door"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Medewerker die berekende."),
    )
    approved_at = models.DateTimeField(
        _("vastgesteld"), null=True, blank=True, help_text=_("Leeg zolang niet vastgesteld.")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vastgesteld door"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Medewerker die de verrekening vaststelde."),
    )

    class Meta:
        ordering = ["contract_segment", "year"]
        verbose_name = _("verrekening")
        verbose_name_plural = _("verrekeningen")
        constraints = [
            models.UniqueConstraint(
                fields=["contract_segment", "year"], name="settlement_once_per_year"
            ),
        ]

    def __str__(self):
        return f"{self.contract_segment_id} {self.year} {self.outcome} {self.amount}"

    @property
    def band_percent(self):
        return percent(self.band)


def percent(fraction):
    """0.05 -> Decimal('5'), 0.125 -> Decimal('12.5'): the band as shown to people."""
    value = (fraction * 100).normalize()
    return value.quantize(1) if value == value.to_integral() else value

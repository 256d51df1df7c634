"""Result-based steering: effect -> goal -> municipal KPI -> provider KPI per tender (optionally
per segment), and the values providers report per contract per period."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class KpiDirection(models.TextChoices):
    HIGHER = "higher", _("Hoger is beter")
    LOWER = "lower", _("Lager is beter")


class KpiPeriod(models.TextChoices):
    YEAR = "year", _("Jaar")
    HALF_YEAR = "half_year", _("Halfjaar")
    QUARTER = "quarter", _("Kwartaal")


class KpiEffect(models.Model):
    """An effect the region wants in society, with its goal and the region's own KPI."""

    tender = models.ForeignKey(
        "tender.Tender",
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="kpi_effects",
        help_text=_("Aanbesteding."),
    )
    effect = models.TextField(_("effect"), max_length=1000, help_text=_("Beoogd effect."))
    goal = models.TextField(_("doelstelling"), max_length=1000, help_text=_("Doelstelling."))
    municipal_kpi = models.TextField(
        _("KPI gemeenten"), max_length=1000, help_text=_("Waarop de gemeenten sturen.")
    )
    position = models.PositiveIntegerField(_("volgorde"), default=0, help_text=_("Volgorde."))

    class Meta:
        ordering = ["tender", "position", "pk"]
        verbose_name = _("effect")
        verbose_name_plural = _("effecten")

    def __str__(self):
        return self.effect[:60]


class ProviderKpi(models.Model):
    """What providers report on, with a target, for every contract of the tender (or of one lot
    or segment). Without a target it is an example ("voorbeeld") that does not count yet."""

    effect = models.ForeignKey(
        KpiEffect,
        verbose_name=_("effect"),
        on_delete=models.CASCADE,
        related_name="provider_kpis",
        help_text=_("Effect waaraan deze KPI bijdraagt."),
    )
    segment = models.ForeignKey(
        "tender.Segment",
        verbose_name=_("segment"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leeg: geldt voor alle segmenten van de aanbesteding."),
    )
    lot = models.ForeignKey(
        "tender.Lot",
        verbose_name=_("perceel"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leeg: geldt voor alle percelen (of alleen het gekozen segment)."),
    )
    name = models.CharField(_("KPI zorgaanbieder"), max_length=300, help_text=_("Omschrijving."))
    unit = models.CharField(_("eenheid"), max_length=30, help_text=_("Bijvoorbeeld % of cijfer."))
    target = models.DecimalField(
        _("streefwaarde"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Doel per periode; leeg = nog niet vastgesteld (de KPI is dan een voorbeeld en telt "
            "niet mee voor de start van een contract)."
        ),
    )
    direction = models.CharField(
        _("richting"),
        max_length=10,
        choices=KpiDirection.choices,
        default=KpiDirection.HIGHER,
        help_text=_("Of een hogere of een lagere waarde beter is."),
    )
    period = models.CharField(
        _("periode"),
        max_length=10,
        choices=KpiPeriod.choices,
        default=KpiPeriod.YEAR,
        help_text=_("Hoe vaak de aanbieder rapporteert."),
    )
    position = models.PositiveIntegerField(_("volgorde"), default=0, help_text=_("Volgorde."))

    class Meta:
        ordering = ["effect", "position", "pk"]
        verbose_name = _("KPI zorgaanbieder")
        verbose_name_plural = _("KPI's zorgaanbieders")

    def __str__(self):
        return self.name

    @property
    def is_example(self) -> bool:
        """A KPI without a target is an example ("voorbeeld") until its target is set."""
        return self.target is None


class KpiReport(models.Model):
    """One value of one KPI for one contract in one period, with the provider's comment."""

    kpi = models.ForeignKey(
        ProviderKpi,
        verbose_name=_("KPI"),
        on_delete=models.CASCADE,
        related_name="reports",
        help_text=_("KPI."),
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="kpi_reports",
        help_text=_("Contract waarover gerapporteerd wordt."),
    )
    period = models.CharField(_("periode"), max_length=10, help_text=_("2023, 2023-H1 of 2023-Q3."))
    value = models.DecimalField(
        _("waarde"), max_digits=12, decimal_places=2, help_text=_("Gemeten waarde.")
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
        ordering = ["kpi", "contract", "period"]
        verbose_name = _("KPI-rapportage")
        verbose_name_plural = _("KPI-rapportages")
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "contract", "period"], name="kpi_report_once_per_period"
            ),
        ]

    def __str__(self):
        return f"{self.kpi_id} {self.contract_id} {self.period}: {self.value}"

"""Contracts from final awards, their lumpsum figures, payment schedules, extension decisions
and the reminders sent before the notice deadline (rules: docs/rules.md, "Contracts and
payment schedules")."""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from providers.models import Dossier, Organisation, Submission, combination_label
from tender.constants import Funding
from tender.models import Municipality, Segment, Tender

from .lumpsum import FUNDINGS_PAID_AFTERWARDS, INITIAL_TERM_YEARS, term_end


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
        _("contractnummer"), max_length=80, unique=True, help_text=_("Kenmerk van het contract.")
    )
    combination_name = models.CharField(
        _("combinatie"),
        max_length=200,
        blank=True,
        help_text=_("Naam van de combinatie bij het sluiten van het contract, anders leeg."),
    )
    members = models.ManyToManyField(
        Organisation,
        verbose_name=_("leden van de combinatie"),
        related_name="member_contracts",
        blank=True,
        help_text=_("Overige leden van de combinatie (momentopname bij het sluiten)."),
    )
    subcontractors = models.JSONField(
        _("onderaannemers"),
        default=list,
        blank=True,
        help_text=_("Onderaannemers uit de inschrijving (KvK en naam, momentopname)."),
    )
    state = models.CharField(
        _("status"),
        max_length=10,
        choices=ContractState.choices,
        default=ContractState.DRAFT,
        help_text=_("Status."),
    )
    # Derived from the contracted segments (each has its own term): the earliest start and
    # the latest current end; kept in step by the services (``contract_terms_sync``).
    start_date = models.DateField(_("ingangsdatum"), help_text=_("Vroegste startdatum."))
    end_date = models.DateField(
        _("einddatum"), help_text=_("Einde van het laatst eindigende segment.")
    )
    extensions = models.PositiveSmallIntegerField(
        _("verlengingen"), default=0, help_text=_("Aantal verlengingen (max. 2).")
    )
    kpis_deferred_until = models.DateField(
        _("KPI's vast te stellen vóór"),
        null=True,
        blank=True,
        help_text=_(
            "Vastgelegd dat de KPI's in de implementatiefase worden vastgesteld, uiterlijk op "
            "deze datum; zonder KPI's of deze vastlegging start het contract niet."
        ),
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

    @property
    def combination_display(self) -> str:
        """The combination as it was at contracting ("Combinatie X (penvoerder A, leden B,
        C)"), or "" for a provider alone; reads ``members`` (prefetch it on lists)."""
        members = sorted(m.name for m in self.members.all())
        if not self.combination_name and not members:
            return ""
        name = "" if self.combination_name == self.provider.name else self.combination_name
        return combination_label(name=name, lead=self.provider.name, members=members)


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
    initial_end_date = models.DateField(
        _("einde eerste termijn"), help_text=_("Startdatum plus 3 jaar min 1 dag.")
    )
    end_date = models.DateField(
        _("einddatum"), help_text=_("Einde van de lopende termijn (met verlengingen).")
    )
    extensions = models.PositiveSmallIntegerField(
        _("verlengingen"), default=0, help_text=_("Aantal verlengingen (max. 2).")
    )
    bid_amount = models.DecimalField(
        _("bod"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Cliënten x maanden x uren x tarief; leeg zolang de lumpsum niet is berekend."),
    )
    lumpsum_amount = models.DecimalField(
        _("lumpsum per jaar"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Na eventuele schaling naar het budget; leeg zonder normtarief."),
    )
    # Task funding (taakgericht): an amount the municipalities set, overruling the default
    # share of the budget by current clients (DOMAIN.md "Funding models"); None = the default.
    set_amount = models.DecimalField(
        _("vastgesteld jaarbedrag"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Taakgericht: door de gemeenten vastgesteld jaarbedrag; leeg = standaard."),
    )
    set_amount_reason = models.TextField(
        _("reden vastgesteld bedrag"),
        blank=True,
        help_text=_("Waarom het bedrag afwijkt van de verdeling naar huidige cliënten."),
    )

    class Meta:
        verbose_name = _("gecontracteerd segment")
        verbose_name_plural = _("gecontracteerde segmenten")
        constraints = [
            models.UniqueConstraint(fields=["contract", "segment"], name="contract_segment_unique"),
            models.CheckConstraint(
                condition=models.Q(extensions__lte=2),
                name="contract_segment_at_most_two_extensions",
            ),
        ]

    def __str__(self):
        return f"{self.contract.number} {self.segment.code}"

    def save(self, *args, **kwargs):
        # The initial term follows from the start (DOMAIN.md "Contracts"); a new segment's
        # current end is its initial end.
        if self.initial_end_date is None and self.start_date is not None:
            self.initial_end_date = term_end(self.start_date, INITIAL_TERM_YEARS)
        if self.end_date is None:
            self.end_date = self.initial_end_date
        super().save(*args, **kwargs)

    @property
    def funding(self) -> str:
        """The funding model: the segment's own, else its lot's (DOMAIN.md "Funding models")."""
        return self.segment.effective_funding

    @property
    def funding_label(self) -> str:
        return str(Funding(self.funding).label)

    @property
    def paid_in_advance(self) -> bool:
        return self.funding not in FUNDINGS_PAID_AFTERWARDS

    @property
    def band_percent(self) -> str:
        """The settlement band as shown in the contract: "5 %" (the segment's, else the
        ``SETTLEMENT_DEFAULT_BAND`` setting)."""
        from .services.settlement import band_of
        from .settlement_models import percent

        return f"{percent(band_of(self.segment))} %".replace(".", ",")

    @property
    def banded(self) -> bool:
        """Whether the year-end settlement applies the band (lumpsum and task only)."""
        return self.funding in (Funding.LUMPSUM, Funding.TASK)


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
    exported_at = models.DateTimeField(
        _("doorgegeven aan financiën"),
        null=True,
        blank=True,
        help_text=_("Vastgezet voor de financiële administratie; daarna niet meer herberekend."),
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


class ExtensionDecision(models.Model):
    """The decision, per term, whether a contract is extended by two years (audited)."""

    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="decisions",
        help_text=_("Contract."),
    )
    term = models.PositiveSmallIntegerField(
        _("termijn"), help_text=_("Aantal verlengingen vóór dit besluit (0 of 1).")
    )
    extend = models.BooleanField(_("verlengen"), help_text=_("Verlengd of niet verlengd."))
    decided_at = models.DateField(
        _("besloten op"), help_text=_("Datum van vastleggen; kan niet worden teruggedateerd.")
    )
    previous_end_date = models.DateField(
        _("einddatum vóór het besluit"), help_text=_("Einde van de termijn waarover is besloten.")
    )
    end_date = models.DateField(
        _("einddatum na het besluit"),
        null=True,
        help_text=_("Einde van het contract na het besluit (leeg bij oude besluiten)."),
    )
    segment_terms = models.JSONField(
        _("segmenten"),
        default=list,
        blank=True,
        help_text=_("Per segment de einddatum vóór en na het besluit."),
    )
    late_reason = models.TextField(
        _("reden te laat besluit"),
        blank=True,
        help_text=_("Verplicht wanneer na de uiterste besluitdatum wordt besloten."),
    )
    note = models.TextField(_("toelichting"), blank=True, help_text=_("Optioneel."))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vastgelegd door"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        help_text=_("Gebruiker die het besluit vastlegde."),
    )
    created_at = models.DateTimeField(
        _("vastgelegd op"), auto_now_add=True, help_text=_("Moment van vastleggen.")
    )

    class Meta:
        ordering = ["contract", "term"]
        verbose_name = _("verlengingsbesluit")
        verbose_name_plural = _("verlengingsbesluiten")
        constraints = [
            models.UniqueConstraint(fields=["contract", "term"], name="decision_once_per_term"),
        ]

    def __str__(self):
        return f"{self.contract.number} termijn {self.term}: {self.extend}"

    def segment_changes(self) -> list[tuple[str, date, date]]:
        """(segment code, end before, end after) per contracted segment, for the history."""
        return [
            (
                t["segment"],
                date.fromisoformat(t["previous_end_date"]),
                date.fromisoformat(t["end_date"]),
            )
            for t in self.segment_terms
        ]


class ContractReminder(models.Model):
    """A reminder mail sent before the notice deadline of a term, once per threshold."""

    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="reminders",
        help_text=_("Contract."),
    )
    term = models.PositiveSmallIntegerField(_("termijn"), help_text=_("Aantal verlengingen."))
    months_before = models.PositiveSmallIntegerField(
        _("maanden vooraf"), help_text=_("Drempel in maanden vóór de opzegtermijn.")
    )
    deadline = models.DateField(_("uiterste besluitdatum"), help_text=_("Einde min opzegtermijn."))
    sent_at = models.DateTimeField(_("verstuurd op"), help_text=_("Moment van versturen."))

    class Meta:
        verbose_name = _("herinnering")
        verbose_name_plural = _("herinneringen")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "term", "months_before"], name="reminder_once_per_threshold"
            ),
        ]

    def __str__(self):
        return f"{self.contract.number} termijn {self.term}: {self.months_before} mnd"


# Settlement and KPI models live in their own modules; imported here so Django finds them.
from .admission_models import AdmissionDecision, AdmissionLetter  # noqa: E402
from .award_models import (  # noqa: E402
    AwardDecision,
    AwardLetter,
    LetterDelivery,
    LetterRun,
    Objection,
    SegmentStandstill,
    SelectionStandstill,
)
from .kpi_models import KpiEffect, KpiReport, ProviderKpi  # noqa: E402, F401
from .settlement_models import (  # noqa: E402, F401
    ContractPolicy,
    ProductionDeclaration,
    ProductionReport,
    Settlement,
)

__all__ = [
    "AdmissionDecision",
    "AdmissionLetter",
    "LetterDelivery",
    "SelectionStandstill",
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

"""Regions, municipalities and the tender with its lots, segments, requirements and criteria."""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .constants import (
    BIDS_READABLE_STATES,
    DEFAULT_SCALE,
    PROCEDURE_ROUNDS,
    PUBLIC_STATES,
    ROUND_OPENED_STATES,
    ROUND_WRITABLE_STATE,
    DecisionBody,
    Funding,
    PaymentRhythm,
    Phase,
    PlanDocuments,
    Procedure,
    RequirementBinds,
    Round,
    TenderState,
)

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$",
    _("Een code bestaat uit letters, cijfers, '.', '_' of '-' (max. 32 tekens)."),
)
cbs_validator = RegexValidator(r"^GM[0-9]{4}$", _("Een CBS-code heeft de vorm GM0123."))


def default_scale():
    return list(DEFAULT_SCALE)


class Region(models.Model):
    code = models.SlugField(
        _("code"),
        max_length=64,
        unique=True,
        help_text=_("Korte code van het samenwerkingsverband."),
    )
    name = models.CharField(_("naam"), max_length=200, help_text=_("Naam van de regio."))
    municipalities = models.ManyToManyField(
        "Municipality",
        verbose_name=_("gemeenten"),
        related_name="regions",
        blank=True,
        help_text=_("Gemeenten die samen inkopen."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("regio")
        verbose_name_plural = _("regio's")

    def __str__(self):
        return self.name


def inhabitants_for(figures, year: int, *, fallback: int | None = None) -> int | None:
    """The figure of ``year`` from (year, inhabitants) pairs: that year's, else the latest
    earlier one, else the earliest known, else ``fallback``."""
    ordered = sorted(figures)
    before = [n for y, n in ordered if y <= year]
    if before:
        return before[-1]
    return ordered[0][1] if ordered else fallback


class Municipality(models.Model):
    code = models.CharField(
        _("CBS-code"),
        max_length=6,
        unique=True,
        validators=[cbs_validator],
        help_text=_("Gemeentecode van het CBS, bijvoorbeeld GM0197."),
    )
    name = models.CharField(_("naam"), max_length=200, help_text=_("Naam van de gemeente."))
    inhabitants = models.PositiveIntegerField(
        _("inwoners"),
        null=True,
        blank=True,
        help_text=_("Aantal inwoners; gebruikt voor de verdeling van betalingen."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("gemeente")
        verbose_name_plural = _("gemeenten")

    def __str__(self):
        return f"{self.name} ({self.code})"

    def inhabitants_in(self, year: int) -> int | None:
        """Inhabitants in ``year``: the CBS figure of that year, else of the latest year
        before it, else the latest figure known, else ``inhabitants``. Uses ``populations``
        (prefetch it to keep this query-free)."""
        figures = [(p.year, p.inhabitants) for p in self.populations.all()]
        return inhabitants_for(figures, year, fallback=self.inhabitants)


class MunicipalityPopulation(models.Model):
    """The inhabitants of a municipality in one year (CBS, 1 January), for the split of
    population funding and of instalments by inhabitants."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("gemeente"),
        on_delete=models.CASCADE,
        related_name="populations",
        help_text=_("Gemeente."),
    )
    year = models.PositiveSmallIntegerField(_("jaar"), help_text=_("Peiljaar (1 januari)."))
    inhabitants = models.PositiveIntegerField(_("inwoners"), help_text=_("Aantal inwoners."))
    source = models.CharField(
        _("bron"), max_length=200, blank=True, help_text=_("Bijvoorbeeld CBS StatLine.")
    )

    class Meta:
        ordering = ["municipality", "year"]
        verbose_name = _("inwoneraantal")
        verbose_name_plural = _("inwoneraantallen")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year"], name="population_once_per_year"
            ),
        ]

    def __str__(self):
        return f"{self.municipality_id} {self.year}: {self.inhabitants}"


def readable_rounds_q(prefix: str = "") -> Q:
    """The submissions (reached through ``prefix``, e.g. ``"submission__"`` from a dossier)
    whose round may be read in their tender's state (``Tender.round_readable``): a restricted
    tender's opened requests while its offers are still sealed."""
    q = Q()
    for round_, states in ROUND_OPENED_STATES.items():
        q |= Q(
            **{
                f"{prefix}round": round_,
                f"{prefix}tender__state__in": [*states, TenderState.DRAFT],
            }
        )
    return q


def first_round_q(prefix: str = "") -> Q:
    """The submissions (through ``prefix``) of their tender's first round: who asked to take
    part (restricted) or bid (open), or applied (Open House)."""
    q = Q()
    for procedure, rounds in PROCEDURE_ROUNDS.items():
        q |= Q(**{f"{prefix}round": rounds[0], f"{prefix}tender__procedure": procedure})
    return q


class TenderQuerySet(models.QuerySet):
    def public(self) -> "TenderQuerySet":
        """Tenders on the public site and in the provider portal (``PUBLIC_STATES``)."""
        return self.filter(state__in=PUBLIC_STATES)

    def bids_readable(self) -> "TenderQuerySet":
        """Tenders whose bids may be shown (``Tender.bids_readable``)."""
        return self.filter(state__in=BIDS_READABLE_STATES)


class Tender(models.Model):
    slug = models.SlugField(
        _("kenmerk"),
        max_length=64,
        unique=True,
        help_text=_("Unieke korte naam, gebruikt in adressen en exports."),
    )
    title = models.CharField(_("titel"), max_length=300, help_text=_("Titel van de aanbesteding."))
    region = models.ForeignKey(
        Region,
        verbose_name=_("regio"),
        on_delete=models.PROTECT,
        related_name="tenders",
        help_text=_("Inkopende regio."),
    )
    procedure = models.CharField(
        _("procedure"),
        max_length=20,
        choices=Procedure.choices,
        default=Procedure.RESTRICTED,
        help_text=_("Soort aanbestedingsprocedure."),
    )
    state = models.CharField(
        _("status"),
        max_length=20,
        choices=TenderState.choices,
        default=TenderState.DRAFT,
        help_text=_("Fase in de levenscyclus; wijzigt alleen via acties."),
    )
    deadline = models.DateTimeField(
        _("sluitingstermijn"),
        help_text=_(
            "Uiterste moment van de eerste ronde: verzoeken tot deelneming (niet-openbaar) of "
            "inschrijvingen (openbaar)."
        ),
    )
    offers_deadline = models.DateTimeField(
        _("sluitingstermijn inschrijvingen"),
        null=True,
        blank=True,
        help_text=_("Uiterste moment van inschrijven in de tweede ronde (niet-openbaar)."),
    )
    admission_start = models.DateTimeField(
        _("begin toelatingsperiode"),
        null=True,
        blank=True,
        help_text=_("Open House: vanaf dit moment kan een aanbieder zich aanmelden."),
    )
    admission_end = models.DateTimeField(
        _("einde toelatingsperiode"),
        null=True,
        blank=True,
        help_text=_("Open House: tot dit moment kan men zich aanmelden; leeg = open einde."),
    )
    plan_documents = models.CharField(
        _("plandocumenten"),
        max_length=10,
        choices=PlanDocuments.choices,
        default=PlanDocuments.NONE,
        help_text=_(
            "Welke plannen de inschrijving (de offerte) bevat: geen, een plan per "
            "gunningscriterium of één plan per segment."
        ),
    )
    standstill_days = models.PositiveSmallIntegerField(
        _("opschortende termijn (dagen)"),
        default=20,
        help_text=_("Kalenderdagen tussen gunningsbeslissing en definitieve gunning."),
    )
    objection_address = models.TextField(
        _("postadres voor bezwaar"),
        blank=True,
        help_text=_("Postadres waar inschrijvers bezwaar maken tegen een beslissing."),
    )
    objection_email = models.EmailField(
        _("e-mailadres voor bezwaar"),
        blank=True,
        help_text=_("E-mailadres waar inschrijvers bezwaar maken tegen een beslissing."),
    )
    consultation_at = models.DateTimeField(
        _("marktconsultatie gestart"),
        null=True,
        blank=True,
        help_text=_("Moment waarop de marktconsultatie begon; leeg = zonder marktconsultatie."),
    )
    court = models.CharField(
        _("rechtbank"),
        max_length=120,
        blank=True,
        help_text=_("De rechtbank voor een kort geding, bijvoorbeeld Gelderland."),
    )
    created_at = models.DateTimeField(
        _("aangemaakt"), auto_now_add=True, help_text=_("Moment van aanmaken.")
    )
    updated_at = models.DateTimeField(
        _("gewijzigd"), auto_now=True, help_text=_("Moment van laatste wijziging.")
    )

    objects = TenderQuerySet.as_manager()

    class Meta:
        ordering = ["-deadline", "slug"]
        verbose_name = _("aanbesteding")
        verbose_name_plural = _("aanbestedingen")

    def __str__(self):
        return self.title

    def is_public(self) -> bool:
        """On the public site and in the provider portal (``PUBLIC_STATES``)."""
        return self.state in PUBLIC_STATES

    def bids_readable(self) -> bool:
        """Whether anything of the bids may be shown: who bid, how many, what they wrote or
        uploaded (``BIDS_READABLE_STATES``: from the four-eyes opening on, and in a draft loaded
        from a scenario file). Before the opening (EU Directive 2014/24, Annex IV) no screen,
        API, export, OCDS package, admin page, audit view, count or mail shows any of it, to
        municipal staff and administrators neither."""
        return self.state in BIDS_READABLE_STATES

    def round_readable(self, round: str) -> bool:
        """Whether anything of the submissions of ``round`` may be shown (``bids_readable``
        per round): from that round's four-eyes opening on, and in a draft loaded from a
        scenario file. In a restricted tender the opened requests are readable to staff while
        the offers stay sealed until their own opening."""
        return self.state == TenderState.DRAFT or self.state in ROUND_OPENED_STATES[round]

    def readable_rounds(self) -> list[str]:
        return [r for r in Round.values if self.round_readable(r)]

    @property
    def rounds(self) -> tuple[str, ...]:
        """The submission rounds of this tender's procedure, in order."""
        return PROCEDURE_ROUNDS[self.procedure]

    def has_selection(self) -> bool:
        """A separate selection phase (and round 1 of requests): the restricted procedure."""
        return self.procedure == Procedure.RESTRICTED

    def writable_round(self) -> str | None:
        """The round whose submissions are written in the current state, or None."""
        for round, state in ROUND_WRITABLE_STATE.items():
            if self.state == state and round in self.rounds:
                return round
        return None

    def round_deadline(self, round: str | None = None) -> datetime | None:
        """The deadline of ``round`` (default: the round open now, else the first round):
        ``deadline`` for the first round, ``offers_deadline`` for the restricted offers."""
        round = round or self.writable_round() or self.rounds[0]
        if round == Round.OFFER and self.procedure == Procedure.RESTRICTED:
            return self.offers_deadline
        if round == Round.APPLICATION:
            return self.admission_end
        return self.deadline

    def in_admission_period(self, at: datetime) -> bool:
        """Open House: whether ``at`` lies in the admission period: from ``admission_start``
        (empty: no lower bound) up to, strictly before, ``admission_end`` (empty: open end)."""
        if self.admission_start is not None and at < self.admission_start:
            return False
        return self.admission_end is None or at < self.admission_end

    @property
    def current_deadline(self) -> datetime | None:
        return self.round_deadline()

    def deadline_passed(self, at: datetime, round: str | None = None) -> bool:
        """Whether a receipt (or action) at ``at`` is too late for ``round`` (default: the round
        open now): the deadline is a hard close, so a moment equal to it is late already
        ("strictly before the deadline" is in time). A round without a deadline yet is closed."""
        round = round or self.writable_round() or self.rounds[0]
        if round == Round.APPLICATION:
            # Open House has no deadline race: "in time" means inside the admission period.
            return self.admission_end is not None and at >= self.admission_end
        deadline = self.round_deadline(round)
        return deadline is None or at >= deadline


class Lot(models.Model):
    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="lots",
        help_text=_("Aanbesteding van dit perceel."),
    )
    code = models.CharField(
        _("code"),
        max_length=32,
        validators=[code_validator],
        help_text=_("Uniek binnen de aanbesteding."),
    )
    name = models.CharField(_("naam"), max_length=200, help_text=_("Naam van het perceel."))
    funding = models.CharField(
        _("bekostiging"),
        max_length=20,
        choices=Funding.choices,
        default=Funding.LUMPSUM,
        help_text=_("Bekostigingsmodel."),
    )
    municipalities = models.ManyToManyField(
        Municipality,
        verbose_name=_("deelnemende gemeenten"),
        related_name="lots",
        through="LotMembership",
        help_text=_("Gemeenten die aan dit perceel deelnemen."),
    )
    position = models.PositiveIntegerField(
        _("volgorde"), default=0, help_text=_("Volgorde op het scherm.")
    )

    class Meta:
        ordering = ["tender", "position", "code"]
        verbose_name = _("perceel")
        verbose_name_plural = _("percelen")
        constraints = [
            models.UniqueConstraint(fields=["tender", "code"], name="lot_code_unique_per_tender"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class LotMembership(models.Model):
    """A municipality taking part in a lot, from ``start_date`` up to and including
    ``end_date`` (each empty = no bound: always). Contracts, the finance split and letters
    use the municipalities taking part on the day concerned."""

    lot = models.ForeignKey(
        Lot,
        verbose_name=_("perceel"),
        on_delete=models.CASCADE,
        related_name="memberships",
        help_text=_("Perceel."),
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("gemeente"),
        on_delete=models.CASCADE,
        related_name="lot_memberships",
        help_text=_("Deelnemende gemeente."),
    )
    start_date = models.DateField(
        _("deelname vanaf"), null=True, blank=True, help_text=_("Leeg = vanaf het begin.")
    )
    end_date = models.DateField(
        _("deelname tot en met"), null=True, blank=True, help_text=_("Leeg = zonder einde.")
    )

    class Meta:
        db_table = "tender_lot_municipalities"
        unique_together = [("lot", "municipality")]
        verbose_name = _("deelname aan perceel")
        verbose_name_plural = _("deelnames aan percelen")

    def __str__(self):
        return f"{self.lot_id} {self.municipality_id}"

    def takes_part_on(self, day) -> bool:
        return (self.start_date is None or self.start_date <= day) and (
            self.end_date is None or day <= self.end_date
        )

    def takes_part_in(self, year: int) -> bool:
        """Whether the membership covers any day of ``year``."""
        return (self.start_date is None or self.start_date.year <= year) and (
            self.end_date is None or year <= self.end_date.year
        )


class Segment(models.Model):
    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="segments",
        help_text=_("Zelfde als die van het perceel; bewaard voor unieke codes per aanbesteding."),
    )
    lot = models.ForeignKey(
        Lot,
        verbose_name=_("perceel"),
        on_delete=models.CASCADE,
        related_name="segments",
        help_text=_("Perceel van dit segment."),
    )
    code = models.CharField(
        _("code"),
        max_length=32,
        validators=[code_validator],
        help_text=_("Uniek binnen de aanbesteding."),
    )
    name = models.CharField(_("naam"), max_length=200, help_text=_("Naam van het inkoopsegment."))
    places = models.PositiveIntegerField(
        _("plaatsen"),
        validators=[MinValueValidator(1)],
        help_text=_("Aantal aanbieders boven de streep (X)."),
    )
    award_places = models.PositiveIntegerField(
        _("plaatsen gunning"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("X in de gunningsfase; leeg = gelijk aan plaatsen."),
    )
    min_total = models.DecimalField(
        _("minimumscore"),
        max_digits=16,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Minimaal totaal aantal punten in de selectiefase."),
    )
    coverage_k = models.PositiveSmallIntegerField(
        _("dekking k"),
        default=1,
        help_text=_("Minimaal aantal geselecteerde aanbieders per gemeente; 0 = geen dekking."),
    )
    specialisms = models.JSONField(
        _("vereiste specialismen"),
        default=list,
        blank=True,
        help_text=_("Codes van specialismen die gedekt moeten zijn."),
    )
    start_date = models.DateField(
        _("startdatum"), null=True, blank=True, help_text=_("Ingangsdatum van de contracten.")
    )
    tariff = models.DecimalField(
        _("normtarief"),
        max_digits=14,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Euro per uur."),
    )
    budget = models.DecimalField(
        _("budget"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Jaarbudget in euro."),
    )
    payment = models.CharField(
        _("betaalritme"),
        max_length=10,
        choices=PaymentRhythm.choices,
        default=PaymentRhythm.MONTHLY,
        help_text=_("Maandelijks of per kwartaal vooruit."),
    )
    funding = models.CharField(
        _("bekostiging"),
        max_length=20,
        choices=Funding.choices,
        blank=True,
        default="",
        help_text=_("Bekostigingsmodel van dit segment; leeg = dat van het perceel."),
    )
    band = models.DecimalField(
        _("bandbreedte"),
        max_digits=10,
        decimal_places=8,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.9999"))],
        help_text=_("Als fractie, bijvoorbeeld 0,05 voor 5%."),
    )
    provisional = models.BooleanField(
        _("onder voorbehoud"),
        default=False,
        help_text=_(
            "Voorlopig segment tijdens de marktconsultatie; een vastgelegd besluit maakt het "
            "definitief. Publiceren kan pas als elk segment definitief is."
        ),
    )
    provisional_note = models.CharField(
        _("toelichting voorbehoud"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("Bijvoorbeeld 'onder voorbehoud van besluitvorming'."),
    )
    position = models.PositiveIntegerField(
        _("volgorde"), default=0, help_text=_("Volgorde op het scherm.")
    )

    class Meta:
        ordering = ["tender", "code"]
        verbose_name = _("inkoopsegment")
        verbose_name_plural = _("inkoopsegmenten")
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "code"], name="segment_code_unique_per_tender"
            ),
            models.CheckConstraint(condition=Q(places__gte=1), name="segment_places_positive"),
            models.CheckConstraint(
                condition=Q(award_places__isnull=True) | Q(award_places__gte=1),
                name="segment_award_places_positive",
            ),
            models.CheckConstraint(
                condition=Q(band__isnull=True) | (Q(band__gte=0) & Q(band__lt=1)),
                name="segment_band_fraction",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def effective_award_places(self) -> int:
        return self.award_places or self.places

    @property
    def effective_funding(self) -> str:
        """The segment's own funding model, else its lot's (lumpsum where neither says)."""
        return self.funding or self.lot.funding or Funding.LUMPSUM


class SubSegment(models.Model):
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        on_delete=models.CASCADE,
        related_name="subsegments",
        help_text=_("Bovenliggend segment."),
    )
    code = models.CharField(
        _("code"),
        max_length=32,
        validators=[code_validator],
        help_text=_("Uniek binnen het segment."),
    )
    name = models.CharField(_("naam"), max_length=200, blank=True, help_text=_("Naam."))

    class Meta:
        ordering = ["segment", "code"]
        verbose_name = _("subsegment")
        verbose_name_plural = _("subsegmenten")
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "code"], name="subsegment_code_unique_per_segment"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Requirement(models.Model):
    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="requirements",
        help_text=_("Aanbesteding."),
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="requirements",
        help_text=_("Leeg voor een algemene minimumeis, anders segmentspecifiek."),
    )
    code = models.CharField(
        _("code"),
        max_length=32,
        validators=[code_validator],
        help_text=_("Uniek binnen de aanbesteding."),
    )
    text = models.TextField(_("eis"), help_text=_("Tekst van de minimumeis (ja/nee)."))
    phase = models.CharField(
        _("fase"),
        max_length=10,
        choices=Phase.choices,
        default=Phase.SELECTION,
        help_text=_("De ronde waarin de eis wordt getoetst: selectie of gunning (de offerte)."),
    )
    binds = models.CharField(
        _("geldt voor"),
        max_length=12,
        choices=RequirementBinds.choices,
        default=RequirementBinds.BIDDER,
        help_text=_(
            "Alleen de inschrijver, of elke partij (penvoerder, elk lid van de combinatie en "
            "elke onderaannemer), elk met een eigen antwoord en bewijs."
        ),
    )
    position = models.PositiveIntegerField(
        _("volgorde"), default=0, help_text=_("Volgorde op het scherm.")
    )

    class Meta:
        ordering = ["tender", "position", "code"]
        verbose_name = _("minimumeis")
        verbose_name_plural = _("minimumeisen")
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "code"], name="requirement_code_unique_per_tender"
            ),
        ]

    def __str__(self):
        return f"{self.code}: {self.text[:60]}"


class Criterion(models.Model):
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        on_delete=models.CASCADE,
        related_name="criteria",
        help_text=_("Segment."),
    )
    code = models.CharField(
        _("code"),
        max_length=32,
        validators=[code_validator],
        help_text=_("Uniek binnen het segment."),
    )
    name = models.CharField(_("naam"), max_length=200, help_text=_("Naam van het criterium."))
    phase = models.CharField(
        _("fase"),
        max_length=10,
        choices=Phase.choices,
        help_text=_("Selectie- of gunningscriterium."),
    )
    max_points = models.DecimalField(
        _("maximale punten"),
        max_digits=14,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Weging w, groter dan 0."),
    )
    min_level = models.DecimalField(
        _("minimumniveau"),
        max_digits=10,
        decimal_places=8,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Onder dit niveau valt een inschrijving af (0 tot en met 1)."),
    )
    scale = models.JSONField(
        _("schaal"),
        default=default_scale,
        help_text=_("Toegestane niveaus, fracties van 0 tot en met 1."),
    )
    level_descriptors = models.TextField(
        _("beoordelingskader per niveau"),
        blank=True,
        help_text=_(
            "Wat elk niveau (0, 0,25 ... 1) voor dit criterium betekent; één regel per niveau."
        ),
    )
    position = models.PositiveIntegerField(
        _("volgorde"), default=0, help_text=_("Eigen volgorde van de criteria.")
    )

    class Meta:
        ordering = ["segment", "position", "id"]
        verbose_name = _("criterium")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "code"], name="criterion_code_unique_per_segment"
            ),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="criterion_points_positive"),
            models.CheckConstraint(
                condition=Q(min_level__isnull=True) | (Q(min_level__gte=0) & Q(min_level__lte=1)),
                name="criterion_min_level_fraction",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class OpeningConfirmation(models.Model):
    """One of the two confirmations the four-eyes opening needs."""

    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="opening_confirmations",
        help_text=_("Aanbesteding."),
    )
    round = models.CharField(
        _("ronde"),
        max_length=12,
        choices=Round.choices,
        default=Round.OFFER,
        help_text=_("De ronde waarvan de opening is bevestigd."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gebruiker"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Wie de opening bevestigde."),
    )
    confirmed_at = models.DateTimeField(
        _("bevestigd op"), auto_now_add=True, help_text=_("Servertijd.")
    )

    class Meta:
        verbose_name = _("bevestiging opening")
        verbose_name_plural = _("bevestigingen opening")
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "round", "user"], name="opening_confirmed_once_per_round"
            ),
        ]

    def __str__(self):
        return f"{self.tender.slug}: {self.user}"


class DecisionRecord(models.Model):
    """A decision of a municipal body (college, raad, bestuurlijk overleg) that makes a
    provisional segment definitive (``tender.services.decisions``). Shown in the tender's
    history and on its public page; immutable once recorded."""

    segment = models.ForeignKey(
        Segment,
        verbose_name=_("inkoopsegment"),
        on_delete=models.CASCADE,
        related_name="decisions",
        help_text=_("Het segment waarover besloten is."),
    )
    body = models.CharField(
        _("orgaan"),
        max_length=30,
        choices=DecisionBody.choices,
        help_text=_("Wie besloot: college, raad of bestuurlijk overleg."),
    )
    decided_on = models.DateField(_("datum besluit"), help_text=_("Datum van het besluit."))
    decision = models.TextField(_("besluit"), help_text=_("Wat er besloten is."))
    document = models.ForeignKey(
        "communication.TenderDocument",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decision_records",
        help_text=_("Optioneel: het besluitdocument uit de documentenbibliotheek."),
    )
    recorded_at = models.DateTimeField(
        _("vastgelegd op"), auto_now_add=True, help_text=_("Moment van vastleggen.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vastgelegd door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Medewerker die het besluit vastlegde."),
    )

    class Meta:
        ordering = ["decided_on", "pk"]
        verbose_name = _("besluit")
        verbose_name_plural = _("besluiten")

    def __str__(self):
        return f"{self.get_body_display()} {self.decided_on:%d-%m-%Y}"

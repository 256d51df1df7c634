"""Regions, municipalities and the tender with its lots, segments, requirements and criteria."""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .constants import (
    DEFAULT_SCALE,
    PUBLIC_STATES,
    Funding,
    PaymentRhythm,
    Phase,
    Procedure,
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


class TenderQuerySet(models.QuerySet):
    def public(self) -> "TenderQuerySet":
        """Tenders on the public site and in the provider portal (``PUBLIC_STATES``)."""
        return self.filter(state__in=PUBLIC_STATES)


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
        _("sluitingstermijn"), help_text=_("Uiterste moment van inschrijven.")
    )
    standstill_days = models.PositiveSmallIntegerField(
        _("opschortende termijn (dagen)"),
        default=20,
        help_text=_("Kalenderdagen tussen gunningsbeslissing en definitieve gunning."),
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

    def deadline_passed(self, at: datetime) -> bool:
        """Whether a receipt (or action) at ``at`` is too late: the deadline is a hard close, so
        a moment equal to it is late already ("strictly before the deadline" is in time)."""
        return at >= self.deadline


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
    band = models.DecimalField(
        _("bandbreedte"),
        max_digits=10,
        decimal_places=8,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.9999"))],
        help_text=_("Als fractie, bijvoorbeeld 0,05 voor 5%."),
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


def tender_document_path(instance, filename):
    return f"tenders/{instance.tender.slug}/{instance.kind}/{filename}"


class TenderDocument(models.Model):
    """A file that belongs to the tender: guidelines, a nota van inlichtingen, the
    proces-verbaal of the opening. Published ones appear on the public tender site."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Aanbestedingsdocument")
        NOTA = "nota", _("Nota van inlichtingen")
        PROCES_VERBAAL = "proces_verbaal", _("Proces-verbaal van opening")

    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="documents",
        help_text=_("Aanbesteding."),
    )
    kind = models.CharField(
        _("soort"), max_length=20, choices=Kind.choices, help_text=_("Soort document.")
    )
    title = models.CharField(_("titel"), max_length=200, help_text=_("Titel zoals getoond."))
    file = models.FileField(
        _("bestand"), upload_to=tender_document_path, help_text=_("Het document (meestal PDF).")
    )
    sha256 = models.CharField(
        _("SHA-256"), max_length=64, blank=True, help_text=_("Hash van het bestand.")
    )
    public = models.BooleanField(
        _("openbaar"), default=False, help_text=_("Zichtbaar op de openbare aanbestedingssite.")
    )
    created_at = models.DateTimeField(
        _("aangemaakt"), auto_now_add=True, help_text=_("Moment van aanmaken.")
    )

    class Meta:
        ordering = ["tender", "-created_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documenten")

    def __str__(self):
        return self.title


class OpeningConfirmation(models.Model):
    """One of the two confirmations the four-eyes opening needs."""

    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="opening_confirmations",
        help_text=_("Aanbesteding."),
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
            models.UniqueConstraint(fields=["tender", "user"], name="opening_confirmed_once"),
        ]

    def __str__(self):
        return f"{self.tender.slug}: {self.user}"


# -- Communication with the market: public site, sessions, questions ---------------------------


class NewsItem(models.Model):
    """A news item on the public tender site; optionally mailed to the newsletter subscribers."""

    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="news_items",
        help_text=_("Aanbesteding."),
    )
    title = models.CharField(_("titel"), max_length=200, help_text=_("Kop van het bericht."))
    body = models.TextField(
        _("tekst"), help_text=_("Tekst van het bericht; witregels scheiden alinea's.")
    )
    published = models.BooleanField(
        _("gepubliceerd"),
        default=True,
        help_text=_("Alleen gepubliceerde berichten staan op de openbare site."),
    )
    published_at = models.DateTimeField(
        _("publicatiedatum"), help_text=_("Datum en tijd die bij het bericht staan.")
    )
    mailed_at = models.DateTimeField(
        _("verstuurd op"),
        null=True,
        blank=True,
        help_text=_("Moment waarop het bericht aan de abonnees van de nieuwsbrief is gemaild."),
    )

    class Meta:
        ordering = ["tender", "-published_at", "-pk"]
        verbose_name = _("nieuwsbericht")
        verbose_name_plural = _("nieuwsberichten")

    def __str__(self):
        return self.title


class KeyDate(models.Model):
    """A milestone in the 'Belangrijke data' list. The deadline is not stored here: the public
    site always shows ``Tender.deadline`` as 'Sluitingstermijn'."""

    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="key_dates",
        help_text=_("Aanbesteding."),
    )
    label = models.CharField(
        _("omschrijving"), max_length=200, help_text=_("Bijvoorbeeld 'Publicatie' of 'Gunning'.")
    )
    date = models.DateField(_("datum"), help_text=_("Datum van het moment."))
    note = models.CharField(
        _("toelichting"),
        max_length=200,
        blank=True,
        help_text=_("Optioneel, bijvoorbeeld 'onder voorbehoud'."),
    )

    class Meta:
        ordering = ["tender", "date", "pk"]
        verbose_name = _("belangrijke datum")
        verbose_name_plural = _("belangrijke data")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.label}"


class Session(models.Model):
    """A dialogue session, table talk or webinar providers register for (DOMAIN.md, "Sessions
    and Q&A"). A session may name an overflow session: it takes the registrations beyond the
    capacity and only takes place if the capacity was exceeded."""

    class Kind(models.TextChoices):
        DIALOGUE = "dialogue", _("Dialoogsessie")
        TABLE_TALK = "table_talk", _("Gesprekstafel")
        WEBINAR = "webinar", _("Webinar")

    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="sessions",
        help_text=_("Aanbesteding."),
    )
    kind = models.CharField(
        _("soort"), max_length=20, choices=Kind.choices, help_text=_("Soort bijeenkomst.")
    )
    title = models.CharField(_("titel"), max_length=200, help_text=_("Titel zoals getoond."))
    description = models.TextField(
        _("beschrijving"), blank=True, help_text=_("Programma en doel van de sessie.")
    )
    starts_at = models.DateTimeField(_("begint om"), help_text=_("Datum en begintijd."))
    ends_at = models.DateTimeField(_("eindigt om"), help_text=_("Datum en eindtijd."))
    location = models.CharField(
        _("plaats"),
        max_length=200,
        blank=True,
        help_text=_("Adres, of bijvoorbeeld 'Online via Microsoft Teams'."),
    )
    online_link = models.URLField(
        _("deelnamelink"),
        blank=True,
        help_text=_("Alleen zichtbaar voor aangemelde deelnemers en medewerkers."),
    )
    lots = models.ManyToManyField(
        Lot,
        verbose_name=_("percelen"),
        blank=True,
        related_name="sessions",
        help_text=_("Leeg: voor alle zorgaanbieders."),
    )
    segments = models.ManyToManyField(
        Segment,
        verbose_name=_("segmenten"),
        blank=True,
        related_name="sessions",
        help_text=_("Leeg: niet beperkt tot bepaalde segmenten."),
    )
    capacity = models.PositiveIntegerField(
        _("capaciteit"),
        validators=[MinValueValidator(1)],
        help_text=_("Maximaal aantal organisaties (één deelnemer per organisatie)."),
    )
    registration_deadline = models.DateTimeField(
        _("aanmelden kan tot"),
        help_text=_("Na dit moment kan niemand zich meer aanmelden."),
    )
    overflow = models.OneToOneField(
        "self",
        verbose_name=_("extra sessie bij overschrijding"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="overflow_for",
        help_text=_(
            "Sessie die de aanmeldingen boven de capaciteit opvangt; "
            "die gaat alleen door als de capaciteit is overschreden."
        ),
    )
    created_at = models.DateTimeField(
        _("aangemaakt"), auto_now_add=True, help_text=_("Moment van aanmaken.")
    )

    class Meta:
        ordering = ["tender", "starts_at", "pk"]
        verbose_name = _("sessie")
        verbose_name_plural = _("sessies")
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_capacity_positive"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(overflow=models.F("pk")), name="session_overflow_not_itself"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def main_session(self):
        """The session this one is the overflow of, or None."""
        try:
            return self.overflow_for
        except Session.DoesNotExist:
            return None

    @property
    def is_overflow(self) -> bool:
        return self.main_session is not None


class Nota(models.Model):
    """A nota van inlichtingen: answered questions published together, anonymously, as a
    numbered PDF (Nota 1, 2, ...). The questions point here (``providers.Question.nota``)."""

    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="notas",
        help_text=_("Aanbesteding."),
    )
    number = models.PositiveIntegerField(
        _("nummer"), validators=[MinValueValidator(1)], help_text=_("Volgnummer per aanbesteding.")
    )
    intro = models.TextField(
        _("inleiding"), blank=True, help_text=_("Optionele tekst boven de vragen in de nota.")
    )
    created_at = models.DateTimeField(
        _("aangemaakt"), auto_now_add=True, help_text=_("Moment van aanmaken.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("aangemaakt door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Medewerker die de nota aanmaakte."),
    )
    published_at = models.DateTimeField(
        _("gepubliceerd op"),
        null=True,
        blank=True,
        help_text=_("Leeg zolang de nota in voorbereiding is."),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gepubliceerd door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Medewerker die de nota publiceerde."),
    )
    document = models.OneToOneField(
        TenderDocument,
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nota",
        help_text=_("De gepubliceerde PDF."),
    )

    class Meta:
        ordering = ["tender", "number"]
        verbose_name = _("nota van inlichtingen")
        verbose_name_plural = _("nota's van inlichtingen")
        constraints = [
            models.UniqueConstraint(fields=["tender", "number"], name="nota_number_unique"),
            models.UniqueConstraint(
                fields=["tender"],
                condition=Q(published_at__isnull=True),
                name="nota_one_draft_per_tender",
            ),
        ]

    def __str__(self):
        return f"Nota van inlichtingen {self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class NewsletterSubscription(models.Model):
    """A sign-up for a tender's newsletter with double opt-in: mails go only to confirmed
    addresses; unsubscribing deletes the row (no address is kept longer than needed)."""

    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="newsletter_subscriptions",
        help_text=_("Aanbesteding."),
    )
    email = models.EmailField(_("e-mailadres"), help_text=_("Opgeslagen in kleine letters."))
    created_at = models.DateTimeField(
        _("aangemeld op"), auto_now_add=True, help_text=_("Moment van aanmelden.")
    )
    confirmation_sent_at = models.DateTimeField(
        _("bevestigingsmail verstuurd"),
        null=True,
        blank=True,
        help_text=_("Laatste bevestigingsmail; voorkomt herhaald mailen."),
    )
    confirmed_at = models.DateTimeField(
        _("bevestigd op"),
        null=True,
        blank=True,
        help_text=_("Leeg tot de link in de bevestigingsmail is gebruikt."),
    )

    class Meta:
        ordering = ["tender", "email"]
        verbose_name = _("aanmelding nieuwsbrief")
        verbose_name_plural = _("aanmeldingen nieuwsbrief")
        constraints = [
            models.UniqueConstraint(fields=["tender", "email"], name="newsletter_email_unique"),
        ]

    def __str__(self):
        return self.email

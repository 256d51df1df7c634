"""The tender's communication with the market: its documents, news, key dates, sessions with
their registrations, questions with the notas van inlichtingen that publish them, and the
newsletter.

These models were in ``tender`` and ``providers`` before; they keep those apps' tables
(``Meta.db_table``), so moving them lost no row (migration ``0001_initial``).
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from providers.models import Organisation
from tender.files import DOCUMENT_TYPES
from tender.models import Lot, Segment, Tender


def tender_document_path(instance, filename):
    return f"tenders/{instance.tender.slug}/{instance.kind}/{filename}"


class TenderDocument(models.Model):
    """A file of the tender's document library: guidelines, visions, information sheets, a
    nota van inlichtingen, the proces-verbaal of the opening (docs/rules.md, "Document
    library").

    Who may read it is its ``audience``; from when is ``publish_at`` (the on-read check in
    ``communication.selectors``). A new version ``replaces`` an older one, which stays listed
    as "vervallen" once the new one is published. ``announced_at`` records the one publication
    mail (``communication.services.documents.documents_announce_due``)."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Aanbestedingsdocument")
        NOTA = "nota", _("Nota van inlichtingen")
        PROCES_VERBAAL = "proces_verbaal", _("Proces-verbaal van opening")

    class Category(models.TextChoices):
        GUIDE_SELECTION = "leidraad_selectie", _("Leidraad selectiefase")
        GUIDE_AWARD = "leidraad_gunning", _("Leidraad gunningsfase")
        REQUIREMENTS = "programma_van_eisen", _("Programma van eisen")
        DRAFT_AGREEMENT = "conceptovereenkomst", _("Conceptovereenkomst")
        VISION = "visie", _("Visie")
        INFORMATION_SHEET = "informatieblad", _("Informatieblad")
        NOTA = "nota_van_inlichtingen", _("Nota van inlichtingen")
        REPORT = "verslag", _("Verslag")

    class Audience(models.TextChoices):
        PUBLIC = "public", _("Openbaar")
        REGISTERED = "registered", _("Geregistreerde gegadigden")
        INVITED = "invited", _("Uitgenodigde gegadigden (ronde 2)")
        STAFF = "staff", _("Alleen medewerkers")

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
    category = models.CharField(
        _("categorie"),
        max_length=30,
        choices=Category.choices,
        blank=True,
        help_text=_("Categorie in de documentenbibliotheek."),
    )
    title = models.CharField(_("titel"), max_length=200, help_text=_("Titel zoals getoond."))
    file = models.FileField(
        _("bestand"), upload_to=tender_document_path, help_text=_("Het document (meestal PDF).")
    )
    content_type = models.CharField(
        _("bestandstype"),
        max_length=100,
        blank=True,
        help_text=_("Type van het bestand, bepaald uit de inhoud bij het uploaden."),
    )
    size = models.PositiveBigIntegerField(
        _("grootte"), null=True, blank=True, help_text=_("Grootte van het bestand in bytes.")
    )
    sha256 = models.CharField(
        _("SHA-256"), max_length=64, blank=True, help_text=_("Hash van het bestand.")
    )
    audience = models.CharField(
        _("doelgroep"),
        max_length=20,
        choices=Audience.choices,
        default=Audience.STAFF,
        help_text=_("Wie het document mag zien en downloaden."),
    )
    version = models.PositiveSmallIntegerField(
        _("versie"), default=1, help_text=_("Versienummer; een nieuwe versie telt door.")
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("vervangt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        help_text=_("De vorige versie; die vervalt zodra deze versie gepubliceerd is."),
    )
    publish_at = models.DateTimeField(
        _("publicatiemoment"),
        default=timezone.now,
        help_text=_("Vanaf dit moment is het document zichtbaar voor de doelgroep."),
    )
    announced_at = models.DateTimeField(
        _("aangekondigd op"),
        null=True,
        blank=True,
        help_text=_("Moment waarop de publicatie is vastgelegd en gemaild."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("geüpload door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Medewerker die het document uploadde."),
    )
    created_at = models.DateTimeField(
        _("aangemaakt"), auto_now_add=True, help_text=_("Moment van aanmaken.")
    )

    class Meta:
        db_table = "tender_tenderdocument"
        ordering = ["tender", "-created_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documenten")
        indexes = [models.Index(fields=["announced_at", "publish_at"])]

    def __str__(self):
        return self.title

    @property
    def type_label(self) -> str:
        """The file type as users read it: PDF, DOCX, ... (from the sniffed type, else the
        file's extension)."""
        extension = DOCUMENT_TYPES.get(self.content_type) or (
            "." + self.file.name.rsplit(".", 1)[-1] if "." in self.file.name else ""
        )
        return extension.lstrip(".").upper()


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
        db_table = "tender_newsitem"
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
        db_table = "tender_keydate"
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
        WORKSHOP = "workshop", _("Workshop")
        KNOWLEDGE = "knowledge", _("Kennissessie")
        WEBINAR = "webinar", _("Webinar")
        INFORMATION = "information", _("Informatiebijeenkomst")

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
    registration_opens_at = models.DateTimeField(
        _("aanmelden kan vanaf"),
        null=True,
        blank=True,
        help_text=_("Leeg: meteen. Tot dit moment staat er 'aanmeldformulier volgt'."),
    )
    registration_deadline = models.DateTimeField(
        _("aanmelden kan tot"),
        help_text=_("Na dit moment kan niemand zich meer aanmelden."),
    )
    programme = models.TextField(
        _("programma"),
        blank=True,
        help_text=_("Het programma dat de aangemelde deelnemers gemaild krijgen."),
    )
    details_send_by = models.DateField(
        _("nadere informatie uiterlijk op"),
        null=True,
        blank=True,
        help_text=_(
            "Uiterlijk op deze datum krijgen de aangemelde deelnemers het programma en de "
            "deelnamelink gemaild (als dat niet eerder is gebeurd)."
        ),
    )
    details_sent_at = models.DateTimeField(
        _("nadere informatie verstuurd op"),
        null=True,
        blank=True,
        help_text=_("Moment waarop het programma en de deelnamelink zijn verstuurd."),
    )
    revision = models.PositiveIntegerField(
        _("wijzigingsnummer"),
        default=0,
        help_text=_("Telt elke wijziging van tijd, plaats of link die is gemaild."),
    )
    cancelled_at = models.DateTimeField(
        _("geannuleerd op"),
        null=True,
        blank=True,
        help_text=_("Leeg zolang de sessie doorgaat."),
    )
    report = models.ForeignKey(
        "TenderDocument",
        verbose_name=_("verslag"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_sessions",
        help_text=_("Het verslag uit de documentenbibliotheek (categorie verslag)."),
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
        db_table = "tender_session"
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

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def registration_not_yet_open(self, now) -> bool:
        return self.registration_opens_at is not None and now < self.registration_opens_at


class Nota(models.Model):
    """A nota van inlichtingen: answered questions published together, anonymously, as a
    numbered PDF (Nota 1, 2, ...). The questions point here (``Question.nota``). A nota made
    during the market consultation is the consultation report (consultatieverslag), numbered
    on its own."""

    class Kind(models.TextChoices):
        NOTA = "nota", _("Nota van inlichtingen")
        REPORT = "report", _("Consultatieverslag")

    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="notas",
        help_text=_("Aanbesteding."),
    )
    kind = models.CharField(
        _("soort"),
        max_length=10,
        choices=Kind.choices,
        default=Kind.NOTA,
        help_text=_("Nota van inlichtingen, of consultatieverslag tijdens de marktconsultatie."),
    )
    number = models.PositiveIntegerField(
        _("nummer"),
        validators=[MinValueValidator(1)],
        help_text=_("Volgnummer per aanbesteding en soort."),
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
        db_table = "tender_nota"
        ordering = ["tender", "number"]
        verbose_name = _("nota van inlichtingen")
        verbose_name_plural = _("nota's van inlichtingen")
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "kind", "number"], name="nota_number_unique_per_kind"
            ),
            models.UniqueConstraint(
                fields=["tender"],
                condition=Q(published_at__isnull=True),
                name="nota_one_draft_per_tender",
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """ "Nota van inlichtingen 2", "Consultatieverslag 1"."""
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_report(self) -> bool:
        return self.kind == self.Kind.REPORT

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
        db_table = "tender_newslettersubscription"
        ordering = ["tender", "email"]
        verbose_name = _("aanmelding nieuwsbrief")
        verbose_name_plural = _("aanmeldingen nieuwsbrief")
        constraints = [
            models.UniqueConstraint(fields=["tender", "email"], name="newsletter_email_unique"),
        ]

    def __str__(self):
        return self.email


class SessionRegistration(models.Model):
    """One organisation's place in a session (or in its overflow session). A cancelled
    registration is kept, with ``cancelled_at`` set, and no longer takes a place."""

    session = models.ForeignKey(
        Session,
        verbose_name=_("sessie"),
        on_delete=models.CASCADE,
        related_name="registrations",
        help_text=_("De sessie waarin de deelnemer is geplaatst (hoofd- of extra sessie)."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisatie"),
        on_delete=models.PROTECT,
        related_name="session_registrations",
        help_text=_("Aangemelde organisatie."),
    )
    participant_name = models.CharField(
        _("naam deelnemer"), max_length=200, help_text=_("De ene deelnemer van de organisatie.")
    )
    participant_email = models.EmailField(
        _("e-mail deelnemer"), help_text=_("Ontvangt de bevestiging en de deelnamelink.")
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("aangemeld door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Gebruiker die de aanmelding deed."),
    )
    registered_at = models.DateTimeField(
        _("aangemeld op"), help_text=_("Servertijd; bepaalt de volgorde van aanmelden.")
    )
    cancelled_at = models.DateTimeField(
        _("afgemeld op"), null=True, blank=True, help_text=_("Leeg zolang de aanmelding geldt.")
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("afgemeld door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Gebruiker die afmeldde."),
    )

    class Meta:
        db_table = "providers_sessionregistration"
        ordering = ["session", "registered_at", "pk"]
        verbose_name = _("aanmelding sessie")
        verbose_name_plural = _("aanmeldingen sessies")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "organisation"],
                condition=Q(cancelled_at__isnull=True),
                name="session_one_registration_per_organisation",
            ),
        ]

    def __str__(self):
        return f"{self.organisation.name} – {self.session}"

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None


class Question(models.Model):
    """A bidder's question about a tender. Who asked is known to staff only: the public FAQ and
    the nota van inlichtingen show the question without the organisation."""

    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="questions",
        help_text=_("Aanbesteding."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisatie"),
        on_delete=models.PROTECT,
        related_name="questions",
        help_text=_("Vragensteller; nooit zichtbaar voor andere inschrijvers."),
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gesteld door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Gebruiker die de vraag stelde."),
    )
    lot = models.ForeignKey(
        Lot,
        verbose_name=_("perceel"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
        help_text=_("Optioneel: het perceel waar de vraag over gaat."),
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
        help_text=_("Optioneel: het inkoopsegment waar de vraag over gaat."),
    )
    text = models.TextField(_("vraag"), help_text=_("De vraag zoals gesteld."))
    asked_at = models.DateTimeField(_("gesteld op"), help_text=_("Servertijd van ontvangst."))
    public_text = models.TextField(
        _("vraag zoals gepubliceerd"),
        blank=True,
        help_text=_("Geanonimiseerde tekst voor de nota; leeg = de vraag zoals gesteld."),
    )
    answer = models.TextField(_("antwoord"), blank=True, help_text=_("Antwoord van de gemeenten."))
    answered_at = models.DateTimeField(
        _("beantwoord op"), null=True, blank=True, help_text=_("Moment van beantwoorden.")
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("beantwoord door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Medewerker die antwoordde."),
    )
    nota = models.ForeignKey(
        Nota,
        verbose_name=_("nota van inlichtingen"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="questions",
        help_text=_("De nota waarin de vraag met antwoord is (of wordt) gepubliceerd."),
    )
    number = models.PositiveIntegerField(
        _("nummer in de nota"),
        null=True,
        blank=True,
        help_text=_("Volgnummer binnen de nota, toegekend bij publicatie."),
    )

    class Meta:
        db_table = "providers_question"
        ordering = ["tender", "asked_at", "pk"]
        verbose_name = _("vraag")
        verbose_name_plural = _("vragen")
        constraints = [
            models.UniqueConstraint(
                fields=["nota", "number"],
                condition=Q(number__isnull=False),
                name="question_number_unique_per_nota",
            ),
        ]

    def __str__(self):
        return self.text[:60]

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def published_question(self) -> str:
        return self.public_text or self.text


class NewsletterIssue(models.Model):
    """One issue of the tender's newsletter: staff compose it (title, theme, text, news items
    and public documents), preview it and send it once to the confirmed subscribers; sent
    issues form the archive on the public site."""

    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="newsletter_issues",
        help_text=_("Aanbesteding."),
    )
    title = models.CharField(_("titel"), max_length=200, help_text=_("Titel van de nieuwsbrief."))
    theme = models.CharField(
        _("thema"), max_length=200, blank=True, help_text=_("Thema van deze editie (optioneel).")
    )
    body = models.TextField(
        _("tekst"), blank=True, help_text=_("Inleidende tekst; witregels scheiden alinea's.")
    )
    news_items = models.ManyToManyField(
        NewsItem,
        verbose_name=_("nieuwsberichten"),
        blank=True,
        related_name="newsletter_issues",
        help_text=_("Nieuwsberichten in deze editie."),
    )
    documents = models.ManyToManyField(
        TenderDocument,
        verbose_name=_("documenten"),
        blank=True,
        related_name="newsletter_issues",
        help_text=_("Openbare documenten in deze editie."),
    )
    created_at = models.DateTimeField(
        _("aangemaakt"), auto_now_add=True, help_text=_("Moment van aanmaken.")
    )
    sent_at = models.DateTimeField(
        _("verstuurd op"),
        null=True,
        blank=True,
        help_text=_("Leeg zolang de nieuwsbrief in voorbereiding is."),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verstuurd door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Medewerker die de nieuwsbrief verstuurde."),
    )

    class Meta:
        ordering = ["tender", "-sent_at", "-created_at"]
        verbose_name = _("nieuwsbrief")
        verbose_name_plural = _("nieuwsbrieven")

    def __str__(self):
        return self.title

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None


class MailDelivery(models.Model):
    """One mail that left for one address, by the key of what it was about (a newsletter issue,
    a session's programme or change, a reminder). A task that retries skips the addresses
    recorded here, so each recipient gets each mail once (docs/rules.md, "Mail")."""

    key = models.CharField(
        _("sleutel"), max_length=120, help_text=_("Waar de mail over ging, bijv. 'issue:3'.")
    )
    email = models.EmailField(_("e-mailadres"), help_text=_("Ontvanger."))
    sent_at = models.DateTimeField(
        _("verstuurd op"), auto_now_add=True, help_text=_("Moment van versturen.")
    )

    class Meta:
        ordering = ["key", "email"]
        verbose_name = _("verstuurde mail")
        verbose_name_plural = _("verstuurde mails")
        constraints = [
            models.UniqueConstraint(fields=["key", "email"], name="mail_delivery_once"),
        ]

    def __str__(self):
        return f"{self.key} → {self.email}"

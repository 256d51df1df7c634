"""Award decision: the letters per bidder per phase, the standstill per segment and the
objections that hold a segment's final award (DOMAIN.md, "Award decision letters")."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.jobs import job_stalled
from providers.models import Organisation
from tender.constants import Phase
from tender.models import Segment, Tender


class LetterImmutableError(Exception):
    """A sent letter never changes; a correction is a new version."""


class LetterKind(models.TextChoices):
    SELECTED = "selected", _("Geselecteerd")
    NOT_SELECTED = "not_selected", _("Niet geselecteerd")
    INTENDED_AWARD = "intended_award", _("Voorgenomen gunning")
    REJECTION = "rejection", _("Afwijzing")


class RunStatus(models.TextChoices):
    PENDING = "pending", _("In de wachtrij")
    RUNNING = "running", _("Bezig")
    DONE = "done", _("Klaar")
    FAILED = "failed", _("Mislukt")


class ObjectionKind(models.TextChoices):
    BEZWAAR = "bezwaar", _("Bezwaar")
    KORT_GEDING = "kort_geding", _("Kort geding")


class ObjectionResult(models.TextChoices):
    REJECTED = "rejected", _("Ongegrond")
    UPHELD = "upheld", _("Gegrond")
    WITHDRAWN = "withdrawn", _("Ingetrokken")


class AwardDecision(models.Model):
    """The decision of one phase of a tender: its date (the date on the letters) and when the
    letters went out. The standstill ends on ``decision_date`` + the tender's standstill days,
    23:59:59 Europe/Amsterdam (docs/rules.md)."""

    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="award_decisions",
        help_text=_("Aanbesteding."),
    )
    phase = models.CharField(
        _("fase"), max_length=10, choices=Phase.choices, help_text=_("Selectie of gunning.")
    )
    decision_date = models.DateField(
        _("datum beslissing"), help_text=_("Datum op de brieven; de dag van verzenden.")
    )
    standstill_ends_at = models.DateTimeField(
        _("einde termijn"), help_text=_("Einde van de opschortende termijn (of bezwaartermijn).")
    )
    sent_at = models.DateTimeField(
        _("verzonden op"), null=True, blank=True, help_text=_("Moment van verzenden.")
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verzonden door"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Wie de brieven verstuurde."),
    )

    class Meta:
        verbose_name = _("gunningsbeslissing")
        verbose_name_plural = _("gunningsbeslissingen")
        constraints = [
            models.UniqueConstraint(fields=["tender", "phase"], name="award_decision_per_phase"),
        ]

    def __str__(self):
        return f"{self.tender.slug} {self.phase} {self.decision_date}"


class LetterRun(models.Model):
    """One run of the letter generation job, for the progress bar."""

    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="letter_runs",
        help_text=_("Aanbesteding."),
    )
    phase = models.CharField(
        _("fase"), max_length=10, choices=Phase.choices, help_text=_("Selectie of gunning.")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RunStatus.choices,
        default=RunStatus.PENDING,
        help_text=_("Voortgang."),
    )
    total = models.PositiveIntegerField(_("totaal"), default=0, help_text=_("Aantal brieven."))
    done = models.PositiveIntegerField(_("klaar"), default=0, help_text=_("Brieven verwerkt."))
    error = models.TextField(_("foutmelding"), blank=True, help_text=_("Bij mislukken."))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("aangevraagd door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Wie de brieven liet maken."),
    )
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True, help_text=_("Gestart."))
    heartbeat_at = models.DateTimeField(
        _("laatste teken van leven"),
        null=True,
        blank=True,
        help_text=_("Bijgewerkt bij de start en na elke brief; te oud: de taak staat stil."),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("briefgeneratie")
        verbose_name_plural = _("briefgeneraties")

    #: Set (not stored) by ``letters_request`` when a request attached to this live run
    #: instead of queueing a second one.
    attached = False

    def __str__(self):
        return f"{self.tender.slug} {self.phase} #{self.pk}"

    @property
    def is_stalled(self) -> bool:
        """Pending or running without a heartbeat for ``JOB_STALL_SECONDS``: resumable."""
        return job_stalled(
            status=self.status, heartbeat_at=self.heartbeat_at, created_at=self.created_at
        )

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)


def letter_path(instance, filename):
    return f"tenders/{instance.tender.slug}/letters/{instance.phase}/{filename}"


class AwardLetter(models.Model):
    """One version of the decision letter of one phase to one bidder. Immutable once sent."""

    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="award_letters",
        help_text=_("Aanbesteding."),
    )
    phase = models.CharField(
        _("fase"), max_length=10, choices=Phase.choices, help_text=_("Selectie of gunning.")
    )
    bidder = models.ForeignKey(
        Organisation,
        verbose_name=_("inschrijver"),
        on_delete=models.PROTECT,
        related_name="award_letters",
        help_text=_("Geadresseerde (inschrijver of penvoerder)."),
    )
    version = models.PositiveSmallIntegerField(
        _("versie"), default=1, help_text=_("Een correctie is een nieuwe versie.")
    )
    kind = models.CharField(
        _("soort"), max_length=20, choices=LetterKind.choices, help_text=_("Soort brief.")
    )
    reference = models.CharField(
        _("kenmerk"), max_length=120, unique=True, help_text=_("Kenmerk in de voettekst.")
    )
    decision_date = models.DateField(_("datum beslissing"), help_text=_("Datum op de brief."))
    pdf = models.FileField(_("PDF"), upload_to=letter_path, help_text=_("De brief."))
    sha256 = models.CharField(_("SHA-256"), max_length=64, help_text=_("Hash van de PDF."))
    generated_at = models.DateTimeField(_("gemaakt op"), help_text=_("Moment van genereren."))
    sent_at = models.DateTimeField(
        _("verzonden op"), null=True, blank=True, help_text=_("Na verzenden onveranderlijk.")
    )
    standstill_ends_at = models.DateTimeField(
        _("einde termijn van deze brief"),
        null=True,
        blank=True,
        help_text=_(
            "Einde van de termijn die deze brief noemt; een gecorrigeerde versie is een nieuwe "
            "beslissing met een eigen datum en termijn."
        ),
    )

    class Meta:
        ordering = ["tender", "phase", "bidder__name", "-version"]
        verbose_name = _("beslissingsbrief")
        verbose_name_plural = _("beslissingsbrieven")
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "phase", "bidder", "version"], name="award_letter_version"
            ),
            models.UniqueConstraint(
                fields=["tender", "phase", "bidder"],
                condition=Q(sent_at__isnull=True),
                name="award_letter_one_draft",
            ),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        if self.pk and not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values_list("sent_at", flat=True)
            if stored and stored[0] is not None:
                raise LetterImmutableError("A sent letter cannot change.")
        super().save(*args, **kwargs)


class Standstill(models.Model):
    """What the standstill of a segment after a decision is, for the award
    (``SegmentStandstill``) and the selection (``SelectionStandstill``) alike: its end, and the
    corrected letter that moved it (art. 2.127 Aanbestedingswet 2012)."""

    ends_at = models.DateTimeField(_("einde termijn"), help_text=_("Einde opschortende termijn."))
    extended_by = models.CharField(
        _("verlengd door"),
        max_length=120,
        blank=True,
        help_text=_("Kenmerk van de gecorrigeerde brief die het einde van de termijn verlegde."),
    )

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.segment.code} {self.ends_at}"


class SegmentStandstill(Standstill):
    """The standstill of one segment after the award decision; final once it has ended
    without an open objection."""

    segment = models.OneToOneField(
        Segment,
        verbose_name=_("segment"),
        on_delete=models.CASCADE,
        related_name="standstill",
        help_text=_("Segment."),
    )
    decision = models.ForeignKey(
        AwardDecision,
        verbose_name=_("beslissing"),
        on_delete=models.CASCADE,
        related_name="segments",
        help_text=_("Gunningsbeslissing."),
    )
    final_at = models.DateTimeField(
        _("definitief gegund op"), null=True, blank=True, help_text=_("Moment van definitief.")
    )
    final_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("definitief door"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leeg: de geplande taak."),
    )

    class Meta:
        ordering = ["segment__code"]
        verbose_name = _("opschortende termijn")
        verbose_name_plural = _("opschortende termijnen")


class SelectionStandstill(Standstill):
    """The standstill of one segment after the selection decision (restricted procedure). The
    invitation to round 2 for the segment goes out only after it ended without an open
    objection against the selection (``contracts.services.invitations``)."""

    segment = models.OneToOneField(
        Segment,
        verbose_name=_("segment"),
        on_delete=models.CASCADE,
        related_name="selection_standstill",
        help_text=_("Segment."),
    )
    decision = models.ForeignKey(
        AwardDecision,
        verbose_name=_("beslissing"),
        on_delete=models.CASCADE,
        related_name="selection_segments",
        help_text=_("Selectiebeslissing."),
    )
    invited_at = models.DateTimeField(
        _("uitgenodigd op"),
        null=True,
        blank=True,
        help_text=_("Moment waarop de geselecteerden zijn uitgenodigd tot inschrijving."),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uitgenodigd door"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Medewerker."),
    )

    class Meta:
        ordering = ["segment__code"]
        verbose_name = _("opschortende termijn selectie")
        verbose_name_plural = _("opschortende termijnen selectie")


class Objection(models.Model):
    """A bezwaar or kort geding against the award of a segment, registered by staff. While
    open it blocks the final award of that segment."""

    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        on_delete=models.CASCADE,
        related_name="objections",
        help_text=_("Segment waartegen het bezwaar zich richt."),
    )
    bidder = models.ForeignKey(
        Organisation,
        verbose_name=_("inschrijver"),
        on_delete=models.PROTECT,
        related_name="objections",
        help_text=_("Wie bezwaar maakt."),
    )
    phase = models.CharField(
        _("fase"),
        max_length=10,
        choices=Phase.choices,
        default=Phase.AWARD,
        help_text=_("Tegen de selectie- of de gunningsbeslissing."),
    )
    decision = models.ForeignKey(
        AwardDecision,
        verbose_name=_("beslissing"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objections",
        help_text=_("De selectie- of gunningsbeslissing waartegen het bezwaar zich richt."),
    )
    kind = models.CharField(
        _("soort"), max_length=20, choices=ObjectionKind.choices, help_text=_("Soort.")
    )
    note = models.TextField(_("toelichting"), blank=True, help_text=_("Waar gaat het om."))
    registered_at = models.DateTimeField(
        _("geregistreerd op"), auto_now_add=True, help_text=_("Moment van registreren.")
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("geregistreerd door"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Medewerker."),
    )
    resolved_at = models.DateTimeField(
        _("afgehandeld op"), null=True, blank=True, help_text=_("Leeg: nog open.")
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("afgehandeld door"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Medewerker."),
    )
    result = models.CharField(
        _("uitkomst"),
        max_length=10,
        choices=ObjectionResult.choices,
        blank=True,
        help_text=_("Ongegrond, gegrond of ingetrokken; leeg zolang het bezwaar open is."),
    )
    outcome = models.TextField(
        _("motivering uitkomst"), blank=True, help_text=_("Waarom deze uitkomst.")
    )
    corrected_at = models.DateTimeField(
        _("gecorrigeerd op"),
        null=True,
        blank=True,
        help_text=_(
            "Gegrond: wanneer de eerste gecorrigeerde brief voor dit segment is verzonden; tot "
            "dan blijft het segment geblokkeerd."
        ),
    )

    class Meta:
        ordering = ["segment__code", "registered_at", "pk"]
        verbose_name = _("bezwaar")
        verbose_name_plural = _("bezwaren")

    def __str__(self):
        return f"{self.segment.code} {self.bidder.name} {self.kind}"

    @property
    def blocks(self) -> bool:
        """Open, or upheld without a corrected letter sent yet: the segment's final award
        (or invitation to round 2) waits."""
        if self.resolved_at is None:
            return True
        return self.result == ObjectionResult.UPHELD and self.corrected_at is None


#: The objections that hold their segment's final award (or invitation): open ones, and
#: upheld ones until the first corrected letter for the segment went out (``Objection.blocks``).
BLOCKING_OBJECTIONS = Q(resolved_at__isnull=True) | Q(
    result=ObjectionResult.UPHELD, corrected_at__isnull=True
)


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("In de wachtrij")
    ACCEPTED = "accepted", _("Aangenomen door de mailserver")
    FAILED = "failed", _("Mislukt")
    OTHER_MEANS = "other_means", _("Op andere wijze bezorgd")


class LetterDelivery(models.Model):
    """The delivery of one sent letter to one addressee organisation (the bidder, or a member
    of its combination) at one e-mail address: queued, accepted by the mail server (the task
    retries), failed, or delivered by other means (with a reason); and when the organisation
    first opened the letter in the portal."""

    letter = models.ForeignKey(
        AwardLetter,
        verbose_name=_("brief"),
        on_delete=models.CASCADE,
        related_name="deliveries",
        help_text=_("De verzonden brief."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisatie"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Geadresseerde: inschrijver of lid van de combinatie."),
    )
    email = models.EmailField(_("e-mailadres"), blank=True, help_text=_("Adres van de mail."))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.QUEUED,
        help_text=_("Stand van de bezorging."),
    )
    attempts = models.PositiveSmallIntegerField(
        _("pogingen"), default=0, help_text=_("Aantal verzendpogingen.")
    )
    detail = models.TextField(
        _("toelichting"), blank=True, help_text=_("Foutmelding, of de reden van andere bezorging.")
    )
    updated_at = models.DateTimeField(_("bijgewerkt"), auto_now=True, help_text=_("Bijgewerkt."))
    opened_at = models.DateTimeField(
        _("eerst geopend"),
        null=True,
        blank=True,
        help_text=_("Eerste keer geopend in het portaal."),
    )

    class Meta:
        ordering = ["letter", "organisation__name", "email"]
        verbose_name = _("bezorging")
        verbose_name_plural = _("bezorgingen")

    def __str__(self):
        return f"{self.letter_id} {self.email} {self.status}"

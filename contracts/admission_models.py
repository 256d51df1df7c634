"""Open House: the admission decision per application and segment, and its letter
(DOMAIN.md, "Procedures"; ``contracts.services.admission``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from providers.models import Submission
from tender.models import Segment


class AdmissionDecision(models.Model):
    """The decision on one application for one segment: admitted when every requirement is
    met and every threshold reached, else rejected with the reasons. Never changed: a rejected
    provider applies again (a new version) and gets a new decision."""

    submission = models.ForeignKey(
        Submission,
        verbose_name=_("aanmelding"),
        on_delete=models.PROTECT,
        related_name="admission_decisions",
        help_text=_("De aanmelding (versie) waarover is besloten."),
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        on_delete=models.PROTECT,
        related_name="admission_decisions",
        help_text=_("Segment."),
    )
    admitted = models.BooleanField(_("toegelaten"), help_text=_("Toegelaten of afgewezen."))
    points = models.DecimalField(
        _("punten"), max_digits=10, decimal_places=2, help_text=_("Totaal van de punten.")
    )
    reasons = models.JSONField(
        _("redenen"),
        default=list,
        blank=True,
        help_text=_("Per eis en criterium: code, omschrijving, voldaan, toelichting."),
    )
    decided_at = models.DateTimeField(_("besloten op"), help_text=_("Moment van het besluit."))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("besloten door"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Medewerker die besloot."),
    )

    class Meta:
        ordering = ["submission", "segment__code"]
        verbose_name = _("toelatingsbesluit")
        verbose_name_plural = _("toelatingsbesluiten")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "segment"], name="admission_decision_once"
            ),
        ]

    def __str__(self):
        return f"{self.submission} {self.segment.code}: {self.admitted}"


def admission_letter_path(instance, filename):
    return f"tenders/{instance.submission.tender.slug}/letters/admission/{filename}"


class AdmissionLetter(models.Model):
    """The admission or rejection letter of one application (all its segments), a PDF."""

    submission = models.OneToOneField(
        Submission,
        verbose_name=_("aanmelding"),
        on_delete=models.PROTECT,
        related_name="admission_letter",
        help_text=_("De aanmelding (versie) waarover de brief gaat."),
    )
    reference = models.CharField(
        _("kenmerk"), max_length=120, unique=True, help_text=_("Kenmerk van de brief.")
    )
    admitted = models.BooleanField(
        _("toegelaten"), help_text=_("Toegelaten voor minstens één segment.")
    )
    pdf = models.FileField(_("PDF"), upload_to=admission_letter_path, help_text=_("De brief."))
    sha256 = models.CharField(_("SHA-256"), max_length=64, help_text=_("Hash van de PDF."))
    generated_at = models.DateTimeField(_("gemaakt op"), help_text=_("Moment van genereren."))

    class Meta:
        ordering = ["submission"]
        verbose_name = _("toelatingsbrief")
        verbose_name_plural = _("toelatingsbrieven")

    def __str__(self):
        return self.reference

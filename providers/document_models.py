"""Encrypted submission files: the per-tender data key, the stored (encrypted) blobs and the
documents of a submission that point to them (docs/rules.md, "Submissions, sealing and
encryption"). Imported at the end of ``providers.models``."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tender.models import Criterion, Requirement, Segment, Tender


class TenderDataKey(models.Model):
    """The AES-256 data key of one tender, wrapped (AES-GCM) by the master key from the
    environment. Never stored in the clear."""

    tender = models.OneToOneField(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="data_key",
        help_text=_("Aanbesteding."),
    )
    wrapped_key = models.BinaryField(
        _("versleutelde sleutel"), help_text=_("Nonce en versleutelde datasleutel.")
    )
    master_key_id = models.CharField(
        _("hoofdsleutel-id"),
        max_length=16,
        help_text=_("Vingerafdruk van de hoofdsleutel waarmee is versleuteld."),
    )
    created_at = models.DateTimeField(
        _("aangemaakt"), auto_now_add=True, help_text=_("Aangemaakt.")
    )

    class Meta:
        verbose_name = _("datasleutel aanbesteding")
        verbose_name_plural = _("datasleutels aanbestedingen")

    def __str__(self):
        return f"{self.tender.slug} ({self.master_key_id})"


def _random_name(instance, filename):
    """Files on disk get a random name; the original name is kept in the database only."""
    return f"inschrijvingen/{instance.tender_id}/{secrets.token_hex(20)}.bin"


class EncryptedFile(models.Model):
    """One uploaded file, encrypted with its tender's data key (AES-256-GCM; the stored bytes
    are nonce + ciphertext). Several versions of a submission may point to the same file."""

    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="encrypted_files",
        help_text=_("Aanbesteding."),
    )
    blob = models.FileField(
        _("versleuteld bestand"), upload_to=_random_name, help_text=_("Alleen versleuteld.")
    )
    sha256 = models.CharField(
        _("SHA-256"), max_length=64, help_text=_("Hash over de oorspronkelijke inhoud.")
    )
    size = models.PositiveBigIntegerField(_("grootte (bytes)"), help_text=_("Oorspronkelijk."))
    content_type = models.CharField(
        _("type"), max_length=100, help_text=_("Type volgens de inhoud (niet de naam).")
    )
    pages = models.PositiveIntegerField(
        _("pagina's"), null=True, blank=True, help_text=_("Aantal pagina's (PDF).")
    )
    created_at = models.DateTimeField(
        _("aangemaakt"), auto_now_add=True, help_text=_("Aangemaakt.")
    )

    class Meta:
        verbose_name = _("versleuteld bestand")
        verbose_name_plural = _("versleutelde bestanden")

    def __str__(self):
        return self.sha256[:12]


class DocumentKind(models.TextChoices):
    EVIDENCE = "evidence", _("Bewijsstuk bij een eis")
    DOSSIER = "dossier", _("Bekwaamheidsdossier")
    REFERENCE = "reference", _("Referentie")
    CONVENANT = "convenant", _("Samenwerkingsovereenkomst (concept)")
    PLAN = "plan", _("Plan")


class SubmissionDocument(models.Model):
    """A document in one version of a submission: its kind, where it belongs (segment or
    requirement) and the sanitised original name; the bytes are in ``file``."""

    submission = models.ForeignKey(
        "providers.Submission",
        verbose_name=_("inschrijving"),
        on_delete=models.CASCADE,
        related_name="documents",
        help_text=_("Inschrijving (versie)."),
    )
    kind = models.CharField(
        _("soort"), max_length=12, choices=DocumentKind.choices, help_text=_("Soort document.")
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Bij een bekwaamheidsdossier of referentie."),
    )
    requirement = models.ForeignKey(
        Requirement,
        verbose_name=_("eis"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Bij een bewijsstuk."),
    )
    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("gunningscriterium"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Bij een plan per gunningscriterium."),
    )
    party_answer = models.ForeignKey(
        "providers.PartyAnswer",
        verbose_name=_("antwoord van een partij"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
        help_text=_("Bij het bewijs van een lid of onderaannemer (eis voor elke partij)."),
    )
    file = models.ForeignKey(
        EncryptedFile,
        verbose_name=_("bestand"),
        on_delete=models.PROTECT,
        related_name="documents",
        help_text=_("Het versleutelde bestand."),
    )
    name = models.CharField(
        _("bestandsnaam"), max_length=200, help_text=_("Oorspronkelijke naam (opgeschoond).")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("geüpload door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Gebruiker."),
    )
    uploaded_at = models.DateTimeField(_("geüpload op"), help_text=_("Servertijd."))

    class Meta:
        ordering = ["submission", "kind", "segment__code", "requirement__code", "name", "pk"]
        verbose_name = _("document inschrijving")
        verbose_name_plural = _("documenten inschrijvingen")

    def __str__(self):
        return self.name


class SubmissionEnvelope(models.Model):
    """The sealed content of one submission version until the opening (docs/rules.md,
    "Submissions, sealing and encryption"): the answers, the dossiers' municipalities,
    specialisms and bid figures, the documents' names, the subcontractors and the manifest, as
    one JSON document encrypted (AES-256-GCM) under the tender's data key, bound to its tender
    and submission. Meanwhile those plain columns stay neutral (empty, NULL, false); the
    opening (``providers.services.envelopes``) writes them and deletes the envelope."""

    submission = models.OneToOneField(
        "providers.Submission",
        verbose_name=_("inschrijving"),
        on_delete=models.CASCADE,
        related_name="envelope",
        help_text=_("Inschrijving (versie)."),
    )
    ciphertext = models.BinaryField(
        _("versleutelde inhoud"), help_text=_("Nonce en versleutelde inhoud (JSON).")
    )
    updated_at = models.DateTimeField(_("gewijzigd"), auto_now=True, help_text=_("Gewijzigd."))

    class Meta:
        verbose_name = _("verzegelde inhoud inschrijving")
        verbose_name_plural = _("verzegelde inhoud inschrijvingen")

    def __str__(self):
        return f"envelope {self.submission_id}"

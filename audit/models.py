"""The append-only, hash-chained audit log.

Every writing service records what it did here, inside the same transaction as its change.
Each entry carries the SHA-256 of the previous entry and its own hash over every field, so an
altered, inserted or deleted entry breaks the chain and ``manage.py verify_audit`` finds it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from config.jobs import job_stalled


class AuditLogError(Exception):
    """Raised when code tries to change or delete an audit entry."""


class AuditChainHead(models.Model):
    """Singleton row that serialises appends: writers lock it, so the chain never forks.

    It also remembers the last sequence number and hash, so truncating the log's tail is
    detectable too.
    """

    seq = models.PositiveBigIntegerField(_("laatste volgnummer"), default=0)
    hash = models.CharField(_("laatste hash"), max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("kop van de auditketen")
        verbose_name_plural = _("kop van de auditketen")

    def __str__(self):
        return f"#{self.seq} {self.hash[:12]}"


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField(
        _("volgnummer"), unique=True, help_text=_("Positie in de keten, zonder gaten.")
    )
    created_at = models.DateTimeField(_("tijdstip"), help_text=_("Servertijd (UTC)."))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gebruiker"),
        help_text=_("Wie de handeling uitvoerde; leeg voor systeemhandelingen."),
        null=True,
        blank=True,
        # DO_NOTHING: deleting a user must never rewrite the log; actor_repr keeps the name.
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    actor_repr = models.CharField(
        _("gebruiker (tekst)"),
        max_length=255,
        blank=True,
        help_text=_("Gebruikersnaam op het moment van de handeling."),
    )
    action = models.CharField(
        _("handeling"),
        max_length=100,
        db_index=True,
        help_text=_("Bijvoorbeeld 'scenario.load' of 'ranking.finalise'."),
    )
    object_type = models.CharField(
        _("objecttype"),
        max_length=100,
        blank=True,
        help_text=_("App en model, bijvoorbeeld 'tender.tender'."),
    )
    object_id = models.CharField(
        _("object-id"), max_length=64, blank=True, help_text=_("Primaire sleutel van het object.")
    )
    object_repr = models.CharField(
        _("object"), max_length=255, blank=True, help_text=_("Leesbare naam van het object.")
    )
    tender_slug = models.CharField(
        _("aanbesteding"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("Slug van de aanbesteding; tekst, zodat de log verwijderen overleeft."),
    )
    details = models.JSONField(
        _("details"), default=dict, blank=True, help_text=_("Extra gegevens van de handeling.")
    )
    client_address = models.GenericIPAddressField(
        _("IP-adres"), null=True, blank=True, help_text=_("Adres van de client, indien bekend.")
    )
    prev_hash = models.CharField(
        _("vorige hash"), max_length=64, help_text=_("SHA-256 van de vorige entry.")
    )
    hash = models.CharField(
        _("hash"), max_length=64, help_text=_("SHA-256 over alle velden en de vorige hash.")
    )

    class Meta:
        ordering = ["seq"]
        # the screens look up the entries of one object (e.g. a ranking's reopenings)
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_entry_object")]
        verbose_name = _("auditregel")
        verbose_name_plural = _("auditlog")

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogError("Audit entries are append-only.")


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("In de wachtrij")
    RUNNING = "running", _("Bezig")
    DONE = "done", _("Klaar")
    FAILED = "failed", _("Mislukt")


class AuditVerification(models.Model):
    """One run of the chain check (``audit_verify``) on a worker, started from the audit log
    screen; the page polls its progress here. Not part of the chain: it checks the chain."""

    status = models.CharField(
        _("status"),
        max_length=10,
        choices=VerificationStatus.choices,
        default=VerificationStatus.PENDING,
        help_text=_("Voortgang van de controle."),
    )
    progress = models.PositiveSmallIntegerField(
        _("voortgang (%)"), default=0, help_text=_("Voor de voortgangsbalk.")
    )
    checked = models.PositiveBigIntegerField(
        _("gecontroleerd"), default=0, help_text=_("Aantal gecontroleerde auditregels.")
    )
    intact = models.BooleanField(
        _("intact"), null=True, blank=True, help_text=_("Leeg zolang de controle loopt.")
    )
    problem_seq = models.PositiveBigIntegerField(
        _("volgnummer van de afwijking"),
        null=True,
        blank=True,
        help_text=_("De eerste regel waar de keten niet klopt."),
    )
    problem_kind = models.CharField(
        _("soort afwijking"),
        max_length=10,
        blank=True,
        help_text=_("Gewijzigd (altered), verwijderd (deleted) of ingevoegd (inserted)."),
    )
    message = models.TextField(_("uitkomst"), blank=True, help_text=_("De uitkomst in woorden."))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gestart door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Wie de controle startte."),
    )
    created_at = models.DateTimeField(_("gestart"), auto_now_add=True, help_text=_("Gestart."))
    heartbeat_at = models.DateTimeField(
        _("laatste teken van leven"),
        null=True,
        blank=True,
        help_text=_("Bijgewerkt tijdens de controle; te oud: de taak staat stil."),
    )
    finished_at = models.DateTimeField(
        _("klaar op"), null=True, blank=True, help_text=_("Einde van de controle.")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("controle van de auditketen")
        verbose_name_plural = _("controles van de auditketen")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in (VerificationStatus.PENDING, VerificationStatus.RUNNING)

    @property
    def is_stalled(self) -> bool:
        """Pending or running without a heartbeat for ``JOB_STALL_SECONDS``: start a new one."""
        return job_stalled(
            status=self.status, heartbeat_at=self.heartbeat_at, created_at=self.created_at
        )

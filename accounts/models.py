"""API tokens: ``Authorization: Token <key>`` for integrations and scripts.

Only the SHA-256 of a key is stored; the key itself is shown once, when it is made. A token
expires (``API_TOKEN_LIFETIME_DAYS``), can be revoked by its owner, and every token of a user
is revoked when that user's password changes (``accounts.signals``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, at):
        """Not revoked and not expired at ``at``."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=at)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gebruiker"),
        help_text=_("De eigenaar: het token handelt namens deze gebruiker."),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(
        _("naam"), max_length=100, help_text=_("Waarvoor het token is, bijvoorbeeld 'Koppeling'.")
    )
    prefix = models.CharField(
        _("begin van de sleutel"),
        max_length=8,
        help_text=_("De eerste tekens van de sleutel, om het token te herkennen."),
    )
    key_hash = models.CharField(
        _("hash van de sleutel"),
        max_length=64,
        unique=True,
        help_text=_("SHA-256 van de sleutel; de sleutel zelf wordt niet bewaard."),
    )
    created_at = models.DateTimeField(_("aangemaakt op"), help_text=_("Servertijd (UTC)."))
    expires_at = models.DateTimeField(
        _("verloopt op"), help_text=_("Na dit tijdstip wordt het token geweigerd.")
    )
    last_used_at = models.DateTimeField(
        _("laatst gebruikt"),
        null=True,
        blank=True,
        help_text=_("Laatste aanvraag met dit token (tot op een minuut nauwkeurig)."),
    )
    revoked_at = models.DateTimeField(
        _("ingetrokken op"),
        null=True,
        blank=True,
        help_text=_("Ingetrokken door de eigenaar of door een wachtwoordwijziging."),
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API-token")
        verbose_name_plural = _("API-tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def state(self, at) -> str:
        """'revoked', 'expired' or 'active' at ``at``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= at:
            return "expired"
        return "active"

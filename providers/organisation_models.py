"""The provider portal's own records: invitations of colleagues and the UEA self-declaration.

Imported at the end of ``providers.models`` so Django finds them in the ``providers`` app.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tender.models import Tender


class OrganisationInvitation(models.Model):
    """An organisation's admin invites a colleague by e-mail. Only the SHA-256 of the token is
    stored; the link in the mail carries the token. Single use, expires, revocable."""

    organisation = models.ForeignKey(
        "providers.Organisation",
        verbose_name=_("organisatie"),
        on_delete=models.CASCADE,
        related_name="invitations",
        help_text=_("Organisatie waarvoor wordt uitgenodigd."),
    )
    email = models.EmailField(_("e-mailadres"), help_text=_("Adres van de collega."))
    token_hash = models.CharField(
        _("hash van het token"), max_length=64, unique=True, help_text=_("SHA-256 van het token.")
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uitgenodigd door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Beheerder die uitnodigde."),
    )
    created_at = models.DateTimeField(_("verstuurd op"), help_text=_("Moment van uitnodigen."))
    expires_at = models.DateTimeField(_("geldig tot"), help_text=_("Daarna vervalt de link."))
    accepted_at = models.DateTimeField(
        _("geaccepteerd op"), null=True, blank=True, help_text=_("Moment van accepteren.")
    )
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Account dat bij het accepteren is aangemaakt."),
    )
    revoked_at = models.DateTimeField(
        _("ingetrokken op"), null=True, blank=True, help_text=_("Moment van intrekken.")
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("uitnodiging collega")
        verbose_name_plural = _("uitnodigingen collega's")

    def __str__(self):
        return f"{self.email} – {self.organisation_id}"

    def state(self, now) -> str:
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if now >= self.expires_at:
            return "expired"
        return "open"


class UEADeclaration(models.Model):
    """One organisation's Uniform Europees Aanbestedingsdocument (UEA, the European Single
    Procurement Document) for one tender: the structured answers (``providers.uea``), then
    signed, which locks it. The identity of Deel II is copied from the organisation at
    signing, so the signed document does not change when the organisation's data does."""

    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="uea_declarations",
        help_text=_("Aanbesteding."),
    )
    organisation = models.ForeignKey(
        "providers.Organisation",
        verbose_name=_("organisatie"),
        on_delete=models.PROTECT,
        related_name="uea_declarations",
        help_text=_("Ondernemer die de verklaring aflegt."),
    )
    answers = models.JSONField(
        _("antwoorden"), default=dict, blank=True, help_text=_("Antwoorden per vraagcode.")
    )
    identity = models.JSONField(
        _("identiteit bij ondertekening"),
        default=dict,
        blank=True,
        help_text=_("Gegevens van de organisatie zoals ondertekend."),
    )
    signer_name = models.CharField(
        _("naam ondertekenaar"), max_length=200, blank=True, help_text=_("Naam.")
    )
    signer_role = models.CharField(
        _("functie ondertekenaar"), max_length=200, blank=True, help_text=_("Functie.")
    )
    signed_place = models.CharField(
        _("plaats van ondertekening"), max_length=100, blank=True, help_text=_("Plaats.")
    )
    signed_on = models.DateField(
        _("datum van ondertekening"), null=True, blank=True, help_text=_("Datum.")
    )
    signed_at = models.DateTimeField(
        _("ondertekend op"), null=True, blank=True, help_text=_("Leeg zolang het een concept is.")
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ondertekend door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Gebruiker die ondertekende."),
    )
    sealed_content = models.BinaryField(
        _("verzegelde inhoud"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Antwoorden, identiteit en ondertekenaar, versleuteld tot de opening "
            "(de kolommen zijn dan leeg)."
        ),
    )
    content_hash = models.CharField(
        _("SHA-256 verklaring"),
        max_length=64,
        blank=True,
        help_text=_("Hash over de ondertekende inhoud."),
    )
    updated_at = models.DateTimeField(_("gewijzigd"), auto_now=True, help_text=_("Gewijzigd."))

    class Meta:
        ordering = ["tender", "organisation__name"]
        verbose_name = _("UEA-verklaring")
        verbose_name_plural = _("UEA-verklaringen")
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "organisation"], name="uea_one_per_tender_organisation"
            ),
        ]

    def __str__(self):
        return f"UEA {self.organisation_id} – {self.tender_id}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

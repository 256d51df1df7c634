"""The roles of the product, as Django groups. One list, used by migrations, demo users and
the permission predicates."""

from django.utils.translation import gettext_lazy as _

INKOPER = "inkoper"
VOORZITTER = "voorzitter"
BEOORDELAAR = "beoordelaar"
CONTRACTMANAGER = "contractmanager"
AUDITOR = "auditor"
AANBIEDER = "aanbieder"

ROLES = {
    INKOPER: _("Inkoper"),
    VOORZITTER: _("Voorzitter (inkoopspecialist)"),
    BEOORDELAAR: _("Beoordelaar"),
    CONTRACTMANAGER: _("Contractmanager"),
    AUDITOR: _("Auditor (alleen lezen)"),
    AANBIEDER: _("Zorgaanbieder"),
}

STAFF_ROLES = (INKOPER, VOORZITTER, CONTRACTMANAGER, AUDITOR)

# Every municipal role signs in with a second factor (TOTP); care providers do not.
TWO_FACTOR_ROLES = (INKOPER, VOORZITTER, BEOORDELAAR, CONTRACTMANAGER, AUDITOR)

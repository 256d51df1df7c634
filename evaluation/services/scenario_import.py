"""Importing a scenario file through the web page or the API.

The same parsing and validation as ``manage.py load_scenario`` (``tender.scenario`` and
``scenario_load``), with the rules of an import by a user on top: only procurement staff import,
and "replace" may only replace a tender that is still a draft (``tender.permissions``).
"""

from django.utils.translation import gettext as _

from tender.errors import ApplicationError
from tender.models import Tender
from tender.permissions import can_create_tender, can_replace_tender
from tender.scenario import ScenarioError, parse_scenario

from .scenario import ScenarioInvalid, scenario_load

MAX_SCENARIO_BYTES = 20 * 1024 * 1024


def scenario_import(
    *, raw: bytes, replace: bool, user, client_address: str | None = None
) -> Tender:
    """Parse, validate and load ``raw`` (the file's bytes) in one transaction.

    Raises ``ScenarioError`` listing every issue with its JSON path (nothing is loaded), or
    ``ApplicationError`` (field ``replace`` or ``file``) when the import itself is refused.
    """
    if not can_create_tender(user):
        raise ApplicationError(_("Alleen een inkoper mag een scenario importeren."))
    if len(raw) > MAX_SCENARIO_BYTES:
        raise ApplicationError(
            _("Het bestand is groter dan %(mb)s MB.") % {"mb": MAX_SCENARIO_BYTES // 2**20},
            field="file",
        )
    data = parse_scenario(raw)
    slug = data.get("tender", {}).get("slug") if isinstance(data, dict) else None
    existing = Tender.objects.filter(slug=slug).first() if isinstance(slug, str) else None
    if existing is not None:
        if not replace:
            raise ApplicationError(
                _(
                    "Aanbesteding '%(slug)s' bestaat al. Kies 'Vervang bestaande' om haar te "
                    "vervangen."
                )
                % {"slug": slug},
                field="replace",
            )
        if not can_replace_tender(user, existing):
            raise ApplicationError(
                _(
                    "Aanbesteding '%(slug)s' heeft de status '%(state)s'; alleen een aanbesteding "
                    "in concept kan worden vervangen."
                )
                % {"slug": slug, "state": existing.get_state_display()},
                field="replace",
            )
    try:
        return scenario_load(data=data, replace=replace, actor=user, client_address=client_address)
    except ScenarioInvalid as exc:
        raise ScenarioError(exc.issues) from exc

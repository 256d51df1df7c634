"""The UEA self-declaration: a draft per (tender, organisation), then signed (locked), and its
PDF. Every organisation fills in its own: a bidder alone, each member of a combination, and
each registered subcontractor."""

import hashlib
import json

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.services import audit_record
from tender.errors import ApplicationError
from tender.models import Tender
from tender.pdf import render_to_pdf

from .. import envelopes
from .. import uea as structure
from ..models import Organisation, UEADeclaration
from ..permissions import can_edit_uea, can_sign_uea
from .combinations import forming_refusal

SIGNER_FIELDS = ("signer_name", "signer_role", "signed_place")


def _identity(organisation: Organisation) -> dict:
    return {
        "name": organisation.name,
        "kvk": organisation.kvk,
        "legal_form": organisation.get_legal_form_display(),
        "agb": organisation.agb,
        "address": organisation.address,
        "postcode": organisation.postcode,
        "city": organisation.city,
        "phone": organisation.phone,
        "contact_name": organisation.contact_name,
        "contact_email": organisation.contact_email,
    }


def _locked(*, tender: Tender, organisation: Organisation) -> UEADeclaration:
    declaration, _created = UEADeclaration.objects.get_or_create(
        tender=tender, organisation=organisation
    )
    return envelopes.uea_unseal(
        UEADeclaration.objects.select_for_update().select_related("tender").get(pk=declaration.pk)
    )


@transaction.atomic
def uea_save(
    *,
    tender: Tender,
    organisation: Organisation,
    user,
    answers: dict,
    signer_name: str = "",
    signer_role: str = "",
    signed_place: str = "",
    client_address: str | None = None,
) -> UEADeclaration:
    """Save the draft (anything may still be empty). Refused once signed or after the
    deadline."""
    if not can_edit_uea(user, organisation.pk):
        raise ApplicationError(_("U kunt alleen de verklaring van uw eigen organisatie invullen."))
    refusal = forming_refusal(tender)
    if refusal:
        raise ApplicationError(refusal)
    declaration = _locked(tender=tender, organisation=organisation)
    if declaration.is_signed:
        raise ApplicationError(_("De verklaring is ondertekend en kan niet meer wijzigen."))
    declaration.answers = structure.answers_clean(answers)
    declaration.signer_name = signer_name.strip()[:200]
    declaration.signer_role = signer_role.strip()[:200]
    declaration.signed_place = signed_place.strip()[:100]
    envelopes.uea_store(declaration)
    audit_record(
        action="uea.save",
        actor=user,
        obj=declaration,
        tender=tender,
        details={"organisation": organisation.kvk, "answered": len(declaration.answers)},
        client_address=client_address,
    )
    return declaration


def uea_problems(declaration: UEADeclaration) -> dict[str, str]:
    problems = structure.answers_problems(declaration.answers)
    labels = {
        "signer_name": _("Vul de naam van de ondertekenaar in."),
        "signer_role": _("Vul de functie van de ondertekenaar in."),
        "signed_place": _("Vul de plaats van ondertekening in."),
    }
    for field in SIGNER_FIELDS:
        if not getattr(declaration, field):
            problems[field] = str(labels[field])
    return problems


@transaction.atomic
def uea_sign(
    *, tender: Tender, organisation: Organisation, user, client_address: str | None = None
) -> UEADeclaration:
    """Sign the saved declaration: complete answers and the signer's name, role and place are
    required; the date is today's (Europe/Amsterdam). Locks it."""
    if not can_sign_uea(user, organisation.pk):
        raise ApplicationError(_("Alleen een beheerder van de organisatie kan ondertekenen."))
    refusal = forming_refusal(tender)
    if refusal:
        raise ApplicationError(refusal)
    declaration = _locked(tender=tender, organisation=organisation)
    if declaration.is_signed:
        raise ApplicationError(_("De verklaring is al ondertekend."))
    problems = uea_problems(declaration)
    if problems:
        raise ApplicationError(
            ngettext(
                "De verklaring is nog niet volledig: %(count)s antwoord ontbreekt.",
                "De verklaring is nog niet volledig: %(count)s antwoorden ontbreken.",
                len(problems),
            )
            % {"count": len(problems)}
        )
    now = timezone.now()
    declaration.identity = _identity(organisation)
    declaration.signed_at = now
    declaration.signed_on = timezone.localdate(now)
    declaration.signed_by = user
    declaration.content_hash = hashlib.sha256(
        json.dumps(
            {
                "tender": tender.slug,
                "identity": declaration.identity,
                "answers": declaration.answers,
                "signer": [getattr(declaration, f) for f in SIGNER_FIELDS],
                "date": declaration.signed_on.isoformat(),
            },
            sort_keys=True,
            ensure_ascii=False,
        ).encode()
    ).hexdigest()
    envelopes.uea_store(declaration)
    audit_record(
        action="uea.sign",
        actor=user,
        obj=declaration,
        tender=tender,
        details={"organisation": organisation.kvk, "hash": declaration.content_hash},
        client_address=client_address,
    )
    return declaration


def uea_pdf(declaration: UEADeclaration) -> bytes:
    """The declaration as PDF (house style). A draft says 'CONCEPT' and shows the
    organisation's current data."""
    tender = declaration.tender
    identity = (
        declaration.identity if declaration.is_signed else _identity(declaration.organisation)
    )
    return render_to_pdf(
        "pdf/uea.html",
        {
            "declaration": declaration,
            "tender": tender,
            "identity": identity,
            "parts": structure.answered_parts(declaration.answers),
            "closing": structure.CLOSING_DECLARATION,
            "region_name": tender.region.name,
        },
    )

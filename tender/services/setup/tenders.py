"""Set-up services for the tender itself and its lots."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.queue import enqueue

from ...constants import Funding, PlanDocuments, Procedure, TenderState
from ...errors import ApplicationError
from ...models import (
    Lot,
    Municipality,
    Region,
    Tender,
)
from ...permissions import can_create_tender
from ._base import (
    SLUG_PATTERN,
    Problems,
    audit,
    blank,
    changes,
    choice,
    code_problems,
    lock_for_setup,
    next_position,
    not_negative,
    raise_first,
    save,
    taken,
)

# -- tender -------------------------------------------------------------------------------

#: ``tender_update``: leave this field as it is.
KEEP: Any = object()


def tender_problems(
    *,
    title: str,
    region: Region | None,
    procedure: str,
    deadline: datetime | None,
    standstill_days: int | None,
    slug: str | None = None,
    tender: Tender | None = None,
    admission_start: datetime | None = None,
    admission_end: datetime | None = None,
) -> Problems:
    """Problems of a tender's data; ``slug`` is checked on create only (it never changes)."""
    problems: Problems = []
    if tender is None:
        if slug is None or blank(slug):
            problems.append(("slug", _("Vul een kenmerk in.")))
        elif not SLUG_PATTERN.match(slug):
            problems.append(
                (
                    "slug",
                    _(
                        "Een kenmerk bestaat uit kleine letters, cijfers en '-' (2 tot 64 "
                        "tekens), bijvoorbeeld inkoop-2026."
                    ),
                )
            )
        elif Tender.objects.filter(slug=slug).exists():
            problems.append(("slug", _("Kenmerk %(slug)s is al in gebruik.") % {"slug": slug}))
    if blank(title):
        problems.append(("title", _("Vul een titel in.")))
    if region is None:
        problems.append(("region", _("Kies een regio.")))
    problems += choice(procedure, Procedure, "procedure")
    if deadline is None:
        problems.append(("deadline", _("Vul de sluitingstermijn in.")))
    elif tender is not None and tender.state != TenderState.DRAFT and deadline <= timezone.now():
        problems.append(
            (
                "deadline",
                _("Na publicatie moet de sluitingstermijn in de toekomst liggen."),
            )
        )
    if standstill_days is None:
        problems.append(("standstill_days", _("Vul de opschortende termijn in (in dagen).")))
    else:
        problems += not_negative(standstill_days, "standstill_days", _("De opschortende termijn"))
    problems += _admission_period_problems(procedure, admission_start, admission_end, tender)
    if tender is not None and region is not None and region.pk != tender.region_id:
        problems += _lots_outside_region(tender, region)
    return problems


def _admission_period_problems(procedure, start, end, tender) -> Problems:
    """Open House only; the end after the start; after publication a new end in the future."""
    if start is None and end is None:
        return []
    if procedure != Procedure.OPEN_HOUSE:
        field = "admission_start" if start is not None else "admission_end"
        return [(field, _("Alleen een Open House-aanbesteding heeft een toelatingsperiode."))]
    if start is not None and end is not None and end <= start:
        return [("admission_end", _("Het einde van de toelatingsperiode ligt na het begin."))]
    if (
        end is not None
        and tender is not None
        and tender.state != TenderState.DRAFT
        and end != tender.admission_end
        and end <= timezone.now()
    ):
        return [
            (
                "admission_end",
                _("Na publicatie moet het einde van de toelatingsperiode in de toekomst liggen."),
            )
        ]
    return []


def _lots_outside_region(tender: Tender, region: Region) -> Problems:
    inside = set(region.municipalities.values_list("code", flat=True))
    for lot in tender.lots.prefetch_related("municipalities").order_by("position", "code"):
        if any(m.code not in inside for m in lot.municipalities.all()):
            return [
                (
                    "region",
                    _(
                        "Perceel %(code)s heeft gemeenten die niet bij regio %(region)s horen; "
                        "pas eerst de percelen aan."
                    )
                    % {"code": lot.code, "region": region.name},
                )
            ]
    return []


@transaction.atomic
def tender_create(
    *,
    user,
    slug: str,
    title: str,
    region: Region,
    procedure: str = Procedure.RESTRICTED,
    deadline: datetime,
    standstill_days: int = 20,
    objection_address: str = "",
    objection_email: str = "",
    court: str = "",
    admission_start: datetime | None = None,
    admission_end: datetime | None = None,
    plan_documents: str = PlanDocuments.NONE,
    client_address: str | None = None,
) -> Tender:
    """Create a draft tender. Raises ApplicationError (Dutch, with ``field``)."""
    if not can_create_tender(user):
        raise ApplicationError(_("Alleen een inkoper mag een aanbesteding aanmaken."))
    raise_first(
        tender_problems(
            slug=slug,
            title=title,
            region=region,
            procedure=procedure,
            deadline=deadline,
            standstill_days=standstill_days,
            admission_start=admission_start,
            admission_end=admission_end,
        )
        + choice(plan_documents, PlanDocuments, "plan_documents")
    )
    tender = Tender(
        slug=slug,
        title=title.strip(),
        region=region,
        procedure=procedure,
        deadline=deadline,
        standstill_days=standstill_days,
        objection_address=(objection_address or "").strip(),
        objection_email=(objection_email or "").strip(),
        court=(court or "").strip(),
        admission_start=admission_start,
        admission_end=admission_end,
        plan_documents=plan_documents,
    )
    save(tender, conflict_field="slug")
    audit(
        "tender_create",
        user=user,
        obj=tender,
        tender=tender,
        client_address=client_address,
        details={"region": region.code, "procedure": procedure},
    )
    return tender


@transaction.atomic
def tender_update(
    *,
    tender: Tender,
    user,
    title: str,
    region: Region,
    procedure: str,
    deadline: datetime,
    standstill_days: int,
    objection_address: str | None = None,
    objection_email: str | None = None,
    court: str | None = None,
    admission_start: Any = KEEP,
    admission_end: Any = KEEP,
    plan_documents: str | None = None,
    client_address: str | None = None,
) -> Tender:
    """Change the tender's data (not its slug: the audit log and exports refer to it). A moved
    deadline of a public tender is mailed to the registered candidates and subscribers
    (``communication.tasks.announce_deadline_moved``, after commit)."""
    tender = lock_for_setup(tender, user)
    previous_deadline = tender.deadline
    # Callers that do not edit the admission period (the API, older screens) keep it.
    if admission_start is KEEP:
        admission_start = tender.admission_start
    if admission_end is KEEP:
        admission_end = tender.admission_end
    raise_first(
        tender_problems(
            title=title,
            region=region,
            procedure=procedure,
            deadline=deadline,
            standstill_days=standstill_days,
            tender=tender,
            admission_start=admission_start,
            admission_end=admission_end,
        )
        + choice(plan_documents or tender.plan_documents, PlanDocuments, "plan_documents")
    )
    changed = changes(
        tender,
        {
            "title": title.strip(),
            "region": region,
            "procedure": procedure,
            "deadline": deadline,
            "standstill_days": standstill_days,
            # The objection route printed on the decision letters (None: unchanged).
            "objection_address": tender.objection_address
            if objection_address is None
            else objection_address.strip(),
            "objection_email": tender.objection_email
            if objection_email is None
            else objection_email.strip(),
            "court": tender.court if court is None else court.strip(),
            # The Open House admission period (docs/rules.md, "Open House").
            "admission_start": admission_start,
            "admission_end": admission_end,
            "plan_documents": plan_documents or tender.plan_documents,
        },
    )
    save(tender, conflict_field="slug")
    audit(
        "tender_update",
        user=user,
        obj=tender,
        tender=tender,
        client_address=client_address,
        details={"changed": changed},
    )
    if "deadline" in changed and tender.is_public():
        enqueue(
            "communication.tasks.announce_deadline_moved",
            tender.pk,
            previous_deadline.isoformat(),
            tender.deadline.isoformat(),
        )
    return tender


# -- lots ---------------------------------------------------------------------------------


def lot_problems(
    *,
    tender: Tender,
    code: str,
    name: str,
    funding: str,
    municipalities: Iterable[str],
    lot: Lot | None = None,
) -> Problems:
    """``municipalities`` are CBS codes; each must belong to the tender's region."""
    problems = code_problems(code)
    if not problems and taken(Lot.objects.filter(tender=tender, code=code), lot):
        problems.append(
            ("code", _("Perceelcode %(code)s bestaat al in deze aanbesteding.") % {"code": code})
        )
    if blank(name):
        problems.append(("name", _("Vul een naam in.")))
    problems += choice(funding, Funding, "funding")
    codes = list(municipalities)
    if not codes:
        problems.append(("municipalities", _("Kies ten minste één deelnemende gemeente.")))
    known = set(tender.region.municipalities.filter(code__in=codes).values_list("code", flat=True))
    for municipality in codes:
        if municipality not in known:
            problems.append(
                (
                    "municipalities",
                    _("Gemeente %(code)s hoort niet bij regio %(region)s.")
                    % {"code": municipality, "region": tender.region.name},
                )
            )
    if len(set(codes)) != len(codes):
        problems.append(("municipalities", _("Een gemeente staat er meer dan eens in.")))
    return problems


def _set_municipalities(lot: Lot, codes: Iterable[str]) -> None:
    lot.municipalities.set(Municipality.objects.filter(code__in=list(codes)))


@transaction.atomic
def lot_create(
    *,
    tender: Tender,
    user,
    code: str,
    name: str,
    funding: str = Funding.LUMPSUM,
    municipalities: Iterable[str],
    position: int | None = None,
    client_address: str | None = None,
) -> Lot:
    tender = lock_for_setup(tender, user)
    codes = sorted(municipalities)
    raise_first(
        lot_problems(tender=tender, code=code, name=name, funding=funding, municipalities=codes)
    )
    if position is None:
        position = next_position(tender.lots.all())
    lot = Lot(tender=tender, code=code, name=name.strip(), funding=funding, position=position)
    save(lot)
    _set_municipalities(lot, codes)
    audit(
        "lot_create",
        user=user,
        obj=lot,
        tender=tender,
        client_address=client_address,
        details={"code": code, "municipalities": codes},
    )
    return lot


@transaction.atomic
def lot_update(
    *,
    lot: Lot,
    user,
    code: str,
    name: str,
    funding: str,
    municipalities: Iterable[str],
    position: int | None = None,
    client_address: str | None = None,
) -> Lot:
    tender = lock_for_setup(lot.tender, user)
    lot = Lot.objects.get(pk=lot.pk)
    codes = sorted(municipalities)
    raise_first(
        lot_problems(
            tender=tender, code=code, name=name, funding=funding, municipalities=codes, lot=lot
        )
    )
    before = sorted(lot.municipalities.values_list("code", flat=True))
    changed = changes(
        lot,
        {
            "code": code,
            "name": name.strip(),
            "funding": funding,
            "position": lot.position if position is None else position,
        },
    )
    save(lot)
    if before != codes:
        _set_municipalities(lot, codes)
        changed["municipalities"] = [before, codes]
    audit(
        "lot_update",
        user=user,
        obj=lot,
        tender=tender,
        client_address=client_address,
        details={"changed": changed},
    )
    return lot


@transaction.atomic
def lot_delete(*, lot: Lot, user, client_address: str | None = None) -> None:
    """Delete a lot with its segments, their subsegments, requirements and criteria."""
    tender = lock_for_setup(lot.tender, user)
    segments = sorted(lot.segments.values_list("code", flat=True))
    audit(
        "lot_delete",
        user=user,
        obj=lot,
        tender=tender,
        client_address=client_address,
        details={"code": lot.code, "segments": segments},
    )
    lot.delete()

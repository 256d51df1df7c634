"""Set-up services for segments and their subsegments."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from ...constants import PaymentRhythm
from ...models import (
    Lot,
    Segment,
    SubSegment,
    Tender,
)
from ._base import (
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

# -- segments -----------------------------------------------------------------------------


def segment_problems(
    *,
    tender: Tender,
    lot: Lot | None,
    code: str,
    name: str,
    places: int | None,
    award_places: int | None = None,
    min_total: Decimal | None = None,
    coverage_k: int | None = 1,
    specialisms: Iterable[str] = (),
    tariff: Decimal | None = None,
    budget: Decimal | None = None,
    payment: str = PaymentRhythm.MONTHLY,
    band: Decimal | None = None,
    segment: Segment | None = None,
) -> Problems:
    """``band`` is a fraction (0.05 for 5%)."""
    problems: Problems = []
    if lot is None or lot.tender_id != tender.pk:
        problems.append(("lot", _("Kies een perceel van deze aanbesteding.")))
    bad_code = code_problems(code)
    problems += bad_code
    if not bad_code and taken(Segment.objects.filter(tender=tender, code=code), segment):
        problems.append(
            ("code", _("Segmentcode %(code)s bestaat al in deze aanbesteding.") % {"code": code})
        )
    if blank(name):
        problems.append(("name", _("Vul een naam in.")))
    if places is None or places < 1:
        problems.append(("places", _("Het aantal plaatsen moet ten minste 1 zijn.")))
    if award_places is not None and award_places < 1:
        problems.append(
            (
                "award_places",
                _("Het aantal plaatsen in de gunningsfase moet ten minste 1 zijn, of leeg."),
            )
        )
    problems += not_negative(min_total, "min_total", _("De minimumscore"))
    if coverage_k is None:
        problems.append(("coverage_k", _("Vul dekking k in (0 = geen dekking per gemeente).")))
    else:
        problems += not_negative(coverage_k, "coverage_k", _("Dekking k"))
    seen: set[str] = set()
    for specialism in specialisms:
        if code_problems(specialism):
            problems.append(
                (
                    "specialisms",
                    _(
                        "Specialisme '%(code)s' is geen geldige code (letters, cijfers, '.', "
                        "'_' of '-'; scheid codes met komma's)."
                    )
                    % {"code": specialism},
                )
            )
        elif specialism in seen:
            problems.append(
                (
                    "specialisms",
                    _("Specialisme %(code)s staat er meer dan eens in.") % {"code": specialism},
                )
            )
        seen.add(specialism)
    problems += not_negative(tariff, "tariff", _("Het normtarief"))
    problems += not_negative(budget, "budget", _("Het budget"))
    problems += choice(payment, PaymentRhythm, "payment")
    if band is not None and not (0 <= band < 1):
        problems.append(
            (
                "band",
                _("De bandbreedte moet een fractie van 0 tot 1 zijn (bijvoorbeeld 0,05 voor 5%)."),
            )
        )
    return problems


def _segment_values(
    *,
    lot: Lot,
    code: str,
    name: str,
    places: int,
    award_places: int | None,
    min_total: Decimal | None,
    coverage_k: int,
    specialisms: Iterable[str],
    start_date: date | None,
    tariff: Decimal | None,
    budget: Decimal | None,
    payment: str,
    band: Decimal | None,
) -> dict:
    return {
        "lot": lot,
        "code": code,
        "name": name.strip(),
        "places": places,
        "award_places": award_places,
        "min_total": min_total,
        "coverage_k": coverage_k,
        "specialisms": list(specialisms),
        "start_date": start_date,
        "tariff": tariff,
        "budget": budget,
        "payment": payment,
        "band": band,
    }


@transaction.atomic
def segment_create(
    *,
    lot: Lot,
    user,
    code: str,
    name: str,
    places: int,
    award_places: int | None = None,
    min_total: Decimal | None = None,
    coverage_k: int = 1,
    specialisms: Iterable[str] = (),
    start_date: date | None = None,
    tariff: Decimal | None = None,
    budget: Decimal | None = None,
    payment: str = PaymentRhythm.MONTHLY,
    band: Decimal | None = None,
    client_address: str | None = None,
) -> Segment:
    tender = lock_for_setup(lot.tender, user)
    values = _segment_values(
        lot=lot,
        code=code,
        name=name,
        places=places,
        award_places=award_places,
        min_total=min_total,
        coverage_k=coverage_k,
        specialisms=specialisms,
        start_date=start_date,
        tariff=tariff,
        budget=budget,
        payment=payment,
        band=band,
    )
    checked = {k: v for k, v in values.items() if k != "start_date"}
    raise_first(segment_problems(tender=tender, **checked))
    segment = Segment(
        tender=tender, position=next_position(Segment.objects.filter(lot=lot)), **values
    )
    save(segment)
    audit(
        "segment_create",
        user=user,
        obj=segment,
        tender=tender,
        client_address=client_address,
        details={"code": code, "lot": lot.code},
    )
    return segment


@transaction.atomic
def segment_update(
    *,
    segment: Segment,
    user,
    lot: Lot,
    code: str,
    name: str,
    places: int,
    award_places: int | None,
    min_total: Decimal | None,
    coverage_k: int,
    specialisms: Iterable[str],
    start_date: date | None,
    tariff: Decimal | None,
    budget: Decimal | None,
    payment: str,
    band: Decimal | None,
    client_address: str | None = None,
) -> Segment:
    tender = lock_for_setup(segment.tender, user)
    segment = Segment.objects.get(pk=segment.pk)
    values = _segment_values(
        lot=lot,
        code=code,
        name=name,
        places=places,
        award_places=award_places,
        min_total=min_total,
        coverage_k=coverage_k,
        specialisms=specialisms,
        start_date=start_date,
        tariff=tariff,
        budget=budget,
        payment=payment,
        band=band,
    )
    checked = {k: v for k, v in values.items() if k != "start_date"}
    raise_first(segment_problems(tender=tender, segment=segment, **checked))
    changed = changes(segment, values)
    save(segment)
    audit(
        "segment_update",
        user=user,
        obj=segment,
        tender=tender,
        client_address=client_address,
        details={"changed": changed},
    )
    return segment


@transaction.atomic
def segment_delete(*, segment: Segment, user, client_address: str | None = None) -> None:
    """Delete a segment with its subsegments, segment requirements and criteria."""
    tender = lock_for_setup(segment.tender, user)
    audit(
        "segment_delete",
        user=user,
        obj=segment,
        tender=tender,
        client_address=client_address,
        details={"code": segment.code},
    )
    segment.delete()


# -- subsegments --------------------------------------------------------------------------


def subsegment_problems(
    *, segment: Segment, code: str, subsegment: SubSegment | None = None
) -> Problems:
    problems = code_problems(code)
    if not problems and taken(SubSegment.objects.filter(segment=segment, code=code), subsegment):
        problems.append(
            ("code", _("Subsegmentcode %(code)s bestaat al in dit segment.") % {"code": code})
        )
    return problems


@transaction.atomic
def subsegment_create(
    *, segment: Segment, user, code: str, name: str = "", client_address: str | None = None
) -> SubSegment:
    tender = lock_for_setup(segment.tender, user)
    raise_first(subsegment_problems(segment=segment, code=code))
    subsegment = SubSegment(segment=segment, code=code, name=(name or "").strip())
    save(subsegment)
    audit(
        "subsegment_create",
        user=user,
        obj=subsegment,
        tender=tender,
        client_address=client_address,
        details={"code": code, "segment": segment.code},
    )
    return subsegment


@transaction.atomic
def subsegment_update(
    *, subsegment: SubSegment, user, code: str, name: str, client_address: str | None = None
) -> SubSegment:
    tender = lock_for_setup(subsegment.segment.tender, user)
    raise_first(subsegment_problems(segment=subsegment.segment, code=code, subsegment=subsegment))
    changed = changes(subsegment, {"code": code, "name": (name or "").strip()})
    save(subsegment)
    audit(
        "subsegment_update",
        user=user,
        obj=subsegment,
        tender=tender,
        client_address=client_address,
        details={"changed": changed},
    )
    return subsegment


@transaction.atomic
def subsegment_delete(*, subsegment: SubSegment, user, client_address: str | None = None) -> None:
    tender = lock_for_setup(subsegment.segment.tender, user)
    audit(
        "subsegment_delete",
        user=user,
        obj=subsegment,
        tender=tender,
        client_address=client_address,
        details={"code": subsegment.code, "segment": subsegment.segment.code},
    )
    subsegment.delete()

"""Set-up services for requirements (general and per segment) and criteria."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from ...constants import Phase, RequirementBinds
from ...models import (
    Criterion,
    Requirement,
    Segment,
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

# -- requirements -------------------------------------------------------------------------


def requirement_problems(
    *,
    tender: Tender,
    segment: Segment | None,
    code: str,
    text: str,
    requirement: Requirement | None = None,
    phase: str = Phase.SELECTION,
    binds: str = RequirementBinds.BIDDER,
) -> Problems:
    """``segment`` None makes a general requirement (for every segment); ``phase`` is the round
    whose ranking checks it (DOMAIN.md ranking rules 2 and 7)."""
    problems: Problems = []
    problems += choice(phase, Phase, "phase")
    problems += choice(binds, RequirementBinds, "binds")
    if segment is not None and segment.tender_id != tender.pk:
        problems.append(("segment", _("Kies een segment van deze aanbesteding.")))
    bad_code = code_problems(code)
    problems += bad_code
    if not bad_code and taken(Requirement.objects.filter(tender=tender, code=code), requirement):
        problems.append(
            ("code", _("Eiscode %(code)s bestaat al in deze aanbesteding.") % {"code": code})
        )
    if blank(text):
        problems.append(("text", _("Vul de tekst van de eis in.")))
    return problems


@transaction.atomic
def requirement_create(
    *,
    tender: Tender,
    user,
    code: str,
    text: str,
    segment: Segment | None = None,
    phase: str = Phase.SELECTION,
    binds: str = RequirementBinds.BIDDER,
    position: int | None = None,
    client_address: str | None = None,
) -> Requirement:
    tender = lock_for_setup(tender, user)
    raise_first(
        requirement_problems(
            tender=tender, segment=segment, code=code, text=text, phase=phase, binds=binds
        )
    )
    if position is None:
        position = next_position(tender.requirements.all())
    requirement = Requirement(
        tender=tender,
        segment=segment,
        code=code,
        text=text.strip(),
        phase=phase,
        binds=binds,
        position=position,
    )
    save(requirement)
    audit(
        "requirement_create",
        user=user,
        obj=requirement,
        tender=tender,
        client_address=client_address,
        details={
            "code": code,
            "segment": segment.code if segment else None,
            "phase": phase,
            "binds": binds,
        },
    )
    return requirement


@transaction.atomic
def requirement_update(
    *,
    requirement: Requirement,
    user,
    code: str,
    text: str,
    segment: Segment | None,
    phase: str | None = None,
    binds: str | None = None,
    position: int | None = None,
    client_address: str | None = None,
) -> Requirement:
    """``phase`` and ``binds`` None keep the requirement's."""
    tender = lock_for_setup(requirement.tender, user)
    requirement = Requirement.objects.get(pk=requirement.pk)
    phase = requirement.phase if phase is None else phase
    binds = requirement.binds if binds is None else binds
    raise_first(
        requirement_problems(
            tender=tender,
            segment=segment,
            code=code,
            text=text,
            requirement=requirement,
            phase=phase,
            binds=binds,
        )
    )
    changed = changes(
        requirement,
        {
            "code": code,
            "text": text.strip(),
            "segment": segment,
            "phase": phase,
            "binds": binds,
            "position": requirement.position if position is None else position,
        },
    )
    save(requirement)
    audit(
        "requirement_update",
        user=user,
        obj=requirement,
        tender=tender,
        client_address=client_address,
        details={"changed": changed},
    )
    return requirement


@transaction.atomic
def requirement_delete(
    *, requirement: Requirement, user, client_address: str | None = None
) -> None:
    tender = lock_for_setup(requirement.tender, user)
    audit(
        "requirement_delete",
        user=user,
        obj=requirement,
        tender=tender,
        client_address=client_address,
        details={"code": requirement.code},
    )
    requirement.delete()


# -- criteria -----------------------------------------------------------------------------


def criterion_problems(
    *,
    segment: Segment,
    code: str,
    name: str,
    phase: str,
    max_points: Decimal | None,
    min_level: Decimal | None = None,
    position: int | None = None,
    criterion: Criterion | None = None,
) -> Problems:
    problems = code_problems(code)
    if not problems and taken(Criterion.objects.filter(segment=segment, code=code), criterion):
        problems.append(
            ("code", _("Criteriumcode %(code)s bestaat al in dit segment.") % {"code": code})
        )
    if blank(name):
        problems.append(("name", _("Vul een naam in.")))
    problems += choice(phase, Phase, "phase")
    if max_points is None or max_points <= 0:
        problems.append(("max_points", _("Het maximale aantal punten moet groter dan 0 zijn.")))
    if min_level is not None and not (0 <= min_level <= 1):
        problems.append(
            ("min_level", _("Het minimumniveau moet tussen 0 en 1 liggen (bijvoorbeeld 0,5)."))
        )
    problems += not_negative(position, "position", _("De volgorde"))
    return problems


@transaction.atomic
def criterion_create(
    *,
    segment: Segment,
    user,
    code: str,
    name: str,
    phase: str,
    max_points: Decimal,
    min_level: Decimal | None = None,
    position: int | None = None,
    level_descriptors: str = "",
    client_address: str | None = None,
) -> Criterion:
    tender = lock_for_setup(segment.tender, user)
    raise_first(
        criterion_problems(
            segment=segment,
            code=code,
            name=name,
            phase=phase,
            max_points=max_points,
            min_level=min_level,
            position=position,
        )
    )
    if position is None:
        position = next_position(segment.criteria.all())
    criterion = Criterion(
        segment=segment,
        code=code,
        name=name.strip(),
        phase=phase,
        max_points=max_points,
        min_level=min_level,
        position=position,
        level_descriptors=(level_descriptors or "").strip(),
    )
    save(criterion)
    audit(
        "criterion_create",
        user=user,
        obj=criterion,
        tender=tender,
        client_address=client_address,
        details={"code": code, "segment": segment.code, "phase": phase},
    )
    return criterion


@transaction.atomic
def criterion_update(
    *,
    criterion: Criterion,
    user,
    code: str,
    name: str,
    phase: str,
    max_points: Decimal,
    min_level: Decimal | None,
    position: int | None = None,
    level_descriptors: str | None = None,
    client_address: str | None = None,
) -> Criterion:
    tender = lock_for_setup(criterion.segment.tender, user)
    criterion = Criterion.objects.select_related("segment").get(pk=criterion.pk)
    raise_first(
        criterion_problems(
            segment=criterion.segment,
            code=code,
            name=name,
            phase=phase,
            max_points=max_points,
            min_level=min_level,
            position=position,
            criterion=criterion,
        )
    )
    changed = changes(
        criterion,
        {
            "code": code,
            "name": name.strip(),
            "phase": phase,
            "max_points": max_points,
            "min_level": min_level,
            "position": criterion.position if position is None else position,
            "level_descriptors": criterion.level_descriptors
            if level_descriptors is None
            else level_descriptors.strip(),
        },
    )
    save(criterion)
    audit(
        "criterion_update",
        user=user,
        obj=criterion,
        tender=tender,
        client_address=client_address,
        details={"changed": changed},
    )
    return criterion


@transaction.atomic
def criterion_delete(*, criterion: Criterion, user, client_address: str | None = None) -> None:
    tender = lock_for_setup(criterion.segment.tender, user)
    audit(
        "criterion_delete",
        user=user,
        obj=criterion,
        tender=tender,
        client_address=client_address,
        details={"code": criterion.code, "segment": criterion.segment.code},
    )
    criterion.delete()

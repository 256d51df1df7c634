"""Writing the set-up of a tender: the tender itself, its lots, segments, subsegments,
requirements and criteria.

Every write service is one transaction that

1. locks the tender row (set-up changes of one tender queue, so the code checks below cannot
   race) and checks ``tender.permissions.setup_refusal`` (who, and in which state);
2. validates the input with the matching ``*_problems`` function: every problem is a
   ``(field, Dutch message)`` pair; the first one is raised as ``ApplicationError``;
3. saves after ``full_clean()``, with the database constraints as a backstop;
4. writes the audit log.

Forms and API serializers call the same ``*_problems`` functions to show every problem at once;
the services stay the authority. Codes are unique per tender for lots, segments and
requirements (general and segment requirements share one namespace), per segment for criteria
and subsegments (``docs/rules.md``, "Scenario files").

The package is split by entity; import from here.
"""

from ._base import SLUG_PATTERN, Problems
from .criteria import (
    criterion_create,
    criterion_delete,
    criterion_problems,
    criterion_update,
    requirement_create,
    requirement_delete,
    requirement_problems,
    requirement_update,
)
from .regions import (
    municipality_problems,
    region_create,
    region_problems,
    region_update,
)
from .segments import (
    segment_create,
    segment_delete,
    segment_problems,
    segment_update,
    subsegment_create,
    subsegment_delete,
    subsegment_problems,
    subsegment_update,
)
from .tenders import (
    lot_create,
    lot_delete,
    lot_problems,
    lot_update,
    tender_create,
    tender_problems,
    tender_update,
)

__all__ = [
    "SLUG_PATTERN",
    "Problems",
    "tender_problems",
    "tender_create",
    "tender_update",
    "lot_problems",
    "lot_create",
    "lot_update",
    "lot_delete",
    "segment_problems",
    "segment_create",
    "segment_update",
    "segment_delete",
    "subsegment_problems",
    "subsegment_create",
    "subsegment_update",
    "subsegment_delete",
    "requirement_problems",
    "requirement_create",
    "requirement_update",
    "requirement_delete",
    "criterion_problems",
    "criterion_create",
    "criterion_update",
    "criterion_delete",
    "region_problems",
    "municipality_problems",
    "region_create",
    "region_update",
]

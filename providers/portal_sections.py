"""Parts of the provider's tender page (``portal-tender``) that apps above ``providers``
contribute: communication adds the own questions, notas and session registrations, evaluation
the own results. Each registers in its ``AppConfig.ready``, so this app imports none of them.

A section is ``fn(*, tender, organisation) -> value`` under a context key; an action handles
a POST to the page with ``action=<name>``: ``fn(request, *, tender, organisation)``.
"""

from collections.abc import Callable
from typing import Any

Section = Callable[..., Any]
Action = Callable[..., None]

_sections: dict[str, Section] = {}
_actions: dict[str, Action] = {}


def register_tender_section(key: str, section: Section) -> None:
    _sections[key] = section


def register_tender_action(name: str, action: Action) -> None:
    _actions[name] = action


def tender_section(key: str, *, tender, organisation, default=None):
    """The value of one section, or ``default`` when no app contributes it."""
    section = _sections.get(key)
    return default if section is None else section(tender=tender, organisation=organisation)


def tender_sections(*, tender, organisation) -> dict[str, Any]:
    """Every contributed section, by key (the template's context)."""
    return {
        key: section(tender=tender, organisation=organisation) for key, section in _sections.items()
    }


def tender_action(name: str) -> Action | None:
    return _actions.get(name)

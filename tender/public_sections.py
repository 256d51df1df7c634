"""Parts of the public tender page (``public-tender``) that apps other than ``communication``
contribute: evaluation adds the award notice. Each registers in its ``AppConfig.ready``, so
``communication`` imports none of them (they are siblings or above it).

A section is ``fn(*, tender) -> value`` under a context key; it must read a fixed number of
queries, whatever the tender holds (the page's query count is pinned in a test).
"""

from collections.abc import Callable
from typing import Any

Section = Callable[..., Any]

_sections: dict[str, Section] = {}


def register_public_section(key: str, section: Section) -> None:
    _sections[key] = section


def public_sections(*, tender) -> dict[str, Any]:
    """Every contributed section, by key (the template's context)."""
    return {key: section(tender=tender) for key, section in _sections.items()}

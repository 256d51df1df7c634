"""Entries about sealed bids: kept in the chain with every detail, shown nowhere before the
opening.

A bid's entries (who uploaded which file, of what size and hash, for which municipalities; who
sealed) are written when they happen, inside the chain, so the hash chain covers them and
``verify_audit`` checks them like any other. Before the opening of the tender (EU Directive
2014/24, Annex IV) nobody may learn from them who bid or what, administrators included, so every
display path (the admin's audit log, any audit screen or export) reads entries through
``visible_entries``, which leaves those entries out until the opening.

The audit app is the lowest app: it knows neither tenders nor bids. The app that writes such
entries registers which they are and when they become readable (``register_sealed_entries``, in
its ``AppConfig.ready``): ``providers`` for its submission, UEA and combination entries,
``evaluation`` for its ranking entries.
"""

from collections.abc import Callable

from django.db.models import QuerySet

#: ``(entries) -> entries`` without those still sealed.
SealedFilter = Callable[[QuerySet], QuerySet]

_filters: list[tuple[SealedFilter, tuple[str, ...]]] = []


def register_sealed_entries(hide: SealedFilter, *, prefixes: tuple[str, ...] = ()) -> None:
    """Register ``hide``, which drops the entries still sealed from a queryset of entries.
    ``prefixes``: how the actions of the entries it may drop begin, where it knows (it then
    stays out of the query of a reader of one other action); empty: any action."""
    if (hide, prefixes) not in _filters:
        _filters.append((hide, prefixes))


def visible_entries(entries: QuerySet, *, action: str | None = None) -> QuerySet:
    """``entries`` without those about bids that are still sealed. ``action``: the one action
    ``entries`` are filtered on, where they are; the filters about other actions are then
    left out (each is a few subqueries to build and plan)."""
    for hide, prefixes in _filters:
        if action is not None and prefixes and not action.startswith(prefixes):
            continue
        entries = hide(entries)
    return entries

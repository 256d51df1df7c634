"""Reading organisations: the one a provider user acts for, and the tenders of the portal."""

from collections.abc import Callable

from django.db.models import Q, QuerySet

from accounts.permissions import is_provider
from tender.constants import ROUND_OPENED_STATES, TenderState
from tender.models import Tender

from .models import Organisation, OrganisationMembership


def organisation_of(user) -> Organisation | None:
    """The organisation a provider user acts for, or None (not a provider, or not linked)."""
    if not is_provider(user):
        return None
    membership = (
        OrganisationMembership.objects.select_related("organisation").filter(user=user).first()
    )
    return membership.organisation if membership else None


def portal_tenders() -> QuerySet[Tender]:
    """Tenders a provider can see in the portal: every tender that has been published
    (drafts never), newest deadline first."""
    return Tender.objects.public().select_related("region").order_by("-deadline", "slug")


#: Audit actions about a bid (or the forming of one): sealed until the opening.
SEALED_AUDIT_ACTIONS = ("submission.", "uea.", "combination.")


def sealed_audit_entries(prefixes: tuple[str, ...]) -> Callable[[QuerySet], QuerySet]:
    """A filter for ``audit.sealing``: it drops the audit entries whose action starts with one
    of ``prefixes`` and whose tender's bids are not readable yet (``Tender.bids_readable``);
    such an entry without a readable tender (none named, or deleted) stays hidden too."""
    about_bids = Q()
    for prefix in prefixes:
        about_bids |= Q(action__startswith=prefix)

    def hide(entries: QuerySet) -> QuerySet:
        readable = Tender.objects.bids_readable().values("slug")
        entries = entries.exclude(about_bids & ~Q(tender_slug__in=readable))
        # Per round: an entry about a submission of a round not opened yet (the offers of a
        # restricted tender whose requests are open) stays hidden too.
        for round_, states in ROUND_OPENED_STATES.items():
            sealed = Tender.objects.exclude(state__in=[*states, TenderState.DRAFT]).values("slug")
            # A subquery: a positive filter, so an entry without a round in its details
            # (NULL in SQL) is never dropped by it, as it would be by a negated condition.
            still_sealed = entries.model.objects.filter(
                about_bids, details__round=round_, tender_slug__in=sealed
            ).values("pk")
            entries = entries.exclude(pk__in=still_sealed)
        return entries

    return hide


def with_bidder_label(queryset: QuerySet, path: str = "") -> QuerySet:
    """``queryset`` with what ``{{ submission|bidder_label }}`` reads, for the submissions at
    ``path`` (e.g. ``"dossier__submission__"``): the bidder, the combination with its lead and
    its members, in a fixed number of queries whatever the length of the list."""
    return queryset.select_related(f"{path}bidder", f"{path}combination__lead").prefetch_related(
        f"{path}combination__combinationmember_set__organisation"
    )


def bidder_label(submission) -> str:
    """The bidder as every staff list and document names it: the combination's display name
    ("Combinatie X (penvoerder A, leden B, C)") where the submission is a combination's, else
    the organisation's name. Lists load it with ``with_bidder_label``."""
    if submission.combination_id:
        return submission.combination.display_name
    return submission.bidder.name

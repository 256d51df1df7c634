"""Reads of the provider portal: an organisation's combinations and UEA status,
always scoped to one organisation. Also the interface the submission part uses:
``combination_of``, ``combination_is_complete``, ``uea_status``."""

from django.db.models import Prefetch, Q, QuerySet

from tender.models import Tender

from .envelopes import uea_unseal
from .models import (
    Combination,
    CombinationMember,
    Organisation,
    OrganisationInvitation,
    OrganisationMembership,
    UEADeclaration,
)


def _members_prefetch():
    return Prefetch(
        "combinationmember_set",
        queryset=CombinationMember.objects.select_related("organisation").order_by(
            "organisation__name"
        ),
        to_attr="member_rows",
    )


def combination_of(*, tender: Tender, organisation: Organisation) -> Combination | None:
    """The combination ``organisation`` bids in for ``tender``: the one it leads, or the one
    it is a confirmed member of; None when it bids alone (or not at all). Members (with
    ``member_rows``) and the lead are loaded along."""
    return combinations_of([(tender.pk, organisation.pk)])[(tender.pk, organisation.pk)]


def combinations_of(pairs) -> dict[tuple[int, int], Combination | None]:
    """``combination_of`` for many (tender id, organisation id) pairs, in two queries: per
    pair the first (by id) combination of the tender that the organisation leads or is a
    confirmed member of."""
    pairs = list(pairs)
    if not pairs:
        return {}
    tender_ids = {t for t, _ in pairs}
    organisation_ids = {o for _, o in pairs}
    combinations = list(
        Combination.objects.filter(tender_id__in=tender_ids)
        .filter(
            Q(lead_id__in=organisation_ids)
            | Q(
                combinationmember__organisation_id__in=organisation_ids,
                combinationmember__confirmed_at__isnull=False,
            )
        )
        .select_related("lead", "tender")
        .prefetch_related(_members_prefetch())
        .distinct()
        .order_by("pk")
    )

    def takes_part(combination: Combination, organisation_id: int) -> bool:
        return combination.lead_id == organisation_id or any(
            row.organisation_id == organisation_id and row.confirmed_at is not None
            for row in combination.member_rows
        )

    return {
        (t, o): next(
            (c for c in combinations if c.tender_id == t and takes_part(c, o)),
            None,
        )
        for t, o in pairs
    }


def combination_is_complete(combination: Combination) -> bool:
    """Every invited member has confirmed and there is at least one (a combination of the
    lead alone is no combination). Declined members still listed make it incomplete: the
    lead removes them."""
    rows = getattr(combination, "member_rows", None)
    if rows is None:
        rows = list(combination.combinationmember_set.all())
    return bool(rows) and all(row.confirmed_at is not None for row in rows)


def combination_invitations(*, tender: Tender, organisation: Organisation) -> list:
    """Pending invitations of ``organisation`` into combinations of ``tender``."""
    return list(
        CombinationMember.objects.filter(
            combination__tender=tender,
            organisation=organisation,
            confirmed_at__isnull=True,
            declined_at__isnull=True,
        ).select_related("combination__lead")
    )


def uea_status(*, tender: Tender, organisation_ids) -> dict[int, bool]:
    """Per organisation id: whether its UEA for ``tender`` is signed."""
    ids = list(organisation_ids)
    signed = set(
        UEADeclaration.objects.filter(
            tender=tender, organisation_id__in=ids, signed_at__isnull=False
        ).values_list("organisation_id", flat=True)
    )
    return {pk: pk in signed for pk in ids}


def uea_of(*, tender: Tender, organisation: Organisation) -> UEADeclaration | None:
    """The organisation's own UEA, its sealed content unsealed in memory."""
    declaration = (
        UEADeclaration.objects.filter(tender=tender, organisation=organisation)
        .select_related("tender__region", "organisation")
        .first()
    )
    return uea_unseal(declaration) if declaration is not None else None


def members_of(organisation: Organisation) -> QuerySet[OrganisationMembership]:
    return (
        OrganisationMembership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("-is_admin", "user__last_name", "user__username")
    )


def invitations_of(organisation: Organisation) -> QuerySet[OrganisationInvitation]:
    return OrganisationInvitation.objects.filter(organisation=organisation).order_by(
        "-created_at", "-pk"
    )


def combinations_visible_to(organisation: Organisation | None) -> QuerySet[Combination]:
    """Combinations ``organisation`` leads or is invited into (any state)."""
    if organisation is None:
        return Combination.objects.none()
    return (
        Combination.objects.filter(
            Q(lead=organisation) | Q(combinationmember__organisation=organisation)
        )
        .select_related("lead", "tender")
        .prefetch_related(_members_prefetch())
        .distinct()
        .order_by("tender__slug", "pk")
    )


def combination_members_visible_to(
    organisation: Organisation | None,
) -> QuerySet[CombinationMember]:
    """Member rows of combinations ``organisation`` leads, and its own invitations."""
    if organisation is None:
        return CombinationMember.objects.none()
    return CombinationMember.objects.filter(
        Q(combination__lead=organisation) | Q(organisation=organisation)
    ).select_related("combination__tender", "combination__lead", "organisation")

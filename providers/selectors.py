"""Reading organisations: the one a provider user acts for, and the tenders of the portal."""

from django.db.models import QuerySet

from accounts.permissions import is_provider
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

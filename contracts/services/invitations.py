"""Between the rounds of the restricted procedure (DOMAIN.md, "Procedures"; docs/rules.md,
"Rounds"): per segment, once its selection standstill ended without an open objection against
the selection, the candidates the final selection ranking selected for it are invited to hand
in an offer (round 2): an ``OfferInvitation`` each (the portal shows it, and round 2 opens only
for the invited) and a mail to every member of the candidate (all members of a combination)
with the round-2 deadline and the tender's documents."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from communication.models import TenderDocument
from communication.selectors import published_documents
from evaluation.models import RankingRow
from evaluation.selectors import SELECTED_STATUSES, final_ranking
from providers.models import Combination, OfferInvitation, Organisation
from tender.constants import Phase, Procedure, TenderState
from tender.errors import ApplicationError
from tender.models import Segment, Tender
from tender.services.mail import absolute_url, local_display, mail_after_commit, mail_render

from ..award_models import BLOCKING_OBJECTIONS, Objection, SelectionStandstill
from .awards import display_moment

#: What an invited candidate may read of the library: everything but the staff's own.
CANDIDATE_AUDIENCES = {
    TenderDocument.Audience.PUBLIC,
    TenderDocument.Audience.REGISTERED,
    TenderDocument.Audience.INVITED,
}

#: While the invitations may go out: the selection standstill and round 2 itself (a segment
#: held up by an objection is invited later, while the other segments' offers are written).
INVITING_STATES = frozenset({TenderState.SELECTION_STANDSTILL, TenderState.OFFERS_OPEN})


def invitation_refusal(*, segment: Segment, now=None) -> str | None:
    """Why the selected of ``segment`` cannot be invited now (Dutch), or None."""
    now = now or timezone.now()
    tender = segment.tender
    if tender.procedure != Procedure.RESTRICTED:
        return _("Alleen de niet-openbare procedure kent een uitnodiging tot inschrijving.")
    if tender.state not in INVITING_STATES:
        return _("Uitnodigen kan na de selectiebeslissing (status nu: %(s)s).") % {
            "s": tender.get_state_display()
        }
    standstill = SelectionStandstill.objects.filter(segment=segment).first()
    if standstill is None:
        return _("Voor dit segment is geen selectiebeslissing verstuurd.")
    if standstill.invited_at is not None:
        return _("De geselecteerden voor dit segment zijn al uitgenodigd.")
    if standstill.ends_at > now:
        return _("De opschortende termijn van de selectie loopt tot %(end)s.") % {
            "end": display_moment(standstill.ends_at)
        }
    if (
        Objection.objects.filter(segment=segment, phase=Phase.SELECTION)
        .filter(BLOCKING_OBJECTIONS)
        .exists()
    ):
        return _(
            "Er loopt een bezwaar tegen de selectie voor dit segment, of een gegrond bezwaar "
            "wacht op de gecorrigeerde brieven."
        )
    if tender.deadline_passed(now, "offer"):
        return _(
            "Stel eerst een sluitingstermijn voor de inschrijvingen in die in de toekomst ligt."
        )
    return None


def selected_of(*, segment: Segment) -> list[Organisation]:
    """The candidates selected for ``segment`` in the final selection ranking."""
    ranking = final_ranking(tender=segment.tender, phase=Phase.SELECTION)
    if ranking is None:
        return []
    kvks = RankingRow.objects.filter(
        ranking=ranking, segment=segment, status__in=SELECTED_STATUSES
    ).values_list("bidder_kvk", flat=True)
    return list(Organisation.objects.filter(kvk__in=list(kvks)).order_by("name", "kvk"))


def _recipients(tender: Tender, organisation: Organisation) -> list[str]:
    """Every active user of the candidate and, for a combination, of each confirmed member."""
    organisations = [organisation.pk]
    combination = Combination.objects.filter(tender=tender, lead=organisation).first()
    if combination is not None:
        organisations += list(
            combination.combinationmember_set.filter(confirmed_at__isnull=False).values_list(
                "organisation_id", flat=True
            )
        )
    emails = (
        get_user_model()
        .objects.filter(organisation_membership__organisation__in=organisations, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted(set(emails))


@transaction.atomic
def offers_invite(
    *, segment: Segment, user, base_url: str = "", client_address: str | None = None
) -> list[OfferInvitation]:
    """Invite the selected candidates of ``segment`` to round 2; refused (ApplicationError)
    before its selection standstill ended, while an objection against the selection is open,
    and without a future round-2 deadline. Audited; the mails go after commit."""
    tender = Tender.objects.select_for_update().get(pk=segment.tender_id)
    segment = Segment.objects.select_related("tender").get(pk=segment.pk)
    if reason := invitation_refusal(segment=segment):
        raise ApplicationError(reason, field="segment")
    candidates = selected_of(segment=segment)
    invitations = [
        OfferInvitation.objects.create(
            tender=tender, segment=segment, organisation=candidate, invited_by=user
        )
        for candidate in candidates
    ]
    SelectionStandstill.objects.filter(segment=segment).update(
        invited_at=timezone.now(), invited_by=user
    )
    url = absolute_url(reverse("portal-tender", args=[tender.slug]), base_url)
    documents = [
        d.title
        for d in published_documents(tender, CANDIDATE_AUDIENCES).order_by("title")
        if not d.superseded
    ]
    mail_after_commit(
        mail_render(
            "offer_invitation",
            {
                "tender": tender,
                "segment": segment,
                "organisation": invitation.organisation,
                "deadline": local_display(tender.offers_deadline),
                "documents": documents,
                "url": url,
            },
            address,
        )
        for invitation in invitations
        for address in _recipients(tender, invitation.organisation)
    )
    audit_record(
        action="award.offers_invite",
        actor=user,
        obj=segment,
        tender=tender,
        client_address=client_address,
        details={"segment": segment.code, "invited": [c.kvk for c in candidates]},
    )
    return invitations


def offers_need_an_invitation(tender: Tender) -> str | None:
    """Guard of 'start_offers' for the restricted procedure: some segment's selected
    candidates are invited (round 2 opens for them only)."""
    if tender.procedure != Procedure.RESTRICTED:
        return None
    if not OfferInvitation.objects.filter(tender=tender).exists():
        return _("Nodig eerst de geselecteerden van minstens één segment uit tot inschrijving.")
    return None

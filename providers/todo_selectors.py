"""Start page lines of a provider (issue 18.1): the tenders open for submissions in which it
has no sealed submission yet, its drafts with their deadline and checklist state ("3 van 7
onderdelen klaar", "klaar om in te dienen"; the portal's own checklist, read for all drafts at
once: ``submission_checklists``), and its invitations to submit an offer. A fixed number of
queries, whatever the number of tenders and drafts."""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.todos import Todo
from tender.constants import SUBMISSIONS_WRITABLE_STATES, Procedure, TenderState

from .constants import SubmissionState
from .models import OfferInvitation, Organisation, Submission
from .selectors import portal_tenders
from .submission_selectors import checklist_missing, submission_checklists, submission_details


def provider_todos(*, organisation: Organisation) -> list[Todo]:
    todos = []
    drafts = submission_details(
        Submission.objects.filter(
            bidder=organisation,
            state=SubmissionState.DRAFT,
            tender__state__in=SUBMISSIONS_WRITABLE_STATES,
        ).order_by("tender__deadline", "tender__slug")
    )
    checklists = submission_checklists(drafts)
    for draft in drafts:
        checklist = checklists[draft.pk]
        done = len(checklist) - len(checklist_missing(checklist))
        todos.append(
            Todo(
                subject=draft.tender.title,
                action=_("Concept versie %(version)s afmaken en indienen")
                % {"version": draft.version},
                url=reverse("portal-submission", args=[draft.tender.slug]),
                step=draft.tender.get_state_display(),
                due=draft.tender.current_deadline,
                note=(
                    _("klaar om in te dienen")
                    if done == len(checklist)
                    else _("%(done)s van %(total)s onderdelen klaar")
                    % {"done": done, "total": len(checklist)}
                ),
            )
        )
    drafted = {d.tender_id for d in drafts}
    invitations = (
        OfferInvitation.objects.filter(organisation=organisation)
        .filter(tender__state__in=SUBMISSIONS_WRITABLE_STATES)
        .exclude(tender_id__in=drafted)
        .select_related("tender")
        .order_by("tender__offers_deadline", "tender__slug", "segment__code")
    )
    invited = set()
    for invitation in invitations:
        if invitation.tender_id in invited:
            continue
        invited.add(invitation.tender_id)
        todos.append(
            Todo(
                subject=invitation.tender.title,
                action=_("Uitnodiging: schrijf in voor de tweede ronde"),
                url=reverse("portal-submission", args=[invitation.tender.slug]),
                step=invitation.tender.get_state_display(),
                due=invitation.tender.current_deadline,
            )
        )
    sealed = Submission.objects.filter(
        tender=OuterRef("pk"), bidder=organisation, state=SubmissionState.SEALED, is_current=True
    )
    open_tenders = (
        portal_tenders()
        .filter(state__in=SUBMISSIONS_WRITABLE_STATES)
        .exclude(pk__in=drafted | invited)
        .filter(~Exists(sealed))
        # round 2 of the restricted procedure is for the invited only (above)
        .exclude(procedure=Procedure.RESTRICTED, state=TenderState.OFFERS_OPEN)
        .order_by("deadline", "slug")
    )
    for tender in open_tenders:
        if tender.writable_round() is None:
            continue
        todos.append(
            Todo(
                subject=tender.title,
                action=_("Open voor inschrijving"),
                url=reverse("portal-tender", args=[tender.slug]),
                step=tender.get_state_display(),
                due=tender.current_deadline,
            )
        )
    return todos

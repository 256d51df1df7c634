"""Questions of bidders and their answers; the notas that publish them are in ``notas.py``."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.ratelimit import rate_limit
from providers.models import Organisation
from providers.permissions import can_act_for_organisation
from providers.submission_selectors import round_admits
from tender.constants import QUESTION_STATES
from tender.errors import ApplicationError
from tender.models import Lot, Segment, Tender

from ..models import Question
from ..permissions import can_manage_tender_communication


@transaction.atomic
def question_ask(
    *,
    tender: Tender,
    organisation: Organisation,
    user,
    text: str,
    lot: Lot | None = None,
    segment: Segment | None = None,
    client_address: str | None = None,
) -> Question:
    """A bidder asks a question, optionally about one lot or segment (a segment implies its
    lot). Accepted during the market consultation and while the tender is published or open
    for submissions, until the deadline. Other bidders never learn who asked: the nota (or
    the consultation report) shows the question only.
    Rate-limited per client address and user (``accounts.ratelimit.RateLimited``)."""
    if not can_act_for_organisation(user, organisation.pk):
        raise ApplicationError(_("Alleen een zorgaanbieder kan vragen stellen."))
    rate_limit("question", address=client_address, account=user)
    now = timezone.now()
    if not round_admits(
        tender=tender, organisation=organisation, round=tender.writable_round() or ""
    ):
        # Round 2 of the restricted procedure: only the invited candidates ask.
        raise ApplicationError(_("Uw organisatie is niet uitgenodigd voor deze ronde."))
    if tender.state not in QUESTION_STATES or tender.deadline_passed(now):
        raise ApplicationError(
            _(
                "Vragen stellen kan alleen bij een gepubliceerde aanbesteding, "
                "tot de sluitingstermijn."
            )
        )
    if segment is not None:
        if segment.tender_id != tender.pk or (lot is not None and segment.lot_id != lot.pk):
            raise ApplicationError(_("Kies een segment van deze aanbesteding."), field="segment")
        lot = segment.lot
    if lot is not None and lot.tender_id != tender.pk:
        raise ApplicationError(_("Kies een perceel van deze aanbesteding."), field="lot")
    question = Question(
        tender=tender,
        organisation=organisation,
        asked_by=user,
        lot=lot,
        segment=segment,
        text=text.strip(),
        asked_at=now,
    )
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def question_answer(
    *, question: Question, user, answer: str, public_text: str | None = None
) -> Question:
    """Staff answer a question, and may reword it for publication (anonymised). Changeable
    until the nota it is in is published; the asker sees the answer only in that nota."""
    question = (
        Question.objects.select_for_update(of=("self",))
        .select_related("tender", "nota")
        .get(pk=question.pk)
    )
    if not can_manage_tender_communication(user, question.tender):
        raise ApplicationError(_("U mag vragen van deze aanbesteding niet beantwoorden."))
    if question.nota_id is not None and question.nota.is_published:
        raise ApplicationError(
            _("Deze vraag is gepubliceerd in nota %(number)s en kan niet meer wijzigen.")
            % {"number": question.nota.number}
        )
    if not answer.strip():
        raise ApplicationError(_("Vul een antwoord in."), field="answer")
    question.answer = answer.strip()
    if public_text is not None:
        question.public_text = public_text.strip()
    question.answered_at = timezone.now()
    question.answered_by = user
    question.full_clean()
    question.save()
    return question

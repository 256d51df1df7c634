"""The world of the sealed-bid leak test: a tender after its deadline and before the opening,
with one sealed submission (and a newer draft) whose every free text, file name and figure
carries a unique marker, a known KvK and a known bidder name; plus a ranking computed on it as
main allowed before issue 13 (legacy data the screens must not show either).

Everything is made through the services, as a bidder does; ``build_sealed_world`` returns what
the URL table of ``test_sealed_leaks`` needs to build its URLs, and the strings that must not
appear anywhere before the opening."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.roles import AANBIEDER
from evaluation.models import Ranking
from evaluation.services.ranking import ranking_execute
from providers.models import (
    DocumentKind,
    Organisation,
    OrganisationMembership,
    RequirementAnswer,
    Submission,
    SubmissionDocument,
)
from providers.services import submissions as services
from providers.services.uea import uea_save, uea_sign
from tender.constants import TenderState
from tender.models import Tender
from tests.providers.factories import uea_answers
from tests.providers.submission_support import docx_bytes, draft_with_bid, open_tender, pdf_bytes

MARKER = "ZEGELMERK"
BIDDER = "Zorggroep Zegelhof Oost BV"
KVK = "61729384"
#: The figures of the bid, as they may be written (plain, Dutch thousands, Dutch decimals).
FIGURES = ("48613", "48.613", "37,19", "37.19", "11,83", "11.83")


@dataclass
class SealedWorld:
    tender: Tender
    organisation: Organisation
    bidder_user: object
    sealed: Submission
    draft: Submission
    document: SubmissionDocument  # of the sealed version
    draft_document: SubmissionDocument
    answer: RequirementAnswer
    ranking: Ranking
    #: Strings that must appear in no response before the opening.
    secrets: list[str] = field(default_factory=list)


def _marked(text: str) -> str:
    return f"{text} {MARKER}"


def build_sealed_world(*, slug: str = "verzegeld-2027", open_house: bool = False) -> SealedWorld:
    """``open_house``: an Open House tender in its admission period instead, whose sealed
    application is in a batch confirmed by one person (not opened yet)."""
    tender = open_tender(slug=slug)
    if open_house:
        Tender.objects.filter(pk=tender.pk).update(
            procedure="open_house", state=TenderState.ADMISSION_OPEN
        )
        tender.refresh_from_db()
    organisation = Organisation.objects.create(
        kvk=KVK,
        name=BIDDER,
        legal_form="stichting",
        contact_name="Inge Bod",
        contact_email="bod@verzegeld.example",
    )
    user = get_user_model().objects.create_user(
        username="aanbieder-verzegeld", password="x" * 16, email="bod@verzegeld.example"
    )
    user.groups.add(Group.objects.get_or_create(name=AANBIEDER)[0])
    OrganisationMembership.objects.create(user=user, organisation=organisation, is_admin=True)

    answers = {
        code: {"ja": True, "nee": False}.get(
            value, _marked(value) if isinstance(value, str) else value
        )
        for code, value in uea_answers().items()
    }
    signer = {
        key: _marked(answers.pop(key)) for key in ("signer_name", "signer_role", "signed_place")
    }
    uea_save(tender=tender, organisation=organisation, user=user, answers=answers, **signer)
    uea_sign(tender=tender, organisation=organisation, user=user)

    draft, segment = draft_with_bid(
        tender, user, organisation, clients=48613, months=Decimal("11.83"), hours="37,19"
    )
    marker = MARKER.encode()
    services.document_upload(
        submission=draft,
        kind=DocumentKind.DOSSIER,
        name=f"dossier-{MARKER}.pdf",
        data=pdf_bytes(3, marker=marker),
        user=user,
        segment=segment,
    )
    services.document_upload(
        submission=draft,
        kind=DocumentKind.REFERENCE,
        name=f"referentie-{MARKER}.docx",
        data=docx_bytes(marker),
        user=user,
        segment=segment,
    )
    sealed = services.submission_seal(submission=draft, user=user)
    newer = services.submission_start(tender=tender, organisation=organisation, user=user)
    draft_document = services.document_upload(
        submission=newer,
        kind=DocumentKind.REFERENCE,
        name=f"nieuwe-referentie-{MARKER}.docx",
        data=docx_bytes(marker),
        user=user,
        segment=segment,
    )
    services.subcontractor_add(
        submission=newer, name=_marked("Onderaannemer"), kvk="87651234", user=user
    )
    # What main allowed before issue 13: a ranking computed on the sealed bids.
    ranking = Ranking.objects.create(tender=tender, phase="selection")
    ranking_execute(ranking_id=ranking.pk)
    if open_house:  # the first of the two confirmations of a batch opening
        from contracts.services.admission import admission_batch_confirm
        from tests.providers.submission_support import staff

        admission_batch_confirm(tender=tender, user=staff("eerste-opener", "inkoper"))
    else:  # the deadline has passed; the four-eyes opening has not happened yet
        Tender.objects.filter(pk=tender.pk).update(state=TenderState.REQUESTS_CLOSED)
    tender.refresh_from_db()
    sealed.refresh_from_db()
    return SealedWorld(
        tender=tender,
        organisation=organisation,
        bidder_user=user,
        sealed=sealed,
        draft=newer,
        document=sealed.documents.order_by("pk").first(),
        draft_document=draft_document,
        answer=RequirementAnswer.objects.filter(submission=sealed).order_by("pk").first(),
        ranking=ranking,
        secrets=[MARKER, KVK, BIDDER, *FIGURES, sealed.content_hash],
    )

"""The world of the isolation test: organisation A owns one of every provider-owned object,
made through the services; organisation B is another bidder of the same tenders.

Two tenders: a tender open for submissions (invitation, UEA, submission draft and sealed
version, answers, documents, subcontractor, question, session registration; a combination on a
second open tender, because a bidder that submits alone cannot also lead a combination) and the
Achterhoek demo with final rankings for the post-award objects (contracts, letters, production
report with an approved settlement, KPI report)."""

from dataclasses import dataclass, field, fields, replace
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db.models import Model
from django.template.loader import render_to_string
from django.utils import timezone

from communication.models import Question, SessionRegistration
from communication.services.questions import question_ask
from communication.services.registrations import session_register
from contracts.admission_models import AdmissionLetter
from contracts.award_models import AwardLetter
from contracts.kpi_models import KpiReport
from contracts.models import Contract, ContractSegment
from contracts.services.kpis import kpi_default_set_load, kpi_report_save, kpis_for_contract
from contracts.services.settlement import (
    production_report_save,
    settlement_approve,
    settlement_compute,
)
from contracts.settlement_models import ProductionReport, Settlement
from providers.document_models import DocumentKind, SubmissionDocument
from providers.models import (
    Combination,
    CombinationMember,
    Dossier,
    Organisation,
    RequirementAnswer,
    Subcontractor,
    Submission,
)
from providers.organisation_models import OrganisationInvitation, UEADeclaration
from providers.services import submissions as submission_services
from providers.services.combinations import combination_create, combination_invite
from providers.services.organisations import invitation_create
from tests.contracts.award_support import inkoper, make_letters, user_with
from tests.contracts.factories import ContractFactory, ContractSegmentFactory
from tests.providers.factories import OrganisationFactory, provider, uea_signed
from tests.providers.submission_support import complete_draft, docx_bytes, open_tender
from tests.tender.communication_helpers import build_tender, make_session

A_NAME = "Geheimzorg Isolatie A BV"
A_FILE = "isolatie-referentie-a.docx"
A_SUBCONTRACTOR = "Onderaannemer Geheim A"
A_QUESTION = "Geheime vraag van organisatie A?"
A_PARTICIPANT = "Deelnemer Geheim A"
A_COMBINATION = "Combinatie Geheim A"


@dataclass
class World:
    tender: object  # open for submissions
    combination_tender: object
    demo: object  # Achterhoek, final rankings, letters, contracts
    org_a: Organisation
    org_b: Organisation
    user_a: object
    user_b: object
    sealed: Submission
    draft: Submission
    document: SubmissionDocument  # on the draft
    sealed_document: SubmissionDocument
    subcontractor: Subcontractor
    answer: RequirementAnswer
    invitation: OrganisationInvitation
    combination: Combination
    member: CombinationMember
    question: Question
    registration: SessionRegistration
    contract: Contract
    contract_segment: ContractSegment
    letter: AwardLetter
    admission_letter: AdmissionLetter
    report: ProductionReport
    settlement: Settlement
    kpi_report: KpiReport
    markers: list[str] = field(default_factory=list)


def _fake_pdf(template_name, context):
    return render_to_string(template_name, context).encode()


def letters_as_html(monkeypatch) -> None:
    """The award letters' 'PDF' is their HTML (no WeasyPrint)."""
    monkeypatch.setattr("contracts.services.awards.render_to_pdf", _fake_pdf)


def build_world(*, demo, monkeypatch, capture) -> World:
    """The world on ``demo``, the Achterhoek demo in the award state with final rankings of
    both phases (``finalise_rankings``, as ``award_tender`` has it)."""
    # Post-award: A and B are two bidders of WMO-BEG.
    dossiers = list(
        Dossier.objects.filter(submission__tender=demo, segment__code="WMO-BEG")
        .select_related("submission__bidder", "segment")
        .order_by("submission__bidder__kvk")[:2]
    )
    contracts = []
    for dossier in dossiers:
        contract = ContractFactory(submission=dossier.submission)
        ContractSegmentFactory(contract=contract, dossier=dossier)
        contracts.append(contract)
    contract_a, contract_b = contracts
    org_a, org_b = contract_a.provider, contract_b.provider
    assert org_a != org_b
    Organisation.objects.filter(pk=org_a.pk).update(name=A_NAME)
    org_a.refresh_from_db()
    user_a, user_b = provider(org_a), provider(org_b)

    letters_as_html(monkeypatch)
    make_letters(demo, "selection", capture)
    letter = AwardLetter.objects.get(tender=demo, phase="selection", bidder=org_a)
    AwardLetter.objects.filter(pk=letter.pk).update(sent_at=timezone.now())

    contract_segment = contract_a.segments.get()
    report = production_report_save(
        contract_segment=contract_segment,
        year=2022,
        realised_clients=41,
        realised_hours=Decimal("2000.37"),
        comment="",
        user=user_a,
        submit=True,
    )
    manager = user_with("cm-isolatie", "contractmanager")
    settlement = settlement_compute(report=report, user=manager)
    settlement = settlement_approve(settlement=settlement, user=inkoper())
    kpi_default_set_load(tender=demo, user=manager)
    kpi = kpis_for_contract(contract_a).first()
    kpi_report = kpi_report_save(
        contract=contract_a,
        kpi=kpi,
        period="2022-H1",
        value=Decimal("65"),
        comment="",
        user=user_a,
    )

    # Pre-award: a tender open for submissions.
    tender = open_tender(slug="isolatie-2027")
    first = complete_draft(tender, user_a, org_a)
    sealed = submission_services.submission_seal(submission=first, user=user_a)
    draft = submission_services.submission_start(tender=tender, organisation=org_a, user=user_a)
    document = submission_services.document_upload(
        submission=draft,
        kind=DocumentKind.REFERENCE,
        name=A_FILE,
        data=docx_bytes(),
        user=user_a,
        segment=draft.dossiers.get().segment,
    )
    subcontractor = submission_services.subcontractor_add(
        submission=draft, name=A_SUBCONTRACTOR, kvk="87654321", user=user_a
    )
    # B has a draft of its own, so B's requests pass the "no submission" checks and reach the
    # lookup of A's object.
    uea_signed(tender=tender, organisation=org_b, user=user_b)
    submission_services.submission_start(tender=tender, organisation=org_b, user=user_b)
    invitation, _token = invitation_create(
        organisation=org_a, user=user_a, email="collega-a@example.org"
    )
    question = question_ask(tender=tender, organisation=org_a, user=user_a, text=A_QUESTION)
    registration = session_register(
        session=make_session(tender),
        organisation=org_a,
        participant_name=A_PARTICIPANT,
        participant_email="deelnemer-a@example.org",
        user=user_a,
    )

    combination_tender = build_tender(slug="isolatie-combinatie", state="requests_open")
    partner = OrganisationFactory(name="Partner Geheim A")
    provider(partner)
    combination = combination_create(
        tender=combination_tender, organisation=org_a, user=user_a, name=A_COMBINATION
    )
    member = combination_invite(combination=combination, kvk=partner.kvk, user=user_a)

    assert UEADeclaration.objects.filter(tender=tender, organisation=org_a).exists()
    # An Open House admission letter of A (a row with a stand-in PDF: its making is tested in
    # tests/contracts/test_open_house.py).
    admission_letter = AdmissionLetter(
        submission=sealed,
        reference=f"TOE-{sealed.tender.slug}-{org_a.kvk}-v{sealed.version}",
        admitted=False,
        sha256="0" * 64,
        generated_at=timezone.now(),
    )
    admission_letter.pdf.save("toelating-a.pdf", ContentFile(b"%PDF-1.4 toelating"), save=True)
    return World(
        tender=tender,
        combination_tender=combination_tender,
        demo=demo,
        org_a=org_a,
        org_b=org_b,
        user_a=user_a,
        user_b=user_b,
        sealed=sealed,
        draft=draft,
        document=document,
        sealed_document=sealed.documents.order_by("pk").first(),
        subcontractor=subcontractor,
        answer=RequirementAnswer.objects.filter(submission=sealed).order_by("pk").first(),
        invitation=invitation,
        combination=combination,
        member=member,
        question=question,
        registration=registration,
        contract=contract_a,
        contract_segment=contract_segment,
        letter=letter,
        admission_letter=admission_letter,
        report=report,
        settlement=settlement,
        kpi_report=kpi_report,
        markers=[
            A_NAME,
            org_a.kvk,
            A_FILE,
            A_SUBCONTRACTOR,
            A_QUESTION,
            A_PARTICIPANT,
            A_COMBINATION,
            "collega-a@example.org",
            letter.reference,
            contract_a.number,
        ],
    )


def world_refreshed(world: World) -> World:
    """``world`` with fresh instances of its objects from the database (of a shared world)."""
    fresh = {
        f.name: type(value).objects.get(pk=value.pk)
        for f in fields(world)
        if isinstance(value := getattr(world, f.name), Model)
    }
    return replace(world, **fresh, markers=list(world.markers))


def snapshot(world: World) -> dict:
    """A's rows (and the audit trail), to show that B's requests changed nothing."""
    from audit.models import AuditEntry

    org = world.org_a
    return {
        "audit": AuditEntry.objects.count(),
        "organisation": list(Organisation.objects.filter(pk=org.pk).values()),
        "invitations": list(OrganisationInvitation.objects.filter(organisation=org).values()),
        "combinations": list(Combination.objects.filter(lead=org).values()),
        "members": list(CombinationMember.objects.filter(combination__lead=org).values()),
        "submissions": list(Submission.objects.filter(bidder=org).order_by("pk").values()),
        "documents": list(
            SubmissionDocument.objects.filter(submission__bidder=org).order_by("pk").values()
        ),
        "subcontractors": list(Subcontractor.objects.filter(submission__bidder=org).values()),
        "answers": RequirementAnswer.objects.filter(submission__bidder=org).count(),
        "uea": list(UEADeclaration.objects.filter(organisation=org).values()),
        "questions": list(Question.objects.filter(organisation=org).values()),
        "registrations": list(SessionRegistration.objects.filter(organisation=org).values()),
        "contracts": list(Contract.objects.filter(provider=org).values()),
        "letters": list(AwardLetter.objects.filter(bidder=org).order_by("pk").values()),
        "reports": list(ProductionReport.objects.filter(pk=world.report.pk).values()),
        "settlements": list(Settlement.objects.filter(pk=world.settlement.pk).values()),
        "kpi_reports": list(KpiReport.objects.filter(pk=world.kpi_report.pk).values()),
    }

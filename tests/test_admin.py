"""The Django admin: every registered model's changelist, add page and change page open for a
superuser who passed the TOTP step; the procedure (tenders, criteria, submissions, scores,
rankings, letters, contracts, documents, ...) is shown, never added, changed or deleted there.
User management (auth users and groups, TOTP devices, API tokens, lockouts) stays editable."""

import datetime as dt
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tokens import api_token_create
from audit.models import AuditEntry
from audit.services import audit_record
from communication.models import (
    KeyDate,
    NewsItem,
    NewsletterSubscription,
    Nota,
    Question,
    Session,
    SessionRegistration,
    TenderDocument,
)
from contracts.models import (
    AwardDecision,
    AwardLetter,
    Contract,
    ContractPolicy,
    ContractReminder,
    ContractSegment,
    ExtensionDecision,
    Instalment,
    KpiEffect,
    KpiReport,
    LetterRun,
    Objection,
    ProductionReport,
    ProviderKpi,
    SegmentStandstill,
    Settlement,
)
from evaluation.models import FinalLevel, Ranking, RankingGap, RankingRow, Score
from evaluation.scoring_models import Assignment, ConflictDeclaration, RequirementReview
from providers.models import (
    Dossier,
    EncryptedFile,
    OrganisationInvitation,
    OrganisationMembership,
    RequirementAnswer,
    SubmissionDocument,
    UEADeclaration,
)
from tender.constants import Phase
from tender.models import Criterion, DecisionRecord, OpeningConfirmation, Segment, Tender

from .conftest import verify_second_factor
from .factories import CriterionFactory, SegmentFactory, TenderFactory
from .providers.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

# Every model of these apps is procedure (or its audit): shown in the admin, never added,
# changed or deleted there; changes go through the services and staff screens (audited, mailed).
PROCEDURE_APPS = {
    "audit",
    "accounts",
    "tender",
    "providers",
    "communication",
    "evaluation",
    "contracts",
}
# User management inside a procedure app: a superuser may change who is an organisation's admin
# (audited), never add or remove a membership.
USER_MANAGEMENT = {"providers.OrganisationMembership"}


@pytest.fixture
def superuser_client(client, make_user):
    user = make_user("beheer", is_superuser=True, is_staff=True)
    client.force_login(user)
    verify_second_factor(client, user)
    client.user = user
    return client


@pytest.fixture
def every_model(demo_tender, superuser_client):
    """At least one row of every model in the admin, on top of the demo scenario."""
    tender, user, now = demo_tender, superuser_client.user, timezone.now()
    dossier = Dossier.objects.filter(segment__tender=tender).select_related("submission").first()
    submission, organisation = dossier.submission, dossier.submission.bidder
    segment, criterion = dossier.segment, Criterion.objects.filter(segment=dossier.segment).first()
    evaluator = tender.evaluators.first()

    TenderDocument.objects.create(
        tender=tender,
        kind=TenderDocument.Kind.DOCUMENT,
        title="Leidraad",
        file=ContentFile(b"%PDF-1.4", name="leidraad.pdf"),
    )
    TenderDocument.objects.create(
        tender=tender,
        kind=TenderDocument.Kind.PROCES_VERBAAL,
        title="Proces-verbaal",
        file=ContentFile(b"%PDF-1.4", name="pv.pdf"),
    )
    OpeningConfirmation.objects.create(tender=tender, user=user)
    NewsItem.objects.create(tender=tender, title="Nieuws", body="Tekst", published_at=now)
    KeyDate.objects.create(tender=tender, label="Publicatie", date=now.date())
    DecisionRecord.objects.create(
        segment=segment,
        body="college",
        decided_on=now.date(),
        decision="Het college stelt het segment vast.",
        recorded_at=now,
        recorded_by=user,
    )
    session = Session.objects.create(
        tender=tender,
        kind=Session.Kind.WEBINAR,
        title="Webinar",
        starts_at=now + dt.timedelta(days=5),
        ends_at=now + dt.timedelta(days=5, hours=1),
        capacity=10,
        registration_deadline=now + dt.timedelta(days=4),
    )
    nota = Nota.objects.create(tender=tender, number=1)
    NewsletterSubscription.objects.create(tender=tender, email="lezer@example.nl")

    member = User.objects.create_user("aanbieder-admin", password="x" * 16)
    OrganisationMembership.objects.create(user=member, organisation=organisation, is_admin=True)
    SessionRegistration.objects.create(
        session=session,
        organisation=organisation,
        participant_name="Deelnemer",
        participant_email="deelnemer@example.nl",
        registered_at=now,
    )
    Question.objects.create(
        tender=tender, organisation=organisation, text="Een vraag?", asked_at=now, nota=nota
    )

    Assignment.objects.create(dossier=dossier, evaluator=evaluator)
    ConflictDeclaration.objects.create(
        evaluator=evaluator, organisation=organisation, has_conflict=False
    )
    RequirementReview.objects.create(
        answer=RequirementAnswer.objects.filter(submission__tender=tender).first(),
        accepted=True,
        reviewed_by=user,
    )
    if not Score.objects.exists():
        Score.objects.create(
            dossier=dossier, criterion=criterion, evaluator=evaluator, level=Decimal("0.5")
        )
    assert FinalLevel.objects.exists()
    ranking = Ranking.objects.create(tender=tender, phase=Phase.SELECTION)
    RankingRow.objects.create(
        ranking=ranking,
        segment=segment,
        dossier=dossier,
        bidder_kvk=organisation.kvk,
        position=1,
        rank=1,
        points=Decimal("80.00"),
        status="ranked",
    )
    RankingGap.objects.create(
        ranking=ranking, segment=segment, kind="gemeente", code="GM0222", shortfall=1
    )

    contract = Contract.objects.create(
        tender=tender,
        submission=submission,
        provider=organisation,
        number="C-2022-001",
        start_date=now.date(),
        end_date=now.date() + dt.timedelta(days=365),
    )
    contract_segment = ContractSegment.objects.create(
        contract=contract,
        segment=segment,
        dossier=dossier,
        start_date=now.date(),
        bid_amount=Decimal("1000.00"),
        lumpsum_amount=Decimal("1000.00"),
    )
    Instalment.objects.create(
        contract_segment=contract_segment,
        year=now.year,
        due_date=now.date(),
        amount=Decimal("250.00"),
    )

    encrypted = EncryptedFile(
        tender=tender, sha256="0" * 64, size=3, content_type="application/pdf", pages=1
    )
    encrypted.blob.save("x.bin", ContentFile(b"xyz"), save=True)
    SubmissionDocument.objects.create(
        submission=submission,
        kind="dossier",
        segment=segment,
        file=encrypted,
        name="dossier.pdf",
        uploaded_at=now,
    )
    ExtensionDecision.objects.create(
        contract=contract,
        term=0,
        extend=False,
        decided_at=now.date(),
        previous_end_date=contract.end_date,
        decided_by=user,
    )
    ContractReminder.objects.create(
        contract=contract, term=0, months_before=3, deadline=now.date(), sent_at=now
    )

    OrganisationInvitation.objects.create(
        organisation=organisation,
        email="collega@example.nl",
        token_hash="f" * 64,
        invited_by=member,
        created_at=now,
        expires_at=now + dt.timedelta(days=7),
    )
    # The demo tender is a draft: its UEA stays hidden; an opened tender's UEA is shown.
    opened = Tender.objects.create(
        slug="geopend", title="Geopend", region=tender.region, state="requests_opened", deadline=now
    )
    for uea_tender in (opened, tender):
        UEADeclaration.objects.create(
            tender=uea_tender, organisation=organisation, answers={"geheim": "antwoord"}
        )

    decision = AwardDecision.objects.create(
        tender=tender,
        phase=Phase.SELECTION,
        decision_date=now.date(),
        standstill_ends_at=now + dt.timedelta(days=20),
        sent_at=now,
        sent_by=user,
    )
    LetterRun.objects.create(tender=tender, phase=Phase.SELECTION, total=1, done=1)
    AwardLetter.objects.create(
        tender=tender,
        phase=Phase.SELECTION,
        bidder=organisation,
        kind="selected",
        reference="ACH-2022-S-0001",
        decision_date=now.date(),
        pdf=ContentFile(b"%PDF-1.4", name="brief.pdf"),
        sha256="1" * 64,
        generated_at=now,
    )
    SegmentStandstill.objects.create(
        segment=segment, decision=decision, ends_at=decision.standstill_ends_at
    )
    Objection.objects.create(
        segment=segment, bidder=organisation, kind="bezwaar", registered_by=user
    )
    ContractPolicy.objects.create(contract=contract)
    report = ProductionReport.objects.create(
        contract_segment=contract_segment,
        year=now.year,
        realised_clients=3,
        realised_hours=Decimal("10.00"),
        submitted_at=now,
        submitted_by=member,
    )
    Settlement.objects.create(
        contract_segment=contract_segment,
        year=now.year,
        report=report,
        tariff=Decimal("60.000000"),
        lumpsum=Decimal("1000.00"),
        realised=Decimal("600.00"),
        band=Decimal("0.10000000"),
        lower=Decimal("900.00"),
        upper=Decimal("1100.00"),
        above_band="provider_bears",
        outcome="reclaim",
        amount=Decimal("300.00"),
        computed_at=now,
        computed_by=user,
    )
    effect = KpiEffect.objects.create(
        tender=tender, effect="Participatie", goal="Zelfredzaam", municipal_kpi="% zelfredzaam"
    )
    kpi = ProviderKpi.objects.create(
        effect=effect, segment=segment, name="Tevredenheid", unit="%", target=Decimal("70")
    )
    KpiReport.objects.create(
        kpi=kpi, contract=contract, period=str(now.year), value=Decimal("75.00"), submitted_at=now
    )

    api_token_create(user=member, name="Koppeling")
    AccessAttempt.objects.create(
        username="x", ip_address="127.0.0.1", user_agent="pytest", failures_since_start=1
    )
    AccessLog.objects.create(username="x", ip_address="127.0.0.1", user_agent="pytest")
    from tender.models import Municipality, MunicipalityPopulation

    MunicipalityPopulation.objects.create(
        municipality=Municipality.objects.order_by("code").first(), year=2022, inhabitants=27_200
    )
    AccessFailureLog.objects.create(username="x", ip_address="127.0.0.1", user_agent="pytest")
    audit_record(action="test.admin", actor=user, obj=tender, tender=tender)
    return superuser_client


def admin_url(model, page: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def test_every_registered_model_opens_in_the_admin(every_model):
    client = every_model
    assert client.get(reverse("admin:index")).status_code == 200
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        changelist = client.get(admin_url(model, "changelist"))
        assert changelist.status_code == 200, label

        add = client.get(admin_url(model, "add"))
        expected_add = 200 if model_admin.has_add_permission(changelist.wsgi_request) else 403
        assert add.status_code == expected_add, label

        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"no {label} to open"
        change = client.get(admin_url(model, "change", obj.pk))
        assert change.status_code == 200, label
        if model._meta.app_label in PROCEDURE_APPS and label not in USER_MANAGEMENT:
            assert expected_add == 403, label
            assert change.context["has_change_permission"] is False, label
            assert change.context["has_delete_permission"] is False, label


def test_labels_are_dutch_from_the_verbose_names(every_model):
    html = every_model.get(reverse("admin:index")).content.decode()
    for label in ["Belangrijke data", "Lidmaatschappen organisaties", "Individuele scores"]:
        assert label in html


def test_sealed_records_cannot_be_changed_or_deleted(every_model):
    client = every_model
    score = Score.objects.first()
    level = score.level
    response = client.post(admin_url(Score, "change", score.pk), {"level": "1", "rationale": "x"})
    assert response.status_code == 403
    assert client.post(admin_url(Score, "delete", score.pk), {"post": "yes"}).status_code == 403
    score.refresh_from_db()
    assert score.level == level


def test_tender_documents_are_not_uploaded_or_changed_in_the_admin(superuser_client, published):
    client = superuser_client
    document = TenderDocument.objects.create(
        tender=published[0],
        kind=TenderDocument.Kind.DOCUMENT,
        title="Leidraad",
        file=ContentFile(b"%PDF-1.4", name="leidraad.pdf"),
    )
    assert client.get(admin_url(TenderDocument, "add")).status_code == 403
    upload = client.post(
        admin_url(TenderDocument, "add"),
        {
            "tender": document.tender_id,
            "kind": "document",
            "title": "Leidraad",
            "audience": "public",
            "file": ContentFile(b"<script>alert(1)</script>", name="leidraad.html"),
        },
    )
    assert upload.status_code == 403
    change = client.get(admin_url(TenderDocument, "change", document.pk))
    assert change.context["has_change_permission"] is False
    assert b'type="file"' not in change.content
    replaced = client.post(
        admin_url(TenderDocument, "change", document.pk),
        {"title": "Anders", "audience": "public", "kind": "document", "tender": document.tender_id},
    )
    assert replaced.status_code == 403
    delete = client.post(admin_url(TenderDocument, "delete", document.pk), {"post": "yes"})
    assert delete.status_code == 403
    assert list(TenderDocument.objects.values_list("title", flat=True)) == ["Leidraad"]


def test_the_changelists_filter_by_tender(every_model, demo_tender):
    response = every_model.get(
        admin_url(SessionRegistration, "changelist"),
        {"session__tender__id__exact": demo_tender.pk},
    )
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_an_invitation_never_shows_its_token_hash(every_model):
    invitation = OrganisationInvitation.objects.get()
    for page in [
        every_model.get(admin_url(OrganisationInvitation, "changelist")),
        every_model.get(admin_url(OrganisationInvitation, "change", invitation.pk)),
    ]:
        html = page.content.decode()
        assert invitation.email in html
        assert invitation.token_hash not in html
        assert "token_hash" not in html


def test_a_uea_is_hidden_until_its_tender_is_opened(every_model, demo_tender):
    client = every_model
    sealed = UEADeclaration.objects.get(tender=demo_tender)
    changelist = client.get(admin_url(UEADeclaration, "changelist"))
    assert sealed not in changelist.context["cl"].result_list
    assert changelist.context["cl"].result_count == 1
    change = client.get(admin_url(UEADeclaration, "change", sealed.pk))
    assert change.status_code in (302, 404)
    assert "antwoord" not in change.content.decode()

    Tender.objects.filter(pk=demo_tender.pk).update(state="requests_opened")
    changelist = client.get(admin_url(UEADeclaration, "changelist"))
    assert sealed in changelist.context["cl"].result_list
    change = client.get(admin_url(UEADeclaration, "change", sealed.pk))
    assert change.status_code == 200
    assert "antwoord" in change.content.decode()


def test_the_new_changelists_do_not_query_per_row(every_model):
    """A second row costs no extra query (list_select_related)."""
    client = every_model

    def second_objection():
        objection = Objection.objects.get()
        objection.pk = None
        objection.save()

    def second_kpi_report():
        report = KpiReport.objects.get()
        report.pk, report.period = None, "1999"
        report.save()

    for model, add_row in [(Objection, second_objection), (KpiReport, second_kpi_report)]:
        url = admin_url(model, "changelist")
        with CaptureQueriesContext(connection) as before:
            assert client.get(url).status_code == 200
        add_row()
        with CaptureQueriesContext(connection) as after:
            assert client.get(url).context["cl"].result_count == 2
        assert len(after) == len(before), model._meta.label


def test_staff_without_the_second_factor_do_not_get_into_the_admin(client, make_user):
    client.force_login(make_user("beheer-zonder-2fa", is_superuser=True, is_staff=True))
    response = client.get(reverse("admin:index"))
    assert response.status_code in (302, 403)


def _superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = User(username="beheer", is_superuser=True, is_staff=True, is_active=True)
    return request


def procedure_admins():
    """Every ModelAdmin and inline of the procedure apps, so a newly registered one is checked
    too (and fails here unless it is read-only)."""
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PROCEDURE_APPS or model._meta.label in USER_MANAGEMENT:
            continue
        yield model._meta.label, model_admin
        for inline in model_admin.inlines:
            yield f"{model._meta.label} > {inline.model._meta.label}", inline(model, admin.site)


def test_no_procedure_model_can_be_added_changed_or_deleted_in_the_admin_by_a_superuser():
    request = _superuser_request()
    checked = []
    for label, model_admin in procedure_admins():
        assert model_admin.has_view_permission(request), label
        if isinstance(model_admin, InlineModelAdmin):
            assert not model_admin.has_add_permission(request, None), label
        else:
            assert not model_admin.has_add_permission(request), label
        assert not model_admin.has_change_permission(request, None), label
        assert not model_admin.has_delete_permission(request, None), label
        checked.append(label)
    for label in ["tender.Tender", "tender.Segment > tender.Criterion", "providers.Submission"]:
        assert label in checked


def test_user_management_stays_in_the_admin_for_a_superuser():
    request = _superuser_request()
    for model in (User, Group):
        model_admin = admin.site._registry[model]
        assert model_admin.has_add_permission(request)
        assert model_admin.has_change_permission(request, None)
    memberships = admin.site._registry[OrganisationMembership]
    assert memberships.has_change_permission(request, None)
    assert not memberships.has_add_permission(request)
    assert not memberships.has_delete_permission(request, None)


def test_a_superuser_makes_a_colleague_the_organisations_admin_audited(superuser_client):
    colleague = User.objects.create_user("collega@example.nl", password="x" * 16)
    membership = OrganisationMembership.objects.create(
        user=colleague, organisation=OrganisationFactory(), is_admin=False
    )
    other = OrganisationFactory()
    response = superuser_client.post(
        admin_url(OrganisationMembership, "change", membership.pk),
        {"is_admin": "on", "organisation": other.pk, "user": superuser_client.user.pk},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.is_admin
    assert (membership.organisation_id, membership.user_id) != (other.pk, superuser_client.user.pk)
    entry = AuditEntry.objects.get(action="organisation.member_admin_set")
    assert entry.details == {"user": "collega@example.nl", "is_admin": True}


@pytest.fixture
def published():
    tender = TenderFactory(published=True)
    criterion = CriterionFactory(segment=SegmentFactory(tender=tender), max_points=Decimal("10"))
    return tender, criterion


def test_the_admin_cannot_move_a_published_deadline(superuser_client, published):
    tender, _ = published
    deadline = tender.deadline
    audit_entries = AuditEntry.objects.count()
    page = superuser_client.get(admin_url(Tender, "change", tender.pk))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert b'name="deadline' not in page.content
    moved = (deadline - dt.timedelta(days=20)).astimezone(dt.UTC)
    response = superuser_client.post(
        admin_url(Tender, "change", tender.pk),
        {
            "slug": tender.slug,
            "title": tender.title,
            "region": tender.region_id,
            "procedure": tender.procedure,
            "deadline_0": moved.strftime("%Y-%m-%d"),
            "deadline_1": moved.strftime("%H:%M:%S"),
            "_save": "Opslaan",
        },
    )
    assert response.status_code == 403
    tender.refresh_from_db()
    assert tender.deadline == deadline
    assert AuditEntry.objects.count() == audit_entries


def test_the_admin_cannot_change_a_criterions_points(superuser_client, published):
    _, criterion = published
    segment = criterion.segment
    prefix = "criteria"
    response = superuser_client.post(
        admin_url(Segment, "change", segment.pk),
        {
            "code": segment.code,
            "name": segment.name,
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "1",
            f"{prefix}-0-id": criterion.pk,
            f"{prefix}-0-segment": segment.pk,
            f"{prefix}-0-code": criterion.code,
            f"{prefix}-0-max_points": "90",
        },
    )
    assert response.status_code == 403
    criterion.refresh_from_db()
    assert criterion.max_points == Decimal("10")

"""Moving the communication models out of ``tender`` and ``providers`` loses no row: the
migrations only change Django's state, the tables stay, and the content types (with their
permissions) move along."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

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

BEFORE = [("tender", "0004_decimal_precision"), ("providers", "0004_submission_documents")]
# Django renders the project state at the first migration it unapplies and keeps it rendered
# up to the last one. The sealed envelopes (providers 0006, the end of the plan) depend on the
# move, so going back in one step re-renders every contracts/evaluation migration in between
# (seconds); unapplying them first leaves the move's three migrations next to each other.
AFTER_THE_MOVE = [("providers", "0005_move_communication_models")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_moving_the_models_keeps_every_row_and_permission():
    permission = Permission.objects.get(
        content_type__app_label="communication", codename="add_nota"
    )

    migrate(AFTER_THE_MOVE)
    executor = migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    assert ContentType.objects.get(pk=permission.content_type_id).app_label == "tender"
    now = timezone.now()
    region = old.get_model("tender", "Region").objects.create(code="r", name="Regio")
    tender = old.get_model("tender", "Tender").objects.create(
        slug="t", title="Aanbesteding", region=region, deadline=now, state="published"
    )
    organisation = old.get_model("providers", "Organisation").objects.create(
        kvk="12345678", name="Zorg BV", legal_form="bv"
    )
    document = old.get_model("tender", "TenderDocument").objects.create(
        tender=tender, kind="nota", title="Nota 1", file="tenders/t/nota/1.pdf"
    )
    nota = old.get_model("tender", "Nota").objects.create(
        tender=tender, number=1, published_at=now, document=document
    )
    session = old.get_model("tender", "Session").objects.create(
        tender=tender,
        kind="webinar",
        title="Webinar",
        starts_at=now,
        ends_at=now + timezone.timedelta(hours=1),
        capacity=10,
        registration_deadline=now,
    )
    old.get_model("providers", "SessionRegistration").objects.create(
        session=session,
        organisation=organisation,
        participant_name="Piet",
        participant_email="piet@example.org",
        registered_at=now,
    )
    old.get_model("providers", "Question").objects.create(
        tender=tender, organisation=organisation, text="Mag dat?", asked_at=now, nota=nota, number=1
    )
    old.get_model("tender", "NewsItem").objects.create(
        tender=tender, title="Nieuws", body="Tekst", published_at=now
    )
    old.get_model("tender", "KeyDate").objects.create(tender=tender, label="Gunning", date=now)
    old.get_model("tender", "NewsletterSubscription").objects.create(
        tender=tender, email="a@example.org"
    )

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    question = Question.objects.select_related("nota__document", "organisation").get()
    assert question.text == "Mag dat?" and question.organisation.name == "Zorg BV"
    assert (
        question.nota == Nota.objects.get()
        and question.nota.document == TenderDocument.objects.get()
    )
    registration = SessionRegistration.objects.select_related("session").get()
    assert registration.session == Session.objects.get(title="Webinar")
    assert NewsItem.objects.get().title == "Nieuws"
    assert KeyDate.objects.get().label == "Gunning"
    assert NewsletterSubscription.objects.get().email == "a@example.org"
    moved = Permission.objects.select_related("content_type").get(pk=permission.pk)
    assert (moved.content_type.app_label, moved.codename) == ("communication", "add_nota")

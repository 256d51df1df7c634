"""Moving the communication models out of ``tender`` and ``providers`` loses no row: the
migrations only change Django's state, the tables stay, and the content types (with their
permissions) move along, and back when the move is unapplied.

The test builds the state before the move on an empty database of its own (a few early
migrations) instead of unapplying every later migration of the test database: rows made before
the move are then migrated through the move, back, and on to today's models.
"""

from contextlib import contextmanager

import pytest
from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

BEFORE = [("tender", "0004_decimal_precision"), ("providers", "0004_submission_documents")]
THE_MOVE = [("communication", "0001_initial")]  # after tender's and providers' 0005


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


@contextmanager
def empty_database():
    """The default connection on an empty database of this test's own, dropped afterwards."""
    settings_dict = connection.settings_dict
    name = settings_dict["NAME"]
    scratch = connection.ops.quote_name(f"{name}_migration")
    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {scratch}")
        cursor.execute(f"CREATE DATABASE {scratch}")
    settings_dict["NAME"] = f"{name}_migration"
    try:
        yield
    finally:
        connection.close()
        settings_dict["NAME"] = name
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {scratch}")


def content_types_and_permissions(apps):
    """What ``post_migrate`` makes after a migrate: a content type and the permissions of
    every model of the state ``apps``."""
    from django.apps import apps as global_apps

    for app_config in global_apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0, apps=apps)
        create_permissions(app_config, verbosity=0, apps=apps)


@pytest.mark.django_db(transaction=True)
def test_moving_the_models_keeps_every_row_and_permission():
    with empty_database():
        before = BEFORE + leaves("auth", "contenttypes")  # with today's content types
        old = migrate(before).loader.project_state(before).apps
        content_types_and_permissions(old)
        permission = old.get_model("auth", "Permission").objects.get(
            content_type__app_label="tender", codename="add_nota"
        )
        make_rows(old)

        migrate(THE_MOVE)
        assert ContentType.objects.get(pk=permission.content_type_id).app_label == "communication"
        migrate(BEFORE)  # unapplied: the content types go back
        assert ContentType.objects.get(pk=permission.content_type_id).app_label == "tender"

        # On through the move and every later migration of ``communication`` (and what they
        # depend on), to today's communication models.
        today = leaves("communication", "auth", "contenttypes")
        new = migrate(today).loader.project_state(today).apps
        assert_rows_kept(new)
        moved = (
            new.get_model("auth", "Permission")
            .objects.select_related("content_type")
            .get(pk=permission.pk)
        )
        assert (moved.content_type.app_label, moved.codename) == ("communication", "add_nota")


def leaves(*app_labels):
    """The last migrations of the apps ``app_labels``."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    return [node for node in graph.leaf_nodes() if node[0] in app_labels]


def make_rows(old):
    """A row of every moved model, made with the models before the move."""
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


def assert_rows_kept(new):
    """The rows of ``make_rows``, read with the communication models of the state ``new``."""

    def model(name):
        return new.get_model("communication", name)

    question = model("Question").objects.select_related("nota__document", "organisation").get()
    assert question.text == "Mag dat?" and question.organisation.name == "Zorg BV"
    assert (
        question.nota == model("Nota").objects.get()
        and question.nota.document == model("TenderDocument").objects.get()
    )
    registration = model("SessionRegistration").objects.select_related("session").get()
    assert registration.session == model("Session").objects.get(title="Webinar")
    assert model("NewsItem").objects.get().title == "Nieuws"
    assert model("KeyDate").objects.get().label == "Gunning"
    assert model("NewsletterSubscription").objects.get().email == "a@example.org"

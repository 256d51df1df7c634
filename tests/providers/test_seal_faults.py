"""The database connection breaks while a bid is sealed (PostgreSQL restarting): the bidder
gets a clear Dutch answer instead of a 500, nothing of the seal is stored, and the retry
seals once. The break is simulated inside the seal transaction, after the submission row was
already written (the shared PostgreSQL server is not restarted)."""

import pytest
from django.db import InterfaceError, OperationalError
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEntry
from providers.constants import SubmissionState
from providers.models import Submission
from providers.services import submissions
from tests.problems import problem

from .submission_support import complete_draft, media, open_tender, provider  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def connection_breaks_once(monkeypatch):
    """The first seal loses its database connection at its audit entry (after the submission
    row was updated); later ones go through."""
    real_audit = submissions._audit
    raised: list[str] = []

    def install(error: type[Exception]):
        def audit(action, submission, user, details=None, **kwargs):
            if action == "submission.seal" and not raised:
                raised.append(action)
                raise error("server closed the connection unexpectedly")
            return real_audit(action, submission, user, details, **kwargs)

        monkeypatch.setattr(submissions, "_audit", audit)
        return raised

    return install


def seal_entries(organisation) -> int:
    return AuditEntry.objects.filter(
        action="submission.seal", details__bidder=organisation.kvk
    ).count()


def assert_nothing_stored(draft, organisation, mailoutbox):
    draft.refresh_from_db()
    assert draft.state == SubmissionState.DRAFT
    assert draft.submitted_at is None and not draft.content_hash and not draft.manifest
    assert seal_entries(organisation) == 0
    assert mailoutbox == []


def test_a_broken_connection_during_the_seal_is_a_dutch_page_and_the_retry_seals_once(
    client, connection_breaks_once, django_capture_on_commit_callbacks, mailoutbox
):
    tender = open_tender()
    user, organisation = provider()
    draft = complete_draft(tender, user, organisation)
    client.force_login(user)
    seal = reverse("portal-submission-seal", args=[tender.slug])
    raised = connection_breaks_once(OperationalError)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(seal, {"confirm": "1"})
    assert raised and response.status_code == 503
    page = response.content.decode()
    assert "Tijdelijk niet beschikbaar" in page
    assert "Uw laatste actie is niet uitgevoerd en er is niets half opgeslagen." in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert_nothing_stored(draft, organisation, mailoutbox)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(seal, {"confirm": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "portal-submission-receipt", args=[tender.slug, 1]
    )
    assert Submission.objects.get(pk=draft.pk).state == SubmissionState.SEALED
    assert seal_entries(organisation) == 1 and len(mailoutbox) == 1

    # The same submit once more (a lost answer, a double click): the receipt, sealed once.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(seal, {"confirm": "1"}, follow=True)
    assert "Uw inschrijving was al ontvangen en verzegeld." in response.content.decode()
    assert Submission.objects.filter(bidder=organisation, state=SubmissionState.SEALED).count() == 1
    assert seal_entries(organisation) == 1 and len(mailoutbox) == 1


def test_a_broken_connection_during_an_api_seal_is_a_503_problem_and_the_retry_seals_once(
    connection_breaks_once, django_capture_on_commit_callbacks, mailoutbox
):
    tender = open_tender()
    user, organisation = provider()
    draft = complete_draft(tender, user, organisation)
    api = APIClient()
    api.force_authenticate(user)
    seal = f"/api/v1/portal/tenders/{tender.slug}/submission/seal/"
    connection_breaks_once(InterfaceError)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(seal)
    assert response.status_code == 503 and response["Retry-After"]
    body = problem(response)
    assert "De verbinding met de database viel even weg" in body["detail"]
    assert_nothing_stored(draft, organisation, mailoutbox)

    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(seal)
    with django_capture_on_commit_callbacks(execute=True):
        again = api.post(seal)
    assert first.status_code == again.status_code == 200
    assert first.json()["content_hash"] == again.json()["content_hash"]
    sealed = Submission.objects.filter(bidder=organisation, state=SubmissionState.SEALED)
    assert list(sealed.values_list("pk", flat=True)) == [draft.pk]
    assert seal_entries(organisation) == 1 and len(mailoutbox) == 1

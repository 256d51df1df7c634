"""Two concurrent submits of the same draft seal it once (real PostgreSQL row locks: two
threads, each with its own connection)."""

import threading

import pytest
from django.db import connection, connections

from audit.models import AuditEntry
from providers.constants import SubmissionState
from providers.models import Submission
from providers.services import submissions as services
from tender.errors import ApplicationError

from .submission_support import complete_draft, media, open_tender, provider  # noqa: F401

pytestmark = pytest.mark.usefixtures("media")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_seal_once():
    tender = open_tender()
    user, organisation = provider()
    draft = complete_draft(tender, user, organisation)
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            barrier.wait(timeout=10)
            services.submission_seal(submission=draft, user=user)
            outcomes.append("sealed")
        except ApplicationError as error:
            outcomes.append(error.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == sorted(
        ["sealed", "Deze versie van uw inschrijving is al ingediend."]
    )
    sealed = Submission.objects.get(pk=draft.pk)
    assert sealed.state == SubmissionState.SEALED
    assert Submission.objects.filter(bidder=organisation, is_current=True).count() == 1
    assert AuditEntry.objects.filter(action="submission.seal").count() == 1

"""Isolation between organisations (issue 5): for every portal URL and API endpoint, a user of
organisation B gets 404 for A's objects, and never A's data. The URLs are generated from the
URL patterns: every pattern with path parameters under ``portaal/`` and ``api/v1/`` (and the
staff pages under ``aanbestedingen/`` and ``beoordeling/``) must be in one of the maps below or
in the commented exclusion list, so a new URL without a check makes ``test_every_url_is_checked``
fail, naming it."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from tests.contracts.award_support import finalise_rankings
from tests.isolation_world import build_world, letters_as_html, snapshot, world_refreshed
from tests.url_sweep import leaks
from tests.url_sweep import url_patterns as all_url_patterns

pytestmark = pytest.mark.django_db

PREFIXES = ("portaal/", "api/v1/", "aanbestedingen/", "beoordeling/")


def url_patterns(*, with_parameters=True):
    """Every named pattern under ``PREFIXES`` that takes path parameters (or, with
    ``with_parameters=False``, that takes none)."""
    return all_url_patterns(prefixes=PREFIXES, with_parameters=with_parameters)


# --- Provider-facing URLs with an object of A in the path: B gets 404 on GET, 404/405 on
# every write, and nothing of A changes. A herself reaches the same URL (control).
OWNED = {
    # portal screens
    "portal-submission-document-delete": lambda w: {"slug": w.tender.slug, "pk": w.document.pk},
    "portal-submission-subcontractor-remove": lambda w: {
        "slug": w.tender.slug,
        "pk": w.subcontractor.pk,
    },
    # (the version is one of the user's own submission: B's version 1 is a draft, not A's)
    "portal-submission-receipt": lambda w: {"slug": w.tender.slug, "version": w.sealed.version},
    "portal-submission-receipt-pdf": lambda w: {
        "slug": w.tender.slug,
        "version": w.sealed.version,
    },
    "portal-contract": lambda w: {"number": w.contract.number},
    "portal-contract-pdf": lambda w: {"number": w.contract.number},
    "portal-settlement-report": lambda w: {"pk": w.contract_segment.pk, "year": 2022},
    "portal-declarations": lambda w: {"pk": w.contract_segment.pk},
    "portal-settlement-statement": lambda w: {"pk": w.settlement.pk},
    "portal-kpi-contract": lambda w: {"pk": w.contract.pk},
    "portal-letter": lambda w: {"pk": w.letter.pk},
    "portal-admission-letter": lambda w: {"pk": w.admission_letter.pk},
    # portal API
    "api:portal-invitation-detail": lambda w: {"pk": w.invitation.pk},
    "api:portal-invitation-revoke": lambda w: {"pk": w.invitation.pk},
    "api:portal-combination-detail": lambda w: {"pk": w.combination.pk},
    "api:portal-combination-invite": lambda w: {"pk": w.combination.pk},
    "api:portal-combination-member-detail": lambda w: {"pk": w.member.pk},
    "api:portal-combination-member-confirm": lambda w: {"pk": w.member.pk},
    "api:portal-combination-member-decline": lambda w: {"pk": w.member.pk},
    "api:submission-document": lambda w: {"slug": w.tender.slug, "pk": w.document.pk},
    "api:submission-subcontractor": lambda w: {"slug": w.tender.slug, "pk": w.subcontractor.pk},
    "api:submission-receipt": lambda w: {"slug": w.tender.slug, "version": w.sealed.version},
    "api:submission-receipt-pdf": lambda w: {"slug": w.tender.slug, "version": w.sealed.version},
    "api:session-registration-detail": lambda w: {"pk": w.registration.pk},
    "api:session-registration-cancel": lambda w: {"pk": w.registration.pk},
    "api:question-detail": lambda w: {"pk": w.question.pk},
    "api:contract-production-reports": lambda w: {"pk": w.contract.pk},
    "api:contract-kpi-reports": lambda w: {"pk": w.contract.pk},
    "api:contract-kpi-submit": lambda w: {"pk": w.contract.pk},
    "api:award-letter-detail": lambda w: {"pk": w.letter.pk},
    "api:award-letter-pdf": lambda w: {"pk": w.letter.pk},
}

# URLs of OWNED that A herself does not GET (write-only actions, or no page of its own):
# the control (A is not refused) is skipped for them.
WRITE_ONLY = {
    "portal-submission-document-delete",
    "portal-submission-subcontractor-remove",
    "api:portal-invitation-revoke",
    "api:portal-combination-invite",
    "api:portal-combination-member-detail",  # A is the lead, not the invited member
    "api:portal-combination-member-confirm",
    "api:portal-combination-member-decline",
    "api:session-registration-cancel",
    "api:contract-kpi-submit",
    "api:submission-document",  # DELETE only
    "api:submission-subcontractor",  # DELETE only
}

# --- Provider-facing URLs whose parameters name the tender (or a segment/phase of it), not an
# object of A: B reaches its own view of it, which must not show anything of A.
TENDER_SCOPED = {
    "portal-tender": lambda w: {"slug": w.tender.slug},
    "portal-combination": lambda w: {"slug": w.combination_tender.slug},
    # a confirmed member's read-only view of the combination's sealed submission (B is none)
    "portal-member-submission": lambda w: {"slug": w.tender.slug},
    "portal-uea": lambda w: {"slug": w.tender.slug},
    "portal-uea-pdf": lambda w: {"slug": w.tender.slug},
    # a library document: readable by its audience, never an organisation's own object
    "portal-document": lambda w: {"slug": w.tender.slug, "pk": 1},
    "portal-submission": lambda w: {"slug": w.tender.slug},
    "portal-submission-start": lambda w: {"slug": w.tender.slug},
    "portal-submission-segments": lambda w: {"slug": w.tender.slug},
    "portal-submission-answers": lambda w: {"slug": w.tender.slug},
    "portal-submission-segment": lambda w: {"slug": w.tender.slug, "code": "JH-DYS"},
    "portal-submission-upload": lambda w: {"slug": w.tender.slug},
    "portal-submission-subcontractor-add": lambda w: {"slug": w.tender.slug},
    "portal-submission-seal": lambda w: {"slug": w.tender.slug},
    "portal-submission-withdraw": lambda w: {"slug": w.tender.slug},
    "api:portal-tender": lambda w: {"slug": w.tender.slug},
    "api:portal-uea": lambda w: {"slug": w.tender.slug},
    "api:portal-uea-sign": lambda w: {"slug": w.tender.slug},
    "api:portal-uea-pdf": lambda w: {"slug": w.tender.slug},
    "api:submission": lambda w: {"slug": w.tender.slug},
    "api:submission-segments": lambda w: {"slug": w.tender.slug},
    "api:submission-answers": lambda w: {"slug": w.tender.slug},
    "api:submission-dossier": lambda w: {"slug": w.tender.slug, "code": "JH-DYS"},
    "api:submission-documents": lambda w: {"slug": w.tender.slug},
    "api:submission-subcontractors": lambda w: {"slug": w.tender.slug},
    "api:submission-seal": lambda w: {"slug": w.tender.slug},
    "api:submission-withdraw": lambda w: {"slug": w.tender.slug},
    # public tender data, readable by anyone
    "api:public-tender-detail": lambda w: {"slug": w.tender.slug},
}


def _slug(w):
    return {"slug": w.tender.slug}


def _demo(w, **extra):
    return {"slug": w.demo.slug, **extra}


# --- Municipal (staff) URLs, given A's objects where the URL takes one: a provider user gets
# 403 or 404 on every method, and never A's data.
STAFF = {
    # tender and communication
    "tender-detail": _slug,
    "tender-transition": lambda w: {**_slug(w), "name": "close_requests"},
    "tender-offers-deadline": _slug,
    "tender-document": lambda w: {**_slug(w), "pk": 1},
    "communication-hub": _slug,
    "communication-news": _slug,
    "communication-news-edit": lambda w: {**_slug(w), "pk": 1},
    "communication-key-dates": _slug,
    "communication-key-date-edit": lambda w: {**_slug(w), "pk": 1},
    "communication-sessions": _slug,
    "communication-session-create": _slug,
    "communication-session": lambda w: {**_slug(w), "pk": w.registration.session_id},
    "communication-session-edit": lambda w: {**_slug(w), "pk": w.registration.session_id},
    "communication-session-export": lambda w: {
        **_slug(w),
        "pk": w.registration.session_id,
        "fmt": "csv",
    },
    "communication-session-details": lambda w: {**_slug(w), "pk": w.registration.session_id},
    "communication-session-cancel": lambda w: {**_slug(w), "pk": w.registration.session_id},
    "communication-newsletters": _slug,
    "communication-newsletter": lambda w: {**_slug(w), "pk": 1},
    "communication-newsletter-send": lambda w: {**_slug(w), "pk": 1},
    "communication-questions": _slug,
    "communication-question": lambda w: {**_slug(w), "pk": w.question.pk},
    "communication-notas": _slug,
    "communication-nota": lambda w: {**_slug(w), "pk": 1},
    "communication-deadline": _slug,
    "communication-documents": _slug,
    "staff-uea-pdf": lambda w: {**_slug(w), "organisation_id": w.org_a.pk},
    # the audit log (issue 18): the entry is A's seal
    "audit-log": _slug,
    "audit-log-export": _slug,
    "audit-entry": lambda w: {
        **_slug(w),
        "seq": AuditEntry.objects.filter(action="submission.seal", actor=w.user_a).first().seq,
    },
    # evaluation
    "scoring-assignments": _slug,
    "scoring-deadline": _slug,
    "scoring-assign-dossier": lambda w: {**_slug(w), "pk": w.sealed.dossiers.get().pk},
    "scoring-assignment-change": lambda w: {**_slug(w), "pk": 1, "action": "remove"},
    "scoring-consensus-overview": lambda w: {**_slug(w), "phase": "selection"},
    "scoring-consensus": lambda w: {**_slug(w), "phase": "selection", "pk": 1},
    "scoring-reopen": lambda w: {**_slug(w), "phase": "selection", "pk": 1, "evaluator_pk": 1},
    "scoring-review-list": _slug,
    "scoring-review": lambda w: {**_slug(w), "pk": w.answer.pk},
    "scoring-document": lambda w: {**_slug(w), "pk": w.sealed_document.pk},
    "scoring-my-dossiers": lambda w: {**_slug(w), "phase": "selection"},
    "scoring-dossier": lambda w: {**_slug(w), "phase": "selection", "pk": 1},
    "scoring-declare": lambda w: {**_slug(w), "phase": "selection", "pk": 1},
    "scoring-save": lambda w: {**_slug(w), "phase": "selection", "pk": 1},
    "scoring-submit": lambda w: {**_slug(w), "phase": "selection", "pk": 1},
    "scoring-autosave": lambda w: {
        **_slug(w),
        "phase": "selection",
        "pk": 1,
        "criterion_pk": 1,
    },
    "ranking-overview": lambda w: _demo(w, phase="award"),
    "ranking-progress": lambda w: _demo(w, phase="award", pk=1),
    "ranking-finalise": lambda w: _demo(w, phase="award", pk=1),
    "ranking-segment": lambda w: _demo(w, phase="award", code="WMO-BEG"),
    "ranking-reopen": lambda w: _demo(w, phase="award", pk=1),
    "ranking-resume": lambda w: _demo(w, phase="award", pk=1),
    "ranking-export-csv": lambda w: _demo(w, phase="award", pk=1),
    "ranking-rerun": lambda w: _demo(w, phase="award", pk=1),
    "scores-export": lambda w: _demo(w, phase="award"),
    # contracts, settlement, KPIs, award
    "contract-list": _demo,
    "contract-create": _demo,
    "contract-schedule-store": _demo,
    "contract-schedule-mark-exported": _demo,
    "contract-finance-export": lambda w: _demo(w, kind="csv"),
    "contract-detail": lambda w: _demo(w, number=w.contract.number),
    "contract-decision": lambda w: _demo(w, number=w.contract.number),
    "contract-task-amount": lambda w: _demo(w, number=w.contract.number, code="WMO-BEG"),
    "contract-kpi-defer": lambda w: _demo(w, number=w.contract.number),
    "contract-pdf": lambda w: _demo(w, number=w.contract.number),
    "settlement-overview": _demo,
    "settlement-compute": lambda w: _demo(w, pk=w.report.pk),
    "settlement-report-reopen": lambda w: _demo(w, pk=w.report.pk),
    "settlement-approve": lambda w: _demo(w, pk=w.settlement.pk),
    "settlement-statement": lambda w: _demo(w, pk=w.settlement.pk),
    "settlement-policy": lambda w: _demo(w, pk=w.contract.pk),
    "kpi-definitions": _demo,
    "kpi-contract-dashboard": lambda w: _demo(w, pk=w.contract.pk),
    "kpi-segment-dashboard": lambda w: _demo(w, code="WMO-BEG"),
    "ocds-download": _demo,
    "award-decision": _demo,
    "award-letters-generate": lambda w: _demo(w, phase="award"),
    "award-decision-send": lambda w: _demo(w, phase="selection"),
    "award-progress": lambda w: _demo(w, pk=1),
    "award-letters-resume": lambda w: _demo(w, pk=1),
    "award-letter": lambda w: _demo(w, pk=w.letter.pk),
    "award-letter-new-version": lambda w: _demo(w, pk=w.letter.pk),
    "award-letter-send": lambda w: _demo(w, pk=w.letter.pk),
    "award-delivery": lambda w: _demo(w, pk=1),
    "award-objection": _demo,
    "award-invite": lambda w: _demo(w, code="WMO-BEG"),
    "award-objection-resolve": lambda w: _demo(w, pk=1),
    "award-finalise": _demo,
    # Open House admission (the demo is restricted: 404 for staff too; a provider never passes)
    "admission": _slug,
    "admission-batch": _slug,
    "admission-application": lambda w: {**_slug(w), "pk": w.sealed.pk},
    "admission-review": lambda w: {**_slug(w), "pk": w.sealed.pk, "answer_pk": w.answer.pk},
    "admission-levels": lambda w: {**_slug(w), "pk": w.sealed.pk},
    "admission-decide": lambda w: {**_slug(w), "pk": w.sealed.pk},
    "admission-letter": lambda w: {**_slug(w), "pk": w.admission_letter.pk},
    # staff API
    "api:tender-detail": _slug,
    "api:tender-deadline": _slug,
    "api:session-detail": lambda w: {"pk": w.registration.session_id},
    "api:tender-transition": _slug,
    "api:question-answer": lambda w: {"pk": w.question.pk},
    "api:setup-tender-detail": _slug,
    "api:setup-tender-export": _slug,
    "api:setup-lot-detail": lambda w: {"pk": w.tender.lots.first().pk},
    "api:setup-segment-detail": lambda w: {"pk": w.tender.segments.first().pk},
    "api:setup-subsegment-detail": lambda w: {"pk": 1},
    "api:setup-requirement-detail": lambda w: {"pk": w.answer.requirement_id},
    "api:setup-criterion-detail": lambda w: {"pk": 1},
    "api:setup-region-detail": lambda w: {"code": w.tender.region.code},
    "api:news-item-detail": lambda w: {"pk": 1},
    "api:key-date-detail": lambda w: {"pk": 1},
    "api:nota-detail": lambda w: {"pk": 1},
    "api:nota-publish": lambda w: {"pk": 1},
    "api:assignment-detail": lambda w: {"pk": 1},
    "api:assignment-declaration": lambda w: {"pk": 1},
    "api:assignment-dossier": lambda w: {"pk": 1},
    "api:assignment-scores": lambda w: {"pk": 1},
    "api:assignment-submit": lambda w: {"pk": 1},
    "api:consensus-detail": lambda w: {"pk": 1},
    "api:consensus-final-levels": lambda w: {"pk": 1},
    "api:requirement-answer-review": lambda w: {"pk": w.answer.pk},
    "api:ranking-export-csv": lambda w: {"pk": 1},
    "api:ranking-detail": lambda w: {"pk": 1},
    "api:ranking-finalise": lambda w: {"pk": 1},
    "api:ranking-reopen": lambda w: {"pk": 1},
    "api:contract-detail": lambda w: {"number": w.contract.number},
    "api:contract-extension": lambda w: {"number": w.contract.number},
    "api:contract-schedule": lambda w: {"number": w.contract.number},
    "api:tender-ocds": _demo,
    "api:tender-kpis": _demo,
    "api:award-decision": _demo,
    "api:award-letters-generate": lambda w: _demo(w, phase="award"),
    "api:award-send": lambda w: _demo(w, phase="selection"),
    "api:award-objections": _demo,
    "api:award-objection-resolve": lambda w: _demo(w, pk=1),
    "api:award-finalise": _demo,
}

# --- Not checked here, on purpose.
EXCLUDED = {
    # The invitation link's token is the capability itself (single use, hashed, mailed to the
    # invitee); whoever holds it may open it, whatever their organisation.
    "portal-invitation",
    # the signed e-mail verification link is the capability (tests/providers/test_security.py)
    "portal-email-verify",
}


def _methods(name: str) -> tuple[str, ...]:
    """The writes tried: every unsafe method on API routes, POST on screens."""
    if name.startswith("api:"):
        return ("post", "put", "patch", "delete")
    return ("post",)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _leaks(response, markers) -> list[str]:
    return leaks(response, markers)


def _call(client, method, url):
    if method in ("put", "patch"):
        return getattr(client, method)(url, data="{}", content_type="application/json")
    return getattr(client, method)(url)


@pytest.fixture
def isolation_world(
    demo_tender, _demo_world, monkeypatch, django_capture_on_commit_callbacks, settings, tmp_path
):
    """``build_world`` on the demo in the award state: fresh instances of the shared one (the
    level 'isolation', see ``DemoWorld``, with its media directory); a test that is not in the
    shared world builds its own, with its files in ``tmp_path``."""
    letters_as_html(monkeypatch)
    if _demo_world.has("isolation"):
        settings.MEDIA_ROOT = _demo_world.media_root
        return world_refreshed(_demo_world.isolation)
    settings.MEDIA_ROOT = str(tmp_path)
    finalise_rankings(demo_tender)
    return build_world(
        demo=demo_tender, monkeypatch=monkeypatch, capture=django_capture_on_commit_callbacks
    )


@pytest.fixture
def world(isolation_world):
    """The tests' name for it (``_world_levels`` looks for ``isolation_world``: other modules
    have a fixture ``world`` of their own)."""
    return isolation_world


def test_every_url_with_parameters_is_checked():
    """A new URL with path parameters fails here until it is added to a map above (or, with a
    reason, to EXCLUDED)."""
    known = set(OWNED) | set(TENDER_SCOPED) | set(STAFF) | EXCLUDED
    patterns = url_patterns()
    missing = sorted(
        f"{name} ({route})" for name, (route, _) in patterns.items() if name not in known
    )
    assert not missing, "URLs without an isolation check:\n" + "\n".join(missing)
    stale = sorted(known - set(patterns))
    assert not stale, "Checks of URLs that no longer exist: " + ", ".join(stale)
    assert not set(OWNED) & set(STAFF) and not set(OWNED) & set(TENDER_SCOPED)


def test_organisation_b_never_reaches_organisation_a(world):
    """One pass over every checked URL; the message lists every failure."""
    patterns = url_patterns()
    owner, other = _client(world.user_a), _client(world.user_b)
    failures = []
    before = snapshot(world)

    for name, kwargs_of in sorted(OWNED.items()):
        url = reverse(name, kwargs=kwargs_of(world))
        route = patterns[name][0]
        if name not in WRITE_ONLY:
            own = owner.get(url)
            if own.status_code != 200:
                failures.append(f"{name} {url}: control failed, A gets {own.status_code}")
            before = snapshot(world)  # A's own reads may be audited
        response = other.get(url)
        if response.status_code not in (404, 405) or (
            response.status_code == 405 and name not in WRITE_ONLY
        ):
            failures.append(f"{name} {url} ({route}): B's GET answers {response.status_code}")
        if leaked := _leaks(response, world.markers):
            failures.append(f"{name} {url}: B's GET shows {leaked}")
        for method in _methods(name):
            response = _call(other, method, url)
            if response.status_code not in (404, 405):
                failures.append(
                    f"{name} {url}: B's {method.upper()} answers {response.status_code}"
                )
            after = snapshot(world)
            if after != before:
                changed = [key for key in before if before[key] != after[key]]
                failures.append(f"{name} {url}: B's {method.upper()} changed A's {changed}")
                before = after

    for name, kwargs_of in sorted(TENDER_SCOPED.items()):
        url = reverse(name, kwargs=kwargs_of(world))
        response = other.get(url)
        if response.status_code >= 500:
            failures.append(f"{name} {url}: B's GET answers {response.status_code}")
        if leaked := _leaks(response, world.markers):
            failures.append(f"{name} {url}: B's GET shows {leaked}")

    assert not failures, "Organisation B reaches organisation A:\n" + "\n".join(failures)


def test_a_provider_gets_no_staff_page_with_another_organisations_data(world):
    """Staff-only URLs (given A's objects where they take one): B gets 403 or 404 on every
    method, never A's data, and changes nothing."""
    other = _client(world.user_b)
    failures = []
    before = snapshot(world)
    for name, kwargs_of in sorted(STAFF.items()):
        url = reverse(name, kwargs=kwargs_of(world))
        for method in ("get", *_methods(name)):
            response = _call(other, method, url)
            if response.status_code not in (403, 404, 405):
                failures.append(
                    f"{name} {url}: B's {method.upper()} answers {response.status_code}"
                )
            if leaked := _leaks(response, world.markers):
                failures.append(f"{name} {url}: B's {method.upper()} shows {leaked}")
        after = snapshot(world)
        if after != before:
            changed = [key for key in before if before[key] != after[key]]
            failures.append(f"{name} {url}: B's requests changed A's {changed}")
            before = after
    assert not failures, "A provider reaches staff pages:\n" + "\n".join(failures)


def test_lists_without_parameters_show_organisation_b_nothing_of_a(world):
    """Every portal page and API endpoint without path parameters (lists, the organisation,
    exports): B's GET never shows A's data."""
    other = _client(world.user_b)
    failures = []
    for name, (route, _) in sorted(url_patterns(with_parameters=False).items()):
        if not route.startswith(("portaal/", "api/v1/")):
            continue
        response = other.get(reverse(name))
        if response.status_code >= 500:
            failures.append(f"{name} ({route}): B's GET answers {response.status_code}")
        if leaked := _leaks(response, world.markers):
            failures.append(f"{name} ({route}): B's GET shows {leaked}")
    assert not failures, "Organisation B sees organisation A:\n" + "\n".join(failures)

"""Sealed means sealed (issue 13; EU Directive 2014/24, Annex IV): before the opening nobody,
municipal staff and administrators included, learns who bid or what.

Generated over the URL patterns (the machinery of ``test_isolation``, ``tests.url_sweep``): in
a world with one sealed submission whose every free text, file name and figure carries a marker
(``tests.sealed_world``), every URL of the project (HTML, API, exports, OCDS, the admin's
changelists and change pages, the audit log) is fetched as every staff role and as a superuser,
and no response shows the marker, the bidder's KvK or name, the bid's figures or hashes, or a
count of bids. Every pattern must be in ``URLS`` (how to build its arguments) or ``SKIPPED``
(why not), or ``test_every_url_is_classified`` fails naming it; the provider portal's patterns
are built by parameter name (``PORTAL_ARGUMENTS``) and the admin's model pages from the admin's
registry. ``test_the_sweep_finds_a_leak_when_a_guard_is_off`` shows
that the sweep fails when one guard (the OCDS one) is switched off.
"""

import re
from collections.abc import Callable

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.roles import AUDITOR, BEOORDELAAR, CONTRACTMANAGER, INKOPER, VOORZITTER
from audit.models import AuditEntry
from audit.services import audit_verify
from contracts.services import ocds
from evaluation.models import Ranking
from evaluation.services.exports import scores_workbook_export
from evaluation.services.ranking import ranking_request
from tender.constants import TenderState
from tender.errors import ApplicationError
from tender.models import Tender
from tender.selectors import tender_detail
from tests.conftest import new_user, verify_second_factor
from tests.problems import problem
from tests.sealed_world import BIDDER, KVK, MARKER, SealedWorld, build_sealed_world
from tests.url_sweep import leaks, response_text, url_patterns

pytestmark = pytest.mark.django_db

Kwargs = Callable[[SealedWorld], dict]


def _slug(w: SealedWorld, **extra) -> dict:
    return {"slug": w.tender.slug, **extra}


def _phase(w: SealedWorld, **extra) -> dict:
    return _slug(w, phase="selection", **extra)


def _ranking(w: SealedWorld) -> dict:
    return _phase(w, pk=w.ranking.pk)


def _dossier(w: SealedWorld) -> dict:
    return _phase(w, pk=w.sealed.dossiers.get().pk)


def _none(w: SealedWorld) -> dict:
    return {}


def _pk(value) -> Kwargs:
    """A primary key of an object that does not exist before the opening (contracts, letters,
    settlements, assignments, consensus): the URL must answer without showing anything."""
    return lambda w: {"pk": value}


def _slug_pk(w: SealedWorld) -> dict:
    return _slug(w, pk=1)


def _sealed_entries(w: SealedWorld):
    return AuditEntry.objects.filter(tender_slug=w.tender.slug).order_by("seq")


# --- Every pattern outside the admin, with how its arguments are built. Objects of the sealed
# bid where the URL takes one; objects that cannot exist before the opening get a number that
# does not exist (the answer must still show nothing).
URLS: dict[str, Kwargs] = {
    # home, tenders, set-up
    "home": _none,
    "start": _none,
    "healthz": _none,
    "tender-detail": _slug,
    "tender-transition": lambda w: _slug(w, name="open_requests"),
    "tender-offers-deadline": _slug,
    "tender-document": _slug_pk,
    "setup-overview": _slug,
    "setup-tender-edit": _slug,
    "setup-tender-create": _none,
    "setup-export": _slug,
    "setup-import": _none,
    "setup-lot-create": _slug,
    "setup-lot-edit": lambda w: _slug(w, pk=w.tender.lots.first().pk),
    "setup-lot-delete": lambda w: _slug(w, pk=w.tender.lots.first().pk),
    "setup-segment": lambda w: _slug(w, pk=w.sealed.dossiers.get().segment_id),
    "setup-segment-create": lambda w: _slug(w, lot=w.tender.lots.first().pk),
    "setup-segment-delete": lambda w: _slug(w, pk=w.sealed.dossiers.get().segment_id),
    "setup-segment-provisional": lambda w: _slug(w, pk=w.sealed.dossiers.get().segment_id),
    "setup-segment-decision": lambda w: _slug(w, pk=w.sealed.dossiers.get().segment_id),
    "setup-subsegment-create": lambda w: _slug(w, segment=w.sealed.dossiers.get().segment_id),
    "setup-subsegment-delete": _slug_pk,
    "setup-requirement-create": _slug,
    "setup-requirement-edit": lambda w: _slug(w, pk=w.answer.requirement_id),
    "setup-requirement-delete": lambda w: _slug(w, pk=w.answer.requirement_id),
    "setup-criterion-create": lambda w: _slug(w, segment=w.sealed.dossiers.get().segment_id),
    "setup-criterion-edit": lambda w: _slug(
        w, pk=w.tender.segments.get(code="JH-DYS").criteria.first().pk
    ),
    "setup-criterion-delete": lambda w: _slug(
        w, pk=w.tender.segments.get(code="JH-DYS").criteria.first().pk
    ),
    "setup-regions": _none,
    "setup-region-create": _none,
    "setup-region-edit": lambda w: {"code": w.tender.region.code},
    # Open House admission (the sealed application: 404 before its batch is opened)
    "admission": _slug,
    "admission-batch": _slug,
    "admission-application": lambda w: _slug(w, pk=w.sealed.pk),
    "admission-review": lambda w: _slug(w, pk=w.sealed.pk, answer_pk=w.answer.pk),
    "admission-levels": lambda w: _slug(w, pk=w.sealed.pk),
    "admission-decide": lambda w: _slug(w, pk=w.sealed.pk),
    "admission-letter": _slug_pk,
    # communication (staff)
    "communication-hub": _slug,
    "communication-news": _slug,
    "communication-news-edit": _slug_pk,
    "communication-key-dates": _slug,
    "communication-key-date-edit": _slug_pk,
    "communication-sessions": _slug,
    "communication-session-create": _slug,
    "communication-session": _slug_pk,
    "communication-session-edit": _slug_pk,
    "communication-session-export": lambda w: _slug(w, pk=1, fmt="csv"),
    "communication-session-details": _slug_pk,
    "communication-session-cancel": _slug_pk,
    "communication-newsletters": _slug,
    "communication-newsletter": _slug_pk,
    "communication-newsletter-send": _slug_pk,
    "communication-questions": _slug,
    "communication-question": _slug_pk,
    "communication-notas": _slug,
    "communication-nota": _slug_pk,
    "communication-deadline": _slug,
    "communication-documents": _slug,
    "staff-uea-pdf": lambda w: _slug(w, organisation_id=w.organisation.pk),
    # the audit log screens (issue 18); every entry about the tender: ``audit_entry_urls``
    "audit-home": _none,
    "audit-verify": _none,
    "audit-verify-progress": _pk(1),
    "audit-log": _slug,
    "audit-log-export": _slug,
    "audit-entry": lambda w: _slug(w, seq=_sealed_entries(w).last().seq),
    # public site
    "public-tenders": _none,
    "public-tender": _slug,
    "public-calendar": _slug,
    "public-document": _slug_pk,
    "public-news": _slug,
    "public-news-detail": _slug_pk,
    "public-newsletter": _slug,
    "public-newsletter-confirm": lambda w: _slug(w, token="x"),
    "public-newsletter-unsubscribe": lambda w: _slug(w, token="x"),
    "public-newsletter-issues": _slug,
    "public-newsletter-issue": _slug_pk,
    "public-questions": _slug,
    "public-session": _slug_pk,
    "public-tender-ocds": _slug,
    # scoring and requirement review
    "scoring-home": _none,
    "scoring-assignments": _slug,
    "scoring-deadline": _slug,
    "scoring-assign-dossier": lambda w: _slug(w, pk=w.sealed.dossiers.get().pk),
    "scoring-assignment-change": lambda w: _slug(w, pk=1, action="remove"),
    "scoring-consensus-overview": _phase,
    "scoring-consensus": _dossier,
    "scoring-reopen": lambda w: _phase(w, pk=w.sealed.dossiers.get().pk, evaluator_pk=1),
    "scoring-review-list": _slug,
    "scoring-review": lambda w: _slug(w, pk=w.answer.pk),
    "scoring-document": lambda w: _slug(w, pk=w.document.pk),
    "scoring-my-dossiers": _phase,
    "scoring-dossier": _dossier,
    "scoring-declare": _dossier,
    "scoring-save": _dossier,
    "scoring-submit": _dossier,
    "scoring-autosave": lambda w: _phase(
        w,
        pk=w.sealed.dossiers.get().pk,
        criterion_pk=w.tender.segments.get(code="JH-DYS").criteria.first().pk,
    ),
    # ranking and exports
    "ranking-overview": _phase,
    "ranking-progress": _ranking,
    "ranking-finalise": _ranking,
    "ranking-reopen": _ranking,
    "ranking-resume": _ranking,
    "ranking-segment": lambda w: _phase(w, code="JH-DYS"),
    "ranking-export-csv": _ranking,
    "ranking-rerun": _ranking,
    "scores-export": _phase,
    # award, contracts, settlement, KPIs, OCDS
    "award-decision": _slug,
    "award-decision-send": _phase,
    "award-finalise": _slug,
    "award-letter": _slug_pk,
    "award-letter-new-version": _slug_pk,
    "award-letter-send": _slug_pk,
    "award-delivery": _slug_pk,
    "award-letters-generate": _phase,
    "award-objection": _slug,
    "award-invite": lambda w: _slug(w, code="JH-DYS"),
    "award-objection-resolve": _slug_pk,
    "award-progress": _slug_pk,
    "award-letters-resume": _slug_pk,
    "contract-list": _slug,
    "contract-create": _slug,
    "contract-detail": lambda w: _slug(w, number="C-1"),
    "contract-decision": lambda w: _slug(w, number="C-1"),
    "contract-task-amount": lambda w: _slug(w, number="C-1", code="WMO-BEG"),
    "contract-kpi-defer": lambda w: _slug(w, number="C-1"),
    "contract-pdf": lambda w: _slug(w, number="C-1"),
    "contract-finance-export": lambda w: _slug(w, kind="csv"),
    "contract-schedule-store": _slug,
    "contract-schedule-mark-exported": _slug,
    "settlement-overview": _slug,
    "settlement-compute": _slug_pk,
    "settlement-report-reopen": _slug_pk,
    "settlement-approve": _slug_pk,
    "settlement-statement": _slug_pk,
    "settlement-policy": _slug_pk,
    "kpi-definitions": _slug,
    "kpi-contract-dashboard": _slug_pk,
    "kpi-segment-dashboard": lambda w: _slug(w, code="JH-DYS"),
    "ocds-download": _slug,
    # the staff API
    "api:tender-list": _none,
    "api:tender-detail": _slug,
    "api:tender-deadline": _slug,
    "api:tender-transition": _slug,
    "api:tender-ocds": _slug,
    "api:tender-kpis": _slug,
    "api:setup-tender-list": _none,
    "api:setup-tender-detail": _slug,
    "api:setup-tender-export": _slug,
    "api:setup-import": _none,
    "api:setup-lot-list": _none,
    "api:setup-lot-detail": lambda w: {"pk": w.tender.lots.first().pk},
    "api:setup-segment-list": _none,
    "api:setup-segment-detail": lambda w: {"pk": w.sealed.dossiers.get().segment_id},
    "api:setup-subsegment-list": _none,
    "api:setup-subsegment-detail": _pk(1),
    "api:setup-requirement-list": _none,
    "api:setup-requirement-detail": lambda w: {"pk": w.answer.requirement_id},
    "api:setup-criterion-list": _none,
    "api:setup-criterion-detail": _pk(1),
    "api:setup-region-list": _none,
    "api:setup-region-detail": lambda w: {"code": w.tender.region.code},
    "api:news-item-list": _none,
    "api:news-item-detail": _pk(1),
    "api:key-date-list": _none,
    "api:key-date-detail": _pk(1),
    "api:nota-list": _none,
    "api:nota-detail": _pk(1),
    "api:nota-publish": _pk(1),
    "api:session-list": _none,
    "api:session-detail": _pk(1),
    "api:question-list": _none,
    "api:question-detail": _pk(1),
    "api:question-answer": _pk(1),
    "api:public-tender-list": _none,
    "api:public-tender-detail": _slug,
    "api:assignment-list": _none,
    "api:assignment-detail": _pk(1),
    "api:assignment-declaration": _pk(1),
    "api:assignment-dossier": _pk(1),
    "api:assignment-scores": _pk(1),
    "api:assignment-submit": _pk(1),
    "api:consensus-list": _none,
    "api:consensus-detail": _pk(1),
    "api:consensus-final-levels": _pk(1),
    "api:consensus-inter-rater": _none,
    "api:requirement-answer-list": _none,
    "api:requirement-answer-review": lambda w: {"pk": w.answer.pk},
    "api:ranking-list": _none,
    "api:ranking-detail": lambda w: {"pk": w.ranking.pk},
    "api:ranking-export-csv": lambda w: {"pk": w.ranking.pk},
    "api:ranking-finalise": lambda w: {"pk": w.ranking.pk},
    "api:ranking-reopen": lambda w: {"pk": w.ranking.pk},
    "api:award-decision": _slug,
    "api:award-finalise": _slug,
    "api:award-letters-generate": _phase,
    "api:award-send": _phase,
    "api:award-objections": _slug,
    "api:award-objection-resolve": _slug_pk,
    "api:award-letter-list": _none,
    "api:award-letter-detail": _pk(1),
    "api:award-letter-pdf": _pk(1),
    "api:contract-list": _none,
    "api:contract-detail": lambda w: {"number": "C-1"},
    "api:contract-extension": lambda w: {"number": "C-1"},
    "api:contract-schedule": lambda w: {"number": "C-1"},
    "api:contract-create-from-awards": _none,
    "api:contract-store-schedule": _none,
    "api:contract-export-csv": _none,
    "api:contract-export-xlsx": _none,
    "api:contract-production-reports": _pk(1),
    "api:contract-kpi-reports": _pk(1),
    "api:contract-kpi-submit": _pk(1),
    # accounts
    "two_factor_setup": _none,
    "two_factor_verify": _none,
    "password_change": _none,
    "password_change_done": _none,
    # provider-facing outside the portal's prefix
    "api:session-registration-list": _none,
    "api:session-registration-detail": _pk(1),
    "api:session-registration-cancel": _pk(1),
}

# --- The provider portal (pages and API) is built by parameter name: staff are refused at its
# gate, whatever the object. A new portal pattern with a parameter not named here fails
# ``test_every_url_is_classified``.
PORTAL_PREFIXES = ("portaal/", "api/v1/portal/", "api/v1/^portal/")
PORTAL_ARGUMENTS: dict[str, Callable[[SealedWorld], object]] = {
    "slug": lambda w: w.tender.slug,
    "version": lambda w: w.sealed.version,
    "pk": lambda w: w.document.pk,
    "code": lambda w: "JH-DYS",
    "number": lambda w: "C-1",
    "year": lambda w: 2022,
}


def portal_patterns() -> dict[str, set[str]]:
    """``{name: parameter names}`` of the portal's patterns (but the skipped ones)."""
    return {
        name: params
        for name, (_, params) in url_patterns(prefixes=PORTAL_PREFIXES).items()
        if name not in SKIPPED
    }


def portal_urls(world: SealedWorld) -> dict[str, str]:
    return {
        name: reverse(name, kwargs={p: PORTAL_ARGUMENTS[p](world) for p in params})
        for name, params in portal_patterns().items()
    }


# --- Not fetched, with the reason.
SKIPPED: dict[str, str] = {
    "login": "anonymous page; the clients are logged in",
    "api-schema": "the API's description (no data); slow to generate",
    "api-docs": "the API's description (no data)",
    "logout": "ends the session of the client",
    "set_language": "POST only; changes the client's language",
    "password_reset": "anonymous page",
    "password_reset_done": "anonymous page",
    "password_reset_confirm": "anonymous page with a token",
    "password_reset_complete": "anonymous page",
    "portal-invitation": "the invitation token is the capability (test_isolation)",
    "portal-email-verify": "the signed verification token is the capability (test_isolation)",
    "api:portal-register": "registers the client as a new organisation",
    # admin pages that are no model page (the model pages: ``admin_urls``)
    "admin:login": "anonymous page",
    "admin:logout": "ends the session of the client",
    "admin:password_change": "the user's own password",
    "admin:password_change_done": "the user's own password",
    "admin:jsi18n": "static translations",
    "admin:view_on_site": "a redirect to the object's own URL, fetched here itself",
    "admin:otp_totp_totpdevice_config": "a user's second-factor device, no bid",
    "admin:otp_totp_totpdevice_qrcode": "a user's second-factor device, no bid",
    "admin:autocomplete": "needs a model and field in the query; lists what the changelist lists",
}

ADMIN_GENERATED = re.compile(r"^admin:(\w+)_(\w+)_(changelist|change|history|delete|add)$")
ADMIN_PAGES: dict[str, Kwargs] = {
    "admin:index": _none,
    "admin:app_list": lambda w: {"app_label": "providers"},
}

# Registration data, not a bid: the organisation's own record (name, KvK) and its users exist
# whether or not it bids, so these pages may show the bidder's name and KvK (never the bid).
IDENTITY_PAGES = re.compile(
    r"^admin:(providers_organisation|providers_organisationmembership|auth_user)_"
)

COUNT_SHAPES = re.compile(
    r"numberOfTenderers|\"tenderers?\"|"
    r"\b[1-9]\d*\s+(?:inschrijving|inschrijvingen|inschrijver|inschrijvers|bieders?|"
    r"(?:bekwaamheids)?dossiers?|aanbieders?|documenten inschrijvingen|UEA-verklaringen|"
    r"combinaties|onderaannemers|rankings?|rankingregels)\b",
    re.IGNORECASE,
)

#: Pages that are the same for every user (the admin refuses users who are no admin staff;
#: the public site is public): fetched as the superuser only.
SAME_FOR_EVERYONE = ("admin:", "public-", "api:public-", "healthz")

SEARCH = "?q=" + BIDDER.split()[1]

STAFF = (INKOPER, VOORZITTER, BEOORDELAAR, CONTRACTMANAGER, AUDITOR)


def admin_urls(world: SealedWorld, superuser) -> dict[str, str]:
    """For each registered model with rows: its changelist (and a search in it for the bidder's
    name where it can be searched), the change page of its newest row (in this world: the
    sealed bid's, where the model holds bids) and its delete page where the superuser may
    delete it (else it is a 403); and the change page of every audit entry about the tender.
    The changelist of an empty table lists nothing; the history page is looked up like the
    change page (``get_object``) and shows no more."""
    urls = {name: reverse(name, kwargs=kwargs(world)) for name, kwargs in ADMIN_PAGES.items()}
    request = RequestFactory().get("/")
    request.user = superuser
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        newest = model._default_manager.order_by("-pk").first()
        if newest is not None:
            urls[f"{prefix}_changelist"] = reverse(f"{prefix}_changelist")
            if model_admin.search_fields:  # a search for the bidder finds nothing sealed
                urls[f"{prefix}_changelist?q"] = urls[f"{prefix}_changelist"] + SEARCH
            urls[f"{prefix}_change"] = reverse(f"{prefix}_change", args=[newest.pk])
            if model_admin.has_delete_permission(request, newest):
                urls[f"{prefix}_delete"] = reverse(f"{prefix}_delete", args=[newest.pk])
    # every entry of the log about the sealed tender (uploads, seal, the legacy ranking)
    for entry in AuditEntry.objects.filter(tender_slug=world.tender.slug):
        name = f"admin:audit_auditentry_change#{entry.seq}"
        urls[name] = reverse("admin:audit_auditentry_change", args=[entry.pk])
    return urls


def audit_entry_urls(world: SealedWorld) -> dict[str, str]:
    """The audit log screen's page of every entry about the sealed tender, and its filters by
    each action (the filter's own lists come from the visible entries only)."""
    urls = {}
    for entry in _sealed_entries(world):
        urls[f"audit-entry#{entry.seq}"] = reverse(
            "audit-entry", args=[world.tender.slug, entry.seq]
        )
        for name in ("audit-log", "audit-log-export"):
            url = reverse(name, args=[world.tender.slug])
            urls[f"{name}?action={entry.action}"] = f"{url}?action={entry.action}"
    return urls


def sweep_urls(world: SealedWorld, superuser) -> dict[str, str]:
    urls = {name: reverse(name, kwargs=kwargs(world)) for name, kwargs in URLS.items()}
    return {
        **urls,
        **portal_urls(world),
        **admin_urls(world, superuser),
        **audit_entry_urls(world),
    }


def _superuser():
    return get_user_model().objects.create_superuser("verzegeld-admin", password="x" * 16)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    verify_second_factor(client, user)
    return client


def _check(name: str, url: str, who: str, response, secrets: list[str]) -> list[str]:
    """What one response shows of the sealed bid (empty: nothing)."""
    if IDENTITY_PAGES.match(name):
        secrets = [s for s in secrets if s not in (BIDDER, KVK)]
    if response.status_code >= 500:
        return [f"{name} {url} as {who}: {response.status_code}"]
    body = response_text(response)
    failures = []
    if leaked := leaks(response, secrets, body=body):
        failures.append(f"{name} {url} as {who} shows {leaked}")
    if count := COUNT_SHAPES.search(body):
        failures.append(f"{name} {url} as {who} shows a count: {count.group(0)!r}")
    if response.get("Content-Type", "").startswith("text/html"):
        # Every HTML page carries the Content Security Policy, without 'unsafe-inline'.
        policy = response.get("Content-Security-Policy", "")
        if "default-src 'self'" not in policy or "unsafe-inline" in policy:
            failures.append(f"{name} {url} as {who}: Content-Security-Policy {policy!r}")
    return failures


def sweep(world: SealedWorld, urls: dict[str, str], superuser, *, roles=STAFF) -> list[str]:
    """Every URL as a superuser, and as every staff role in ``roles`` each URL that answers
    the superuser with a page (200), but for the pages that are the same for everyone
    (``SAME_FOR_EVERYONE``). A superuser passes every role's check, so a URL that refuses the
    superuser (403, 404, 405, a redirect) refuses the roles too; the admin refuses the roles
    anyway (they are no admin staff: ``admin:index`` is fetched as each of them)."""
    client = _client(superuser)
    failures, pages = [], {"admin:index": urls.get("admin:index", reverse("admin:index"))}
    for name, url in sorted(urls.items()):
        response = client.get(url)
        failures += _check(name, url, "superuser", response, world.secrets)
        if response.status_code == 200 and not name.startswith(SAME_FOR_EVERYONE):
            pages[name] = url
    for role in roles:
        client = _client(new_user(f"verzegeld-{role}", role))
        for name, url in sorted(pages.items()):
            failures += _check(name, url, role, client.get(url), world.secrets)
    return failures


@pytest.fixture
def world(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        return build_sealed_world()


def test_every_url_is_classified():
    """A new URL pattern fails here until ``URLS`` says how to build it (or ``SKIPPED`` why
    not); the admin's model pages are generated from its registry."""
    patterns = url_patterns()
    portal = {name for name, params in portal_patterns().items() if params <= set(PORTAL_ARGUMENTS)}
    known = set(URLS) | set(SKIPPED) | set(ADMIN_PAGES) | portal
    missing = sorted(
        f"{name} ({route})"
        for name, (route, _) in patterns.items()
        if name not in known and not ADMIN_GENERATED.match(name)
    )
    assert not missing, "URLs without a sealed-bid leak check:\n" + "\n".join(missing)
    stale = sorted(known - set(patterns))
    assert not stale, "Checks of URLs that no longer exist: " + ", ".join(stale)
    assert not set(URLS) & set(SKIPPED) and not set(URLS) & portal


def test_before_the_opening_no_page_shows_who_bid_or_what(world):
    """Every URL, every staff role and the superuser: nothing of the sealed bid, no count."""
    superuser = _superuser()
    failures = sweep(world, sweep_urls(world, superuser), superuser)
    assert not failures, "The sealed bid leaks before the opening:\n" + "\n".join(failures)


#: The pages of a tender that an Open House application could show up on.
OPEN_HOUSE_PAGES = (
    "admission",
    "tender-",
    "ranking-",
    "contract-",
    "staff-uea-pdf",
    "communication-hub",
    "ocds-download",
    "api:tender",
    "api:submission",
)


def test_an_unopened_open_house_application_shows_nowhere(settings, tmp_path):
    """An Open House application sealed in the admission period, in a batch one person has
    confirmed (not yet opened): the admission screens, the tender's pages and the portal show
    nothing of it, and no count."""
    settings.MEDIA_ROOT = str(tmp_path)
    world = build_sealed_world(slug="open-house-verzegeld", open_house=True)
    assert world.sealed.round == "application" and world.sealed.admission_batch_id
    superuser = _superuser()
    urls = {
        name: reverse(name, kwargs=kwargs(world))
        for name, kwargs in URLS.items()
        if name.startswith(OPEN_HOUSE_PAGES)
    }
    assert "admission" in urls and "admission-application" in urls
    failures = sweep(world, urls, superuser)
    assert not failures, "An unopened application leaks:\n" + "\n".join(failures)


def test_no_mail_tells_anyone_but_the_bidder_about_the_bid(world):
    """Mails made while bidding (receipts, ...) go to the bidder's own addresses only."""
    own = {world.bidder_user.email, world.organisation.contact_email}
    for message in mail.outbox:
        text = " ".join([message.subject, message.body])
        if any(secret in text for secret in (MARKER, KVK, BIDDER)):
            assert set(message.to) <= own, message.to


def test_the_sweep_finds_a_leak_when_a_guard_is_off(world, monkeypatch):
    """Switching one guard off (the OCDS package's "before the opening") makes the sweep report
    the bidder and a count in both OCDS URLs: the sweep is able to fail."""
    monkeypatch.setattr(ocds, "bids_sealed", lambda tender: False)
    names = ("ocds-download", "api:tender-ocds")
    urls = {name: reverse(name, kwargs=URLS[name](world)) for name in names}
    failures = sweep(world, urls, _superuser(), roles=())
    for name in names:
        assert any(f.startswith(name) and BIDDER in f for f in failures), failures
        assert any(f.startswith(name) and "shows a count" in f for f in failures), failures


# --- The rules one by one (what the sweep cannot see: writes, counts, the audit chain).

SEALED_MESSAGE = "De inschrijvingen zijn nog verzegeld"


def _open(world: SealedWorld) -> None:
    Tender.objects.filter(pk=world.tender.pk).update(state=TenderState.REQUESTS_OPENED)
    world.tender.refresh_from_db()


def test_a_ranking_cannot_be_requested_before_the_opening(world, client_for):
    """Service, API and screen refuse with the same Dutch reason; no ranking is made."""
    before = Ranking.objects.count()
    with pytest.raises(ApplicationError, match=SEALED_MESSAGE):
        ranking_request(tender=world.tender, phase="selection")
    with pytest.raises(ApplicationError, match=SEALED_MESSAGE):
        scores_workbook_export(tender=world.tender, phase="selection", user=None)

    client = client_for(VOORZITTER)
    response = client.post(
        "/api/v1/rankings/",
        {"tender": world.tender.slug, "phase": "selection", "seed": 0},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert SEALED_MESSAGE in problem(response)["detail"]

    page = client.post(
        reverse("ranking-overview", args=[world.tender.slug, "selection"]),
        {"seed": 0},
        follow=True,
    )
    assert SEALED_MESSAGE in page.content.decode()
    assert BIDDER not in page.content.decode()
    assert Ranking.objects.count() == before


def test_ocds_before_the_opening_is_the_tender_and_its_lots_only(world):
    """Release tag ``tender``, the lots, no tenderer party, no count; valid OCDS. From the
    opening on the tenderer and the count are there."""
    package = ocds.ocds_release_package(tender=world.tender, uri="https://example.org/ocds")
    assert ocds.ocds_validate(package) == []
    release = package["releases"][0]
    assert release["tag"] == ["tender"]
    assert [lot["id"] for lot in release["tender"]["lots"]] == ["JH", "WMO"]
    assert all("tenderer" not in party["roles"] for party in release["parties"])
    assert "numberOfTenderers" not in release["tender"]
    assert "tenderers" not in release["tender"]
    assert "awards" not in release and "bids" not in release

    _open(world)
    release = ocds.ocds_release_package(tender=world.tender, uri="x")["releases"][0]
    assert release["tender"]["numberOfTenderers"] == 1
    assert {"id": f"NL-KVK-{KVK}", "name": BIDDER} in release["tender"]["tenderers"]


def test_staff_dossier_counts_count_only_sealed_current_bids_from_the_opening(world, client_for):
    """Before the opening the tender page says "verzegeld" instead of a number; from the
    opening on it counts the current sealed version only (not the newer draft)."""
    client = client_for(INKOPER)
    url = reverse("tender-detail", args=[world.tender.slug])
    tender = tender_detail(user=client.user, slug=world.tender.slug)
    counts = {s.code: s.dossier_count for lot in tender.lots.all() for s in lot.segments.all()}
    assert counts == {"JH-DYS": None, "WMO-BG": None}
    assert "verzegeld" in client.get(url).content.decode()
    assert world.draft.dossiers.filter(segment__code="JH-DYS").exists()  # the draft has one

    _open(world)
    tender = tender_detail(user=client.user, slug=world.tender.slug)
    counts = {s.code: s.dossier_count for lot in tender.lots.all() for s in lot.segments.all()}
    assert counts == {"JH-DYS": 1, "WMO-BG": 0}


def test_the_audit_log_keeps_the_sealed_details_and_shows_them_from_the_opening(world):
    """The upload and seal entries stay in the chain (which verifies); the admin's audit log
    shows none of them before the opening and all of them, with their details, after it. (The
    details name no content: that is sealed, ``test_sealed_envelope``.)"""
    entries = AuditEntry.objects.filter(tender_slug=world.tender.slug)
    upload = entries.filter(action="submission.document_upload").first()
    assert upload.details["sha256"] and entries.filter(action="submission.seal").exists()
    # The file's name is content: sealed in the envelope, never in the audit log.
    assert MARKER not in str(upload.details)
    assert audit_verify() is None

    client = _client(_superuser())
    changelist = reverse("admin:audit_auditentry_changelist")
    page = client.get(changelist, {"q": "Zegelhof"}).content.decode()
    assert BIDDER not in page and "submission.seal" not in page
    assert client.get(reverse("admin:audit_auditentry_change", args=[upload.pk])).status_code == 302

    _open(world)
    assert BIDDER in client.get(changelist).content.decode()
    page = client.get(reverse("admin:audit_auditentry_change", args=[upload.pk]))
    assert upload.details["sha256"] in page.content.decode()
    assert audit_verify() is None


# --- Round 2 of the restricted procedure: the requests are opened and readable to staff,
# the offers are sealed (issue 14). The same sweep, with the offer's secrets.

OFFER_MARKER = "OFFERTEZEGEL"
OFFER_FIGURES = ("91357", "91.357", "29,43", "29.43", "13,71", "13.71")


def _offers_open(world: SealedWorld):
    """The world's requests opened (decrypted), round 2 open, the bidder invited for JH-DYS and
    its offer sealed with markers of its own."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from providers.models import DocumentKind, OfferInvitation
    from providers.services import submissions as services
    from providers.services.envelopes import submission_envelopes_open
    from tests.providers.submission_support import docx_bytes, draft_with_bid, pdf_bytes

    tender = world.tender
    Tender.objects.filter(pk=tender.pk).update(state=TenderState.REQUESTS_OPENED)
    tender.refresh_from_db()
    submission_envelopes_open(tender=tender, user=None)
    Tender.objects.filter(pk=tender.pk).update(
        state=TenderState.OFFERS_OPEN, offers_deadline=timezone.now() + timedelta(days=20)
    )
    tender.refresh_from_db()
    segment = tender.segments.get(code="JH-DYS")
    OfferInvitation.objects.create(tender=tender, segment=segment, organisation=world.organisation)
    user = world.bidder_user
    draft, segment = draft_with_bid(
        tender, user, world.organisation, clients=91357, months=Decimal("13.71"), hours="29,43"
    )
    marker = OFFER_MARKER.encode()
    for kind, name, data in (
        (DocumentKind.DOSSIER, f"plan-{OFFER_MARKER}.pdf", pdf_bytes(2, marker=marker)),
        (DocumentKind.REFERENCE, f"referentie-{OFFER_MARKER}.docx", docx_bytes(marker)),
    ):
        services.document_upload(
            submission=draft, kind=kind, name=name, data=data, user=user, segment=segment
        )
    offer = services.submission_seal(submission=draft, user=user)
    return offer


def test_in_round_two_the_opened_requests_are_readable_and_the_sealed_offers_show_nowhere(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        offer = _offers_open(world)
    superuser = _superuser()
    urls = sweep_urls(world, superuser)
    dossier = offer.dossiers.get()
    urls["scoring-dossier#offer"] = reverse(
        "scoring-dossier", args=[world.tender.slug, "award", dossier.pk]
    )
    urls["scoring-document#offer"] = reverse(
        "scoring-document", args=[world.tender.slug, offer.documents.first().pk]
    )
    secrets = [OFFER_MARKER, *OFFER_FIGURES, offer.content_hash]
    client = _client(superuser)
    failures = []
    for name, url in sorted(urls.items()):
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"{name} {url}: {response.status_code}")
        elif shown := leaks(response, secrets):
            failures.append(f"{name} {url} shows {shown}")
    assert not failures, "The sealed offer leaks in round 2:\n" + "\n".join(failures)
    # The opened request is readable to staff meanwhile (its documents); the offer's is not.
    assert client.get(urls["scoring-document"]).status_code == 200
    assert client.get(urls["scoring-document#offer"]).status_code == 404

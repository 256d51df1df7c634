"""Shared fixtures: users per role, the Achterhoek demo tender, logged-in clients."""

import hashlib
import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.template.loader import render_to_string
from django.test import TestCase, override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import settings as hypothesis_settings
from pytest_django.fixtures import validate_django_db

from accounts.permissions import requires_two_factor
from accounts.roles import ROLES
from contracts.services import awards
from contracts.services.contracts import contracts_create_from_awards
from evaluation.services.scenario import scenario_load
from tender.models import Tender
from tender.scenario import DEMO_DIR, load_scenario_file
from tests import database_template
from tests.contracts.award_support import (
    award_decided,
    finalise_rankings,
    request_and_finalise_rankings,
)
from tests.worker_support import start_worker

#: Property tests: 50 examples each in the suite (``make test``), 1,000 with
#: ``HYPOTHESIS_PROFILE=thorough`` (before changing an engine). A failing example is kept in
#: ``.hypothesis/`` and tried first on the next run, whatever the profile.
hypothesis_settings.register_profile("suite", max_examples=50, deadline=None)
hypothesis_settings.register_profile("thorough", max_examples=1000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


_template_key = pytest.StashKey[database_template.TemplateDatabase]()


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_setupnodes(config, specs):
    """The xdist controller migrates one template database while its workers start
    (``tests/database_template.py``)."""
    if database_template.wanted(config):
        template = database_template.TemplateDatabase(config=config)
        config.stash[_template_key] = template
        template.start()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    template = node.config.stash.get(_template_key, None)
    if template is not None:
        node.workerinput[database_template.WORKER_INPUT_KEY] = template.worker_input()


def pytest_sessionfinish(session):
    template = session.config.stash.get(_template_key, None)
    if template is not None:
        template.drop()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix):
    """pytest-django's hook before the test databases are made: an xdist worker makes its
    database as a copy of the controller's template, when there is one."""
    database_template.use_in_worker(request.config)


@pytest.fixture(scope="session")
def achterhoek_data():
    return load_scenario_file(DEMO_DIR / "achterhoek-2022.json")


def new_user(username: str, role: str | None = None, **extra):
    """A user with a password and, if given, the group of ``role`` (what ``make_user`` makes)."""
    user = get_user_model().objects.create_user(username=username, password="x" * 16, **extra)
    if role:
        assert role in ROLES
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def _load_demo(world: "DemoWorld") -> None:
    world.tender_pk = scenario_load(data=world.data, one_round=True).pk


def _load_award(world: "DemoWorld") -> None:
    """What ``award_tender`` builds on the demo: both rankings final, the tender in 'award'."""
    finalise_rankings(Tender.objects.get(pk=world.tender_pk))


def _load_awarded_rankings(world: "DemoWorld") -> None:
    """The rankings of ``awarded_tender``: requested and finalised by the chair 'voorzitter-c'.
    The award decision and standstills depend on the time and are made per test."""
    request_and_finalise_rankings(
        Tender.objects.get(pk=world.tender_pk),
        chair=new_user("voorzitter-c", "voorzitter"),
        capture=TestCase.captureOnCommitCallbacks,
    )


def _load_contracted(world: "DemoWorld") -> None:
    """What ``contracts`` builds on the awarded rankings: the award decision sent and every
    standstill ended (``award_decided``), the tender 'awarded', and the contracts made from the
    award by the contract manager 'cm'. Made once per session, so the decision's times are
    those of the moment the level is loaded (its tests compare none of them with the time)."""
    tender = Tender.objects.get(pk=world.tender_pk)
    award_decided(tender)
    with TestCase.captureOnCommitCallbacks(execute=True):
        created = contracts_create_from_awards(
            tender=tender, user=new_user("cm", "contractmanager")
        )
    world.contract_pks = [contract.pk for contract in created]


def _load_isolation(world: "DemoWorld") -> None:
    """The world of ``tests/test_isolation.py`` (``build_world``) on the award state, with its
    files in a media directory of the session and the letters as HTML, as its fixture has them.
    """
    from tests.isolation_world import build_world

    with override_settings(MEDIA_ROOT=world.media_root), pytest.MonkeyPatch.context() as patch:
        world.isolation = build_world(
            demo=Tender.objects.get(pk=world.tender_pk),
            monkeypatch=patch,
            capture=TestCase.captureOnCommitCallbacks,
        )


#: The levels of the shared world, each loaded in its own atomic block on top of the one before.
WORLD_LEVELS = {
    "demo": _load_demo,
    "award": _load_award,
    "awarded": _load_awarded_rankings,
    "contracted": _load_contracted,
    "isolation": _load_isolation,
}
#: The stacks of levels a test may want, in the order their tests run.
WORLD_STACKS = (
    ("demo",),
    ("demo", "award"),
    ("demo", "award", "isolation"),
    ("demo", "awarded"),
    ("demo", "awarded", "contracted"),
)


class DemoWorld:
    """The Achterhoek demo (and the award states built on it), loaded once and shared by the
    tests that ask for ``demo_tender`` (``award_tender``, ``awarded_tender``, ``contracts``).

    Loading the scenario takes a second or more, and about 200 tests want it; computing and
    finalising both rankings on top takes about as long again, and about 120 tests want that;
    making the contracts from the final award takes half a second more, for about 40 tests;
    the isolation test's world (``tests/isolation_world.py``) about three seconds, for three.
    So the world is loaded in levels: the demo into an outer transaction that stays open while
    its tests run, and each award state in a nested atomic block (a savepoint) on top of it
    (``WORLD_LEVELS``). Each test runs inside the levels it wants in its own savepoint
    (pytest-django's per-test atomic), which is rolled back after the test as always. Before a
    test, the levels it does not want are rolled back (unloaded), top first, and the levels it
    wants loaded; every other database test sees an empty database as before. The tests are
    ordered so that the tests of one stack of levels run one after another (``pytest_collection_
    modifyitems`` below), so each level is loaded about once per session (per xdist worker).

    Transactional tests (``transactional_db``, ``live_server``: browser and worker tests) commit
    and flush the tables; they never run inside the world and load the demo themselves.
    """

    def __init__(self, *, blocker, data, media_root):
        self.blocker = blocker
        self.data = data
        self.media_root = media_root
        self.stack: list[tuple[str, transaction.Atomic]] = []
        self.connection = None
        self.tender_pk = None
        self.contract_pks: list[int] = []
        self.isolation = None

    @property
    def loaded(self) -> bool:
        return bool(self.stack)

    def has(self, level: str) -> bool:
        return any(name == level for name, _ in self.stack)

    def switch(self, levels: tuple[str, ...]) -> None:
        """Unload the levels above the common base of the loaded ones and ``levels``, then load
        the rest of ``levels``."""
        common = 0
        for (name, _), wanted in zip(self.stack, levels, strict=False):
            if name != wanted:
                break
            common += 1
        while len(self.stack) > common:
            self._pop()
        for name in levels[common:]:
            self._push(name)

    def unload(self) -> None:
        self.switch(())

    def _push(self, name: str) -> None:
        with self.blocker.unblock():
            atomic = transaction.atomic()
            # Marked as Django's TestCase marks its atomics, so that code using a durable
            # atomic block still runs inside the test's own atomic block on top of this one.
            atomic._from_testcase = True
            atomic.__enter__()
            if not self.stack:
                self.connection = transaction.get_connection()
            try:
                WORLD_LEVELS[name](self)
            except BaseException:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
                if not self.stack:
                    self.connection = None
                    self.tender_pk = None
                raise
            self.stack.append((name, atomic))

    def _pop(self) -> None:
        if transaction.get_connection() is not self.connection:
            # Playwright's event loop gives the main thread other connection objects; the
            # world is unloaded before any fixture of a test that does not want it is set up
            # (``pytest_runtest_setup``), so before the browser starts.
            raise RuntimeError("The shared demo's connection is no longer the current one.")
        name, atomic = self.stack.pop()
        with self.blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
        if not self.stack:
            self.connection = None
            self.tender_pk = None
        if name == "contracted":
            self.contract_pks = []
        if name == "isolation":
            self.isolation = None


def _is_transactional(item) -> bool:
    """Whether pytest-django runs the test ``item`` as a ``TransactionTestCase`` (its rule)."""
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    transactional, reset_sequences, *_ = validate_django_db(marker) if marker else (False, False)
    return bool(
        transactional
        or reset_sequences
        or {"transactional_db", "live_server", "django_db_reset_sequences"} & set(names)
    )


def _world_levels(item) -> tuple[str, ...]:
    """The levels of the shared world the test ``item`` runs in: none for a test that does not
    want the demo or is transactional; the award state of ``award_tender`` or the rankings of
    ``awarded_tender`` on top of the demo for a test that wants one of them (not both: such a
    test builds them itself), and the contracts on top of those for a test that wants
    ``contracts`` (directly or through another fixture: ``fixturenames`` is transitive); the
    isolation world on top of the award state for a test that wants ``isolation_world``."""
    names = set(getattr(item, "fixturenames", ()))
    if "demo_tender" not in names or _is_transactional(item):
        return ()
    award = {"award_tender", "awarded_tender"} & names
    if not award and "isolation_world" in names:
        return ("demo", "award", "isolation")
    if award == {"award_tender"}:
        return ("demo", "award")
    if award == {"awarded_tender"}:
        if "contracts" in names:
            return ("demo", "awarded", "contracted")
        return ("demo", "awarded")
    return ("demo",)


_world: DemoWorld | None = None


@pytest.fixture(scope="session")
def _demo_world(django_db_setup, django_db_blocker, achterhoek_data, tmp_path_factory):
    global _world
    _world = DemoWorld(
        blocker=django_db_blocker,
        data=achterhoek_data,
        media_root=str(tmp_path_factory.mktemp("world-media")),
    )
    yield _world
    _world.unload()
    _world = None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Roll the shared demo back before any fixture of a test that does not want it is set up
    (a session fixture such as the browser may change what the main thread's connection is)."""
    if _world is not None and not _world_levels(item):
        _world.unload()


@pytest.fixture
def _demo_world_switch(request, _demo_world):
    """Before a test's own atomic block: load the levels of the shared world the test wants,
    roll back the others (all of them for any other database test)."""
    _demo_world.switch(_world_levels(request.node))


@pytest.fixture
def _django_db_helper(_demo_world_switch, _django_db_helper):
    """pytest-django's per-test database setup, after the shared demo has been switched."""
    yield


@pytest.fixture
def demo_tender(db, _demo_world, achterhoek_data):
    """The Achterhoek demo scenario, loaded through the same service as ``load_scenario``, in
    one round (requests only: the award scored on the requests; the rankings and lumpsums
    equal the two-round load of ``load_demo``, tests/tender/test_setup_scenario.py).

    A fresh instance of the shared, once-loaded demo (see ``DemoWorld``); a transactional test
    loads (and commits) its own copy.
    """
    if _demo_world.loaded:
        return Tender.objects.get(pk=_demo_world.tender_pk)
    return scenario_load(data=achterhoek_data, one_round=True)


@pytest.fixture
def award_tender(demo_tender, _demo_world):
    """The Achterhoek demo in the award phase with final rankings of both phases: a fresh
    instance of the shared award state (see ``DemoWorld``); a transactional test, or one that
    also wants ``awarded_tender``, builds its own."""
    if not _demo_world.has("award"):
        finalise_rankings(demo_tender)
    return demo_tender


@pytest.fixture(scope="session", autouse=True)
def _letters_rendered_once(tmp_path_factory):
    """WeasyPrint makes each distinct award letter once per run, whichever test asks first.

    Several tests make the Achterhoek demo's 52 letters as real PDFs (0.5-1.5 s each), and they
    make the same letters: the same demo, ranking and day give the same HTML. WeasyPrint's
    output is a function of its input, so the PDF of an HTML text made before is the same bytes;
    it is kept in a directory shared by the xdist workers of the run, keyed by the hash of the
    template name and the HTML. A letter whose HTML differs in any byte is rendered anew. The
    real worker tests (another process) and ``fast_pdf`` do not pass through here.
    """
    base = tmp_path_factory.getbasetemp()
    cache = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "letters"
    cache.mkdir(exist_ok=True)
    real = awards.render_to_pdf

    def render_once(template_name: str, context: dict) -> bytes:
        html = render_to_string(template_name, context)
        key = hashlib.sha256(f"{template_name}\0{html}".encode()).hexdigest()
        path = cache / f"{key}.pdf"
        if path.exists():
            return path.read_bytes()
        pdf = real(template_name, context)
        part = path.with_suffix(f".{os.getpid()}.part")
        part.write_bytes(pdf)
        part.replace(path)  # atomic: another worker never reads half a file
        return pdf

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(awards, "render_to_pdf", render_once)
        yield


BROWSER_DIR = Path(__file__).parent / "browser"


def _auto_mark(item) -> None:
    """Every browser test carries ``browser`` and every test with a real Celery worker
    ``worker``, whether or not its module says so (``make test-fast`` skips both)."""
    names = getattr(item, "fixturenames", ())
    if BROWSER_DIR in Path(item.path).parents or {"live_server", "page"} & set(names):
        item.add_marker(pytest.mark.browser)
    module = getattr(item, "module", None)
    if "celery_worker_process" in names or getattr(module, "start_worker", None) is start_worker:
        item.add_marker(pytest.mark.worker)


def pytest_collection_modifyitems(items):
    """Marks as above, and the order of ``_run_order`` (this hook runs after pytest-django's,
    which is ``tryfirst``; the sort is stable, so its order stays within each group)."""
    for item in items:
        _auto_mark(item)
    items.sort(key=_run_order)


def _run_order(item) -> tuple[int, int]:
    """Where ``item`` runs: the longest tests first, the browser tests (about half the run's
    time), then the other transactional tests (real worker, concurrency); then the tests of the
    shared world, those of one stack of levels one after another (``WORLD_STACKS``) so that
    each level is loaded about once; then the other database tests and the rest.

    Longest first keeps both xdist workers busy to the end: they take their first tests in
    one chunk each and the rest one by one, so the run ends with short tests. Transactional
    tests may run first because their flush keeps what the migrations made (the role groups
    come back with ``post_migrate``, as permissions and content types do).
    """
    if item.get_closest_marker("browser"):
        return (0, 0)
    if _is_transactional(item):
        return (1, 0)
    levels = _world_levels(item)
    if levels:
        return (2, WORLD_STACKS.index(levels))
    return (3, 0)


@pytest.fixture
def make_user(db):
    return new_user


def verify_second_factor(client, user):
    """Give ``user`` a confirmed TOTP device and mark the client's session as having passed the
    TOTP step, as ``django_otp.login`` does after a right code."""
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def client_for(client, make_user):
    """A Django test client logged in as a fresh user with ``role``; municipal roles have
    passed the TOTP step as well."""

    def login(role: str | None, username: str | None = None):
        user = make_user(username or f"user-{role or 'none'}", role)
        client.force_login(user)
        if requires_two_factor(user):
            verify_second_factor(client, user)
        client.user = user
        return client

    return login


@pytest.fixture(autouse=True)
def dutch():
    """Every test starts in Dutch, whatever language an earlier request switched to."""
    from django.utils import translation

    translation.activate("nl")
    yield
    translation.activate("nl")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Every test starts with empty rate-limit counters (accounts.ratelimit; DRF's throttles):
    the suite's requests all come from one address."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def rate_limit_of(settings):
    """``rate_limit_of(action, ip=n, account=n)``: lower one action's rate limits (per client
    address, per account; None: no limit) for this test, within a window of an hour."""

    def set_limit(action, *, ip=None, account=None, seconds=3600):
        settings.RATE_LIMITS = {
            **settings.RATE_LIMITS,
            action: {"ip": ip, "account": account, "seconds": seconds},
        }

    return set_limit

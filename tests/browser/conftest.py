"""Headless Chromium (Debian's, through Playwright) against pytest-django's ``live_server``.

Playwright's sync API runs an event loop in the test thread, so Django refuses ORM calls there
unless ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set (the Makefile sets it; we default it here too).
"""

import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.permissions import requires_two_factor

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
AXE_STATIC = "vendor/axe-core/axe.min.js"
SCREENS = Path("/tmp/screens")  # noqa: S108 - outside the repository on purpose


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    """Run on their own, the browser tests use their own test database (``..._browser``),
    made as the suite's are (``tests/conftest.py``: with xdist, a copy of the run's template).

    Their tests are transactional: they commit (the live server thread must see the data)
    and flush every table afterwards. On a shared ``--reuse-db`` database that collides with
    other test runs going on at the same time. In a whole-suite run the database is already
    set up by the time this runs, and the suite's database is used as is.
    """
    db = settings.DATABASES["default"]
    if db["NAME"].startswith("test_"):  # already switched to the suite's test database
        return
    test = db.setdefault("TEST", {})
    test["NAME"] = f"{test.get('NAME') or 'test_' + db['NAME']}_browser"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


# Reports every Content Security Policy violation of a page (an inline script or style, an
# outside host, eval) on the console, where the ``page`` fixture collects it. Playwright adds
# this script through the DevTools protocol, so the policy itself does not block it.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || document.location.href}:${event.lineNumber}`
    + (event.sample ? ` (${event.sample})` : ""));
});
"""


@pytest.fixture
def csp_violations():
    """The CSP violations the test's pages report; the test fails when there is any."""
    violations: list[str] = []
    yield violations
    assert not violations, "Content Security Policy violations:\n" + "\n".join(violations)


def new_context(browser, violations, **options):
    """A browser context as the tests use it, whose pages report CSP violations to
    ``violations`` (the ``csp_violations`` fixture)."""
    context = browser.new_context(
        **{
            "locale": "nl-NL",
            "timezone_id": "Europe/Amsterdam",
            "viewport": {"width": 1280, "height": 900},
            **options,
        }
    )
    context.set_default_timeout(15_000)
    context.add_init_script(CSP_LISTENER)

    def collect(message):
        if message.text.startswith("CSP violation:"):
            violations.append(message.text)

    context.on("console", collect)
    return context


@pytest.fixture
def page(browser, csp_violations):
    context = new_context(browser, csp_violations)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def login(page, live_server, username, password):
    """Log in through the real form at /accounts/login/ and wait for the redirect; municipal
    users then pass the real TOTP step with a code of their (created if missing) device."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Inloggen").click()
    assert "/accounts/login/" not in page.url, f"login as {username!r} failed: {page.url}"
    user = get_user_model().objects.get(username=username)
    if requires_two_factor(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="browser-test", confirmed=True)
            page.goto(page.url)  # the middleware sent us to the setup page; now to verify
        assert "/accounts/2fa/" in page.url, page.url
        page.locator("#id_token").fill(totp_code(device))
        with page.expect_navigation():
            page.get_by_role("button", name="Verder").click()
        assert "/accounts/2fa/" not in page.url, f"2FA step for {username!r} failed: {page.url}"


def totp_code(device, at: float | None = None) -> str:
    """A code ``device`` accepts now: the current step, or the next one when the current step
    was already used (django-otp refuses a code twice; it allows one step of clock drift)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    if totp.t() <= device.last_t:
        totp.time += device.step
    return f"{totp.token():0{device.digits}d}"


def screenshot(page, name):
    """A full-page PNG in /tmp/screens (outside the repository) for a human to look at, when
    ``BROWSER_SCREENSHOTS=1`` is set (a full-page PNG costs a few tenths of a second, and
    nothing in the suite reads them)."""
    if os.environ.get("BROWSER_SCREENSHOTS") != "1":
        return
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def axe_violations(page, impacts=("serious", "critical")):
    """Run the vendored axe-core on the current page; the violations with one of ``impacts``."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # By URL from our own origin: an inline <script> would break the page's CSP.
        origin = page.evaluate("() => location.origin")
        page.add_script_tag(url=f"{origin}{settings.STATIC_URL.rstrip('/')}/{AXE_STATIC}")
    # Only the violations are read: axe then keeps one node of each passed or inapplicable
    # rule instead of all of them (the same violations, less work on every page).
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in impacts]


def format_violations(violations):
    lines = []
    for v in violations:
        targets = ", ".join(" ".join(map(str, node["target"])) for node in v["nodes"])
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} -> {targets}")
    return "\n".join(lines)


def assert_no_axe_violations(page, impacts=("serious", "critical")):
    violations = axe_violations(page, impacts)
    assert not violations, f"axe on {page.url}:\n{format_violations(violations)}"


def confirm_if_asked(page, timeout=None):
    """An irreversible action first shows its confirmation page (accounts.confirmation): when
    the page is one, press its confirming button and wait for the result."""
    form = page.locator("form.app-confirm__form")
    if form.count():
        with page.expect_navigation(timeout=timeout):
            form.locator("button[type=submit]").click(timeout=timeout)


def assert_no_axe_violations_narrow(page, width=390, height=844):
    """axe-core at a phone's width (390 px) as well, then back to the usual viewport."""
    size = page.viewport_size
    page.set_viewport_size({"width": width, "height": height})
    try:
        assert_no_axe_violations(page)
    finally:
        page.set_viewport_size(size)

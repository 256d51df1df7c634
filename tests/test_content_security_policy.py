"""The Content Security Policy (config.csp, settings.CONTENT_SECURITY_POLICY) on the pages,
and the API documentation served from our own static files. The browser tests check in
Chromium that no page breaks the policy (tests/browser/conftest.py, the ``page`` fixture)."""

import json
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def assert_strict(response):
    policy = policy_of(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


def test_public_pages_have_a_strict_policy(client, demo_tender):
    for url in (
        reverse("login"),
        reverse("password_reset"),
        reverse("portal-register"),
        reverse("public-tenders"),
        reverse("public-tender", args=[demo_tender.slug]),
        "/admin/login/",
        "/bestaat-niet/",
    ):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert_strict(response)


def test_signed_in_pages_have_a_strict_policy(client_for, demo_tender):
    client = client_for("inkoper")
    for url in (
        reverse("home"),
        reverse("tender-detail", args=[demo_tender.slug]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(response)


def test_pages_carry_no_inline_script_or_style(client, demo_tender):
    """An inline script or style would be blocked; page data goes as json_script."""
    html = client.get(reverse("public-tender", args=[demo_tender.slug])).content.decode()
    html += client.get(reverse("login")).content.decode()
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert scripts and all("src=" in attrs or "application/json" in attrs for attrs in scripts)
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+=|hx-on", html)
    # htmx adds no <style> of its own, copies no style attribute, runs no eval (hx-on, js:).
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html).group(1)
    assert json.loads(config) == {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "attributesToSettle": ["class", "width", "height"],
    }


def test_the_api_documentation_loads_nothing_from_another_host(client):
    response = client.get(reverse("api-docs"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", html), html
    assert "<style" not in html and not re.search(r"<script>", html)  # no inline code
    assert_strict(response)
    script = client.get(reverse("api-docs") + "?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    # The page policy is for HTML answers only (config.csp): not a script, PDF or file.
    assert "Content-Security-Policy" not in script

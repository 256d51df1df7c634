"""Fixtures of the award decision tests."""

import pytest

from tests.contracts.award_support import finalise_rankings


@pytest.fixture
def fast_pdf(monkeypatch):
    """Letters without WeasyPrint (for the tests about the workflow, not the PDF): the
    'PDF' is the rendered HTML, so its content can still be checked."""
    from django.template.loader import render_to_string

    def fake(template_name, context):
        return render_to_string(template_name, context).encode()

    monkeypatch.setattr("contracts.services.awards.render_to_pdf", fake)


@pytest.fixture
def award_tender(demo_tender):
    """The Achterhoek demo in the award phase with final rankings of both phases."""
    finalise_rankings(demo_tender)
    return demo_tender

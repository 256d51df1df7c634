from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from evaluation.selectors import final_ranking

pytestmark = pytest.mark.django_db


def test_demo_award_brings_the_demo_to_the_award_phase(demo_tender, settings):
    # The scenario's chair evaluator is the user 'voorzitter'.
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_award", "inkoop-2022")
    settings.DEBUG = True
    call_command("demo_award", "inkoop-2022", stdout=StringIO())
    call_command("demo_award", "inkoop-2022", stdout=StringIO())  # again: no change
    demo_tender.refresh_from_db()
    assert demo_tender.state == "award"
    assert final_ranking(tender=demo_tender, phase="award") is not None

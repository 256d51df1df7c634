"""Production refuses the published development master key (system check providers.E001)."""

import base64
import os

from django.core.checks import Error
from django.test import override_settings

from providers.checks import check_master_key_not_development

DEV_KEY = "ZGV2LW9ubHktc3VibWlzc2lvbi1tYXN0ZXIta2V5ISE="


@override_settings(DEBUG=False, ALLOW_DEVELOPMENT_MASTER_KEY=False, SUBMISSION_MASTER_KEY=DEV_KEY)
def test_production_with_the_development_master_key_is_an_error():
    errors = check_master_key_not_development()
    assert [(type(e), e.id) for e in errors] == [(Error, "providers.E001")]


@override_settings(
    DEBUG=False,
    ALLOW_DEVELOPMENT_MASTER_KEY=False,
    SUBMISSION_MASTER_KEY=base64.b64encode(os.urandom(32)).decode(),
)
def test_production_with_a_real_master_key_passes():
    assert check_master_key_not_development() == []


@override_settings(DEBUG=False, ALLOW_DEVELOPMENT_MASTER_KEY=True, SUBMISSION_MASTER_KEY=DEV_KEY)
def test_development_and_test_settings_may_use_the_development_key():
    assert check_master_key_not_development() == []

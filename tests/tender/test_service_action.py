"""The one way an HTML page shows a refused service action (``tender.errors.service_action``)."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from tender.errors import ApplicationError, attempt, service_action
from tender.models import Region

pytestmark = pytest.mark.django_db


class NameForm(forms.Form):
    name = forms.CharField()
    password1 = forms.CharField(required=False)
    service_fields = {"password": "password1"}


def request_with_messages():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def refuse(message="Dat mag niet.", field=None):
    raise ApplicationError(message, field=field)


def bound_form():
    form = NameForm({"name": "x"})
    assert form.is_valid()
    return form


def test_without_a_form_the_refusal_is_a_page_message():
    request = request_with_messages()
    with service_action(request) as outcome:
        refuse()
    assert outcome.refused and outcome.error.message == "Dat mag niet."
    assert [str(m) for m in get_messages(request)] == ["Dat mag niet."]


def test_a_refusal_about_a_field_of_the_form_goes_onto_that_field():
    form = bound_form()
    with service_action(form=form):
        refuse("Te kort.", field="name")
    assert form.errors == {"name": ["Te kort."]}


def test_a_form_maps_the_services_field_names_and_puts_others_above_the_form():
    form = bound_form()
    with service_action(form=form):
        refuse("Te zwak.", field="password")
    with service_action(form=form):
        refuse("Nee.", field="unknown")
    assert form.errors["password1"] == ["Te zwak."]
    assert form.non_field_errors() == ["Nee."]


def test_success_goes_on_inside_the_block():
    request = request_with_messages()
    with service_action(request) as outcome:
        done = True
    assert done and not outcome.refused and list(get_messages(request)) == []


def test_the_refused_action_is_rolled_back_as_a_whole():
    with service_action() as outcome:
        Region.objects.create(code="weg", name="Weg")
        refuse()
    assert outcome.refused and not Region.objects.filter(code="weg").exists()


def test_attempt_returns_the_result_or_none():
    form = bound_form()
    assert attempt(form, lambda: 42) == 42
    assert attempt(form, lambda: refuse("Nee.")) is None
    assert form.non_field_errors() == ["Nee."]


def test_other_exceptions_pass():
    with pytest.raises(ValueError), service_action():
        raise ValueError

"""Reminder mails before the extension deadline (once per threshold), and the split of an
instalment over municipalities to the cent."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from audit.models import AuditEntry
from contracts.models import Contract, ContractReminder
from contracts.services.contracts import contract_extend, contract_reminders_send
from contracts.services.schedule import municipality_weights, split_cents
from contracts.tasks import contract_send_extension_reminders
from tender.models import Municipality

D = Decimal

# --------------------------------------------------------------------------- split


@pytest.mark.parametrize(
    ("amount", "weights", "expected"),
    [
        # 100.00 / 3: 33.33 each, the cent left over to the lowest code (equal remainders)
        (D("100.00"), [("A", 1), ("B", 1), ("C", 1)], [D("33.34"), D("33.33"), D("33.33")]),
        # 0.02 over 3: two cents, to A and B
        (D("0.02"), [("A", 1), ("B", 1), ("C", 1)], [D("0.01"), D("0.01"), D("0.00")]),
        # by inhabitants 1:2:3 of 10.00: 1.666.. 3.333.. 5.00 -> floors 1.66 3.33 5.00 (9.99);
        # the largest remainder (.666.. of A) takes the cent
        (D("10.00"), [("A", 1), ("B", 2), ("C", 3)], [D("1.67"), D("3.33"), D("5.00")]),
        (D("23321.50"), [("GM1", 1)], [D("23321.50")]),
        (D("0.00"), [("A", 5), ("B", 7)], [D("0.00"), D("0.00")]),
        # all-zero weights count as equal
        (D("1.01"), [("A", 0), ("B", 0)], [D("0.51"), D("0.50")]),
    ],
)
def test_split_cents_worked_examples(amount, weights, expected):
    shares = split_cents(amount, weights)
    assert [s for _, s in shares] == expected
    assert sum(s for _, s in shares) == amount
    assert [k for k, _ in shares] == [k for k, _ in weights]


def test_split_cents_always_adds_up():
    for cents in range(0, 2000, 7):
        amount = D(cents).scaleb(-2)
        for weights in ([("A", 3), ("B", 5), ("C", 11)], [(str(i), 1) for i in range(8)]):
            assert sum(s for _, s in split_cents(amount, weights)) == amount


def test_split_cents_refuses_sub_cent_amounts():
    with pytest.raises(ValueError):
        split_cents(D("1.005"), [("A", 1)])


def test_inhabitants_split_falls_back_to_equal_when_a_number_is_missing():
    a = Municipality(code="GM0001", name="A", inhabitants=1000)
    b = Municipality(code="GM0002", name="B", inhabitants=None)
    assert municipality_weights([b, a], "inhabitants") == (
        [("GM0001", 1), ("GM0002", 1)],
        "equal",
    )
    b.inhabitants = 3000
    assert municipality_weights([b, a], "inhabitants") == (
        [("GM0001", 1000), ("GM0002", 3000)],
        "inhabitants",
    )


# --------------------------------------------------------------------------- reminders


@pytest.fixture
def managers(make_user):
    return [
        make_user("cm-mail", "contractmanager", email="cm@example.org"),
        make_user("cm-nomail", "contractmanager"),
        make_user("ink-mail", "inkoper", email="inkoper@example.org"),
    ]


@pytest.mark.django_db
def test_reminders_at_three_and_one_month_once_each(
    contracts, managers, django_capture_on_commit_callbacks
):
    # Segments from 1 Jan 2022 end 31 Dec 2024: deadline 30 Jun 2024. JH-DYS segments
    # (1 Aug 2021 - 31 Jul 2024): deadline 31 Jan 2024, which is the deadline of a contract
    # holding one (the earliest of its segments'), even when its other segments end later.
    n_2022 = Contract.objects.exclude(segments__segment__code="JH-DYS").count()
    assert n_2022 < Contract.objects.filter(end_date=date(2024, 12, 31)).count()
    with django_capture_on_commit_callbacks(execute=True):
        assert contract_reminders_send(today=date(2024, 3, 29)) == 0  # before 3 months
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert contract_reminders_send(today=date(2024, 3, 30)) == n_2022
    assert len(mail.outbox) == n_2022
    assert {tuple(m.to) for m in mail.outbox} == {("cm@example.org",)}
    assert "30 juni 2024" in mail.outbox[0].subject
    assert "/contracten/" in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        assert contract_reminders_send(today=date(2024, 4, 15)) == 0  # nothing new
    assert len(mail.outbox) == n_2022

    with django_capture_on_commit_callbacks(execute=True):
        assert contract_reminders_send(today=date(2024, 5, 30)) == n_2022  # 1 month
        assert contract_reminders_send(today=date(2024, 5, 30)) == 0
    assert len(mail.outbox) == 2 * n_2022
    assert ContractReminder.objects.filter(months_before=1).count() == n_2022

    with django_capture_on_commit_callbacks(execute=True):
        assert contract_reminders_send(today=date(2024, 7, 1)) == 0  # deadline passed
    assert AuditEntry.objects.filter(action="contract.reminder").count() == 2 * n_2022


@pytest.mark.django_db
def test_a_decided_term_gets_no_reminder_and_a_new_term_starts_over(
    contracts, managers, contract_manager, django_capture_on_commit_callbacks
):
    contract = Contract.objects.get(provider__kvk="30000002")
    with django_capture_on_commit_callbacks(execute=True):
        contract_reminders_send(today=date(2024, 4, 1))
    sent = len(mail.outbox)
    with time_machine.travel(datetime(2024, 6, 1, 12, tzinfo=ZoneInfo("Europe/Amsterdam"))):
        contract_extend(contract=contract, user=contract_manager)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        contract_reminders_send(today=date(2024, 6, 1))
    assert not any(contract.number in m.subject for m in mail.outbox)
    # new term ends 31 Dec 2026: deadline 30 Jun 2026, reminders again from 30 Mar 2026
    with django_capture_on_commit_callbacks(execute=True):
        contract_send_extension_reminders.apply(kwargs={}).get()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        contract_reminders_send(today=date(2026, 4, 1))
    assert any(contract.number in m.subject for m in mail.outbox)
    assert sent > 0


@pytest.mark.django_db
def test_late_first_run_records_every_passed_threshold_and_mails_once(
    contracts, managers, django_capture_on_commit_callbacks
):
    contract = Contract.objects.get(provider__kvk="30000002")
    with django_capture_on_commit_callbacks(execute=True):
        contract_reminders_send(today=date(2024, 6, 15))
    assert sum(contract.number in m.subject for m in mail.outbox) == 1
    assert set(
        ContractReminder.objects.filter(contract=contract).values_list("months_before", flat=True)
    ) == {3, 1}


def test_the_reminder_task_is_scheduled_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["contract-extension-reminders"]
    assert entry["task"] == "contracts.tasks.contract_send_extension_reminders"
    assert entry["schedule"] == 24 * 60 * 60

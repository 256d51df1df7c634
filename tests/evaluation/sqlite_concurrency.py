"""Two evaluators autosaving at the same time on the embedded default (SQLite in a file, the
settings of ``make run``). Run as a subprocess by ``test_sqlite_concurrency.py``::

    DATABASE_URL=sqlite:////tmp/x.db python -m tests.evaluation.sqlite_concurrency

It creates the tables (without migrations, for speed), loads a small tender with one dossier
and two assigned evaluators, then lets both save ``SAVES`` scores each through the real
service (``score_save``: one transaction that reads, writes the score and appends to the
audit chain) in two threads, each with its own connection. It prints one JSON line: the
saves that succeeded, every error, and the journal mode of the database.
"""

import json
import os
import sys
import threading

SAVES = 20


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, connections

    from accounts.roles import BEOORDELAAR, VOORZITTER
    from evaluation.services.scoring import score_save
    from tender.scenario import DEMO_DIR, load_scenario_file
    from tests.evaluation.scoring_support import (
        assign,
        criteria_of,
        declare,
        dossiers_of,
        load_small,
    )

    assert connection.vendor == "sqlite", connection.vendor
    settings.MIGRATION_MODULES = {config.label: None for config in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)

    def user(username: str, role: str):
        account = get_user_model().objects.create_user(username=username, password="x" * 16)
        account.groups.add(Group.objects.get_or_create(name=role)[0])
        return account

    tender = load_small(load_scenario_file(DEMO_DIR / "achterhoek-2022.json"), bidders=2)
    chair = user("chair", VOORZITTER)
    evaluators = [user("ev1", BEOORDELAAR), user("ev2", BEOORDELAAR)]
    dossier = dossiers_of(tender)[0]
    assign(dossier, evaluators, chair)
    for evaluator in evaluators:
        declare(dossier, evaluator)
    criteria = criteria_of(dossier)
    levels = ("0.5", "1")
    connections.close_all()

    start = threading.Barrier(len(evaluators))
    saved: list[str] = []
    errors: list[str] = []

    def save_all(evaluator) -> None:
        try:
            start.wait()
            for i in range(SAVES):
                # Every save changes the stored level, so every save writes.
                level = levels[(i // len(criteria)) % 2]
                try:
                    score_save(
                        dossier=dossier,
                        criterion=criteria[i % len(criteria)],
                        user=evaluator,
                        level=level,
                        rationale=f"{evaluator.username} {i}",
                    )
                    saved.append(evaluator.username)
                except Exception as exc:  # every failure is reported, whatever its kind
                    errors.append(f"{evaluator.username} save {i}: {exc!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save_all, args=(e,)) for e in evaluators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
    print(json.dumps({"saved": len(saved), "errors": errors, "journal_mode": journal_mode}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""One migrated test database per run, copied for each xdist worker.

Migrating an empty database runs every migration of the project and renders Django's model
state for each of them: tens of seconds of CPU. With pytest-xdist each worker used to do that
for its own database, all at once on a machine whose cores the workers need anyway. Instead the
controller (the ``pytest -n`` process, which runs no test) migrates one template database in a
thread while the workers start and collect, and each worker creates its database as a copy of
it with PostgreSQL's ``CREATE DATABASE ... TEMPLATE`` (Django's ``TEST["TEMPLATE"]`` setting),
which takes a fraction of a second. Django's ``migrate`` still runs on the copy as always (it
finds nothing to apply and sends ``post_migrate``), and pytest-django creates, uses and drops
each worker's database as before.

Only on PostgreSQL, with xdist, and when the run creates its databases afresh (not
``--reuse-db`` without ``--create-db``, nor ``--nomigrations``); otherwise nothing changes. The
template is made anew in every run (an old one left by a killed run is dropped first) and
dropped when the run ends. A worker waits for it on a file lock that the controller holds
while it migrates; if the migration fails, the worker's database setup fails with its error.
"""

from __future__ import annotations

import fcntl
import tempfile
import threading
import traceback
from pathlib import Path

import pytest

#: The key in the workers' ``workerinput``: the template's name and the lock to wait on.
WORKER_INPUT_KEY = "asd_test_db_template"


class TemplateDatabase:
    """The controller's side: migrates the template in a thread, drops it at the end."""

    def __init__(self, *, config: pytest.Config):
        from django.db import connections

        self.config = config
        self.name = f"{connections['default'].creation._get_test_db_name()}_template"
        handle, path = tempfile.mkstemp(prefix="asd-test-db-template-", suffix=".lock")
        self.lock = open(handle, "w")  # noqa: SIM115 - held by the thread, closed by it
        self.lock_path = Path(path)
        self.error_path = self.lock_path.with_suffix(".error")
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        """Take the lock (before any worker exists) and migrate the template in a thread."""
        fcntl.flock(self.lock, fcntl.LOCK_EX)
        self.thread = threading.Thread(target=self._create, name="test-db-template", daemon=True)
        self.thread.start()

    def _create(self) -> None:
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        # Django's connections are per thread: this thread's own, on the same settings.
        connection = connections["default"]
        settings_dict = connection.settings_dict
        name, test_name = settings_dict["NAME"], settings_dict["TEST"].get("NAME")
        try:
            settings_dict["TEST"]["NAME"] = self.name
            with self.config.stash[blocking_manager_key].unblock():
                connection.creation.create_test_db(
                    verbosity=0, autoclobber=True, serialize=False, keepdb=False
                )
                # CREATE DATABASE ... TEMPLATE needs the template to have no connection.
                connection.close()
        except BaseException:
            self.error_path.write_text(traceback.format_exc(), encoding="utf-8")
            raise
        finally:
            settings_dict["NAME"], settings_dict["TEST"]["NAME"] = name, test_name
            fcntl.flock(self.lock, fcntl.LOCK_UN)
            self.lock.close()

    def worker_input(self) -> dict[str, str]:
        return {"name": self.name, "lock": str(self.lock_path)}

    def drop(self) -> None:
        """At the end of the run: stop a migration still running (a run without a database
        test may end first) and drop the template."""
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        connection = connections["default"]
        with (
            self.config.stash[blocking_manager_key].unblock(),
            connection._nodb_cursor() as cursor,
        ):
            while self.thread is not None and self.thread.is_alive():
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    [self.name],
                )
                self.thread.join(timeout=1)
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(self.name)}")
        self.lock_path.unlink(missing_ok=True)
        self.error_path.unlink(missing_ok=True)


def wanted(config: pytest.Config) -> bool:
    """Whether this run's workers should copy a template (see the module docstring)."""
    from django.conf import settings

    databases = settings.DATABASES
    fresh = config.getoption("create_db") or not config.getoption("reuse_db")
    return (
        set(databases) == {"default"}
        and databases["default"]["ENGINE"] == "django.db.backends.postgresql"
        and fresh
        and not config.getoption("nomigrations")
    )


def use_in_worker(config: pytest.Config) -> None:
    """In an xdist worker: wait for the controller's template and create this worker's test
    database as a copy of it. Nothing if the controller made no template."""
    template = getattr(config, "workerinput", {}).get(WORKER_INPUT_KEY)
    if not template:
        return
    from django.conf import settings

    lock_path = Path(template["lock"])
    with lock_path.open() as lock:
        fcntl.flock(lock, fcntl.LOCK_SH)  # until the controller has migrated the template
    error_path = lock_path.with_suffix(".error")
    if error_path.exists():
        raise RuntimeError(
            "Migrating the template test database failed:\n"
            + error_path.read_text(encoding="utf-8")
        )
    settings.DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = template["name"]

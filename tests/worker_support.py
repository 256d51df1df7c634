"""A real Celery worker in a subprocess, for the tests marked ``worker``.

The worker consumes only its own queue (a fresh name per run) and answers pings under its own
node name, so a stray worker or an old message on the shared Redis database cannot take part.
It reads and writes the test database, so the tests that use it must commit their rows
(``transactional_db``).
"""

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from kombu import Exchange, Queue

READY_TIMEOUT = 60  # seconds until the worker must answer a ping
STOP_TIMEOUT = 10  # seconds of warm shutdown before the worker is killed


class WorkerNotReady(RuntimeError):
    pass


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    queue: str
    nodename: str
    log_path: Path

    def log(self) -> str:
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def database_url(settings_dict: dict) -> str:
    """``postgres://user[:password]@host:port/name`` for the database in ``settings_dict``."""
    user = quote(settings_dict.get("USER") or "postgres", safe="")
    password = settings_dict.get("PASSWORD")
    credentials = f"{user}:{quote(password, safe='')}" if password else user
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{settings_dict['NAME']}"


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the worker gets SIGTERM when the test process dies, even by SIGKILL."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


def start_worker(*, settings_dict: dict, log_path: Path, concurrency: int = 1) -> WorkerProcess:
    """Start ``celery -A config worker`` on a fresh queue against the database in
    ``settings_dict``; its output goes to ``log_path``. One process (solo pool) by default;
    ``concurrency`` above 1 gives a prefork pool of that many processes."""
    queue = f"test-worker-{uuid.uuid4().hex}"
    nodename = f"{queue}@{socket.gethostname()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(settings_dict),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONUNBUFFERED": "1",
        # Django's system checks ran in the test process already; the worker skips them
        # (celery's Django fix-up runs them all at start, about a second each time).
        "CELERY_SKIP_CHECKS": "1",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool=solo" if concurrency == 1 else "--pool=prefork",
        f"--concurrency={concurrency}",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-Q",
        queue,
        "-n",
        nodename,
    ]
    with open(log_path, "wb") as log:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
    return WorkerProcess(process=process, queue=queue, nodename=nodename, log_path=log_path)


def wait_until_ready(worker: WorkerProcess, app, timeout: float = READY_TIMEOUT) -> None:
    """Ping the worker (each ping waits up to a second) until it answers; raise
    ``WorkerNotReady`` with its log when it exits or stays silent for ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            raise WorkerNotReady(
                f"Celery worker exited with code {worker.process.returncode} before it was "
                f"ready. Its log:\n{worker.log()}"
            )
        replies = app.control.ping(destination=[worker.nodename], timeout=1)
        if any(worker.nodename in reply for reply in replies):
            return
    raise WorkerNotReady(
        f"Celery worker {worker.nodename} did not answer a ping within {timeout} s. "
        f"Its log:\n{worker.log()}"
    )


def stop_worker(worker: WorkerProcess, app, timeout: float = STOP_TIMEOUT) -> None:
    """Warm shutdown (SIGTERM), SIGKILL after ``timeout`` seconds; then drop the queue."""
    if worker.process.poll() is None:
        worker.process.terminate()
        try:
            worker.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait()
    # Redis keeps a queue's binding until the queue is deleted through a channel that knows it.
    queue = Queue(worker.queue, Exchange(worker.queue, type="direct"), routing_key=worker.queue)
    with app.connection_for_write() as connection:
        bound = queue(connection.default_channel)
        bound.declare()
        bound.delete()

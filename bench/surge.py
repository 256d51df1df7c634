"""Surge: many providers seal their submissions in the last minute before a deadline.

Against the production stack on loopback: gunicorn (``config.settings.production``, DEBUG off)
on 127.0.0.1, PostgreSQL, Redis as cache and Celery broker, and an SMTP sink inside this
process that receives the receipt mails. A bounded asyncio client (``--concurrency``, default
50 requests in flight) fires one ``POST /api/v1/portal/tenders/<slug>/submission/seal/`` per
draft, spread evenly over the ``--window`` (60 s) that ends ``--margin`` (5 s) before the
tender's deadline (``--burst``: all at once, still at most ``--concurrency`` in flight). Then
it checks the database and prints lost submissions, errors, p50/p95/max seal latency and
throughput, and exits 1 if a submission was lost or a request failed. The p95 goal (1 s) is
only printed as a PASS/FAIL line.

The situation modelled (default): one tender, 500 bidders with a complete draft each, 50 of
them sealing at the same moment (one draft per bidder and tender is a rule, so 500 drafts on
one tender need 500 bidders). ``--providers 50 --tenders 10`` is the other reading: 50
providers with a draft on each of 10 tenders closing at the same moment.

Seals enqueue no Celery task: the receipt mail goes out after commit, inside the request, over
SMTP to the sink. So no Celery worker is started (the broker is Redis, as in production).

Run with ``make bench`` or ``python bench/surge.py --help``. It creates its own database
(``SURGE_DATABASE_URL``, default ``asd_surge_bench`` on the server of ``DATABASE_URL``; the
name must end in ``_bench`` because it is dropped afterwards) and removes it, the temporary
media directory and every process it started, also on Ctrl-C or a failure.
"""

import argparse
import asyncio
import base64
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from surge_client import HOST, Job, Load, Outcome, session  # noqa: E402 (bench/ is on the path)

DEFAULT_DB_NAME = "asd_surge_bench"
P95_GOAL = 0.5  # seconds: issue 19, goal 6


# -- configuration ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    providers: int
    tenders: int
    concurrency: int
    window: float
    margin: float
    burst: bool
    workers: int
    worker_class: str
    threads: int
    conn_max_age: int | None
    timeout: float
    seed: int

    @property
    def drafts(self) -> int:
        return self.providers * self.tenders


def parse_args(argv: list[str] | None = None) -> Config:
    parser = argparse.ArgumentParser(
        description="Seal a draft per bidder and tender in the last minute before the deadline.",
    )
    add = parser.add_argument
    add("--providers", type=int, default=500, help="bidding organisations (default 500)")
    add("--tenders", type=int, default=1, help="tenders with the same deadline (default 1)")
    add("--concurrency", type=int, default=50, help="seal requests in flight (default 50)")
    add("--window", type=float, default=60.0, help="seconds over which seals start (60)")
    add("--margin", type=float, default=5.0, help="seconds from the window's end to deadline")
    add("--burst", action="store_true", help="start every seal at once (bounded)")
    add("--workers", type=int, default=3, help="gunicorn workers (3, as docker-compose.yml)")
    add("--worker-class", default="sync", choices=["sync", "gthread"], help="gunicorn worker")
    add("--threads", type=int, default=1, help="threads per gthread worker (default 1)")
    add(
        "--conn-max-age",
        type=int,
        default=None,
        help="seconds the web processes keep their database connection (default: as the "
        "database URL says, else production's 60; 0: a new connection per request)",
    )
    add("--timeout", type=float, default=30.0, help="client timeout per request, seconds")
    add("--seed", type=int, default=0, help="order in which the bidders seal")
    args = parser.parse_args(argv)
    config = Config(**vars(args))
    problems = [
        f"--{name} must be at least {low}"
        for name, value, low in (
            ("providers", config.providers, 1),
            ("tenders", config.tenders, 1),
            ("concurrency", config.concurrency, 1),
            ("workers", config.workers, 1),
            ("threads", config.threads, 1),
        )
        if value < low
    ]
    if config.window < 0 or config.margin <= 0 or config.timeout <= 0:
        problems.append("--window must be >= 0, --margin and --timeout > 0")
    if config.conn_max_age is not None and config.conn_max_age < 0:
        problems.append("--conn-max-age must be >= 0")
    if problems:
        parser.error("; ".join(problems))
    return config


def bench_database_url(environ=os.environ) -> str:
    """``SURGE_DATABASE_URL``, else ``DATABASE_URL`` (PostgreSQL) with the database name
    ``asd_surge_bench``, else that name on 127.0.0.1. Refuses a name that does not end in
    ``_bench`` (it is dropped at the end) and anything but PostgreSQL."""
    url = environ.get("SURGE_DATABASE_URL")
    if not url:
        base = environ.get("DATABASE_URL", "")
        if not base.startswith(("postgres://", "postgresql://")):
            base = f"postgres://postgres@{HOST}:5432/postgres"
        url = urlunsplit(urlsplit(base)._replace(path=f"/{DEFAULT_DB_NAME}"))
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"surge: needs PostgreSQL, not {parts.scheme!r}")
    if not name.endswith("_bench"):
        raise SystemExit(f"surge: the database name must end in _bench (it is dropped): {name}")
    return url


def server_environment(
    *, database_url: str, media_root: str, smtp_port: int, conn_max_age: int | None = None
) -> dict:
    """The environment of the web processes (and of this one): production settings with
    throwaway secrets; mail to the SMTP sink; Sentry off."""
    if conn_max_age is not None:
        parts = urlsplit(database_url)
        query = "&".join(
            [q for q in parts.query.split("&") if q and not q.startswith("conn_max_age=")]
            + [f"conn_max_age={conn_max_age}"]
        )
        database_url = urlunsplit(parts._replace(query=query))
    redis_url = os.environ.get("SURGE_REDIS_URL") or os.environ.get(
        "REDIS_URL", f"redis://{HOST}:6379/0"
    )
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": HOST,
        "SUBMISSION_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CACHE_URL": redis_url,
        "MEDIA_ROOT": media_root,
        "STATIC_ROOT": str(Path(media_root) / "static"),
        "EMAIL_URL": f"smtp://{HOST}:{smtp_port}",
        "SENTRY_DSN": "",
        "LOG_LEVEL": "WARNING",
    }


# -- the database -------------------------------------------------------------------------------


def _admin_connection(database_url: str):
    import psycopg2

    parts = urlsplit(database_url)
    connection = psycopg2.connect(
        host=parts.hostname or HOST,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
    )
    connection.autocommit = True
    return connection


def _database_execute(database_url: str, *statements: str) -> None:
    connection = _admin_connection(database_url)
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def database_create(database_url: str) -> None:
    name = urlsplit(database_url).path.lstrip("/")
    _database_execute(
        database_url,
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        f'CREATE DATABASE "{name}"',
    )


def database_drop(database_url: str) -> None:
    name = urlsplit(database_url).path.lstrip("/")
    _database_execute(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- the web server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_start(config: Config, port: int, env: dict, log_path: Path) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi:application",
        f"--bind={HOST}:{port}",
        f"--workers={config.workers}",
        f"--worker-class={config.worker_class}",
        f"--threads={config.threads}",
        "--timeout=60",
        "--log-level=warning",
    ]
    with log_path.open("wb") as log:
        # A session of its own: the whole group is stopped at the end, and Ctrl-C on the
        # terminal reaches only this process, which then stops the group itself.
        return subprocess.Popen(  # noqa: S603 (our own command line)
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def server_stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


# -- checking and reporting ---------------------------------------------------------------------


@dataclass
class Verdict:
    expected: int
    sealed: int = 0
    duplicates: int = 0  # more than one seal audited for a draft, or two current versions
    late: int = 0  # sealed at or after the deadline
    hash_mismatch: int = 0  # the receipt's hash differs from the stored one
    audit_intact: bool = True
    problems: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return self.expected - self.sealed


def verify(jobs: list[Job], outcomes: list[Outcome]) -> Verdict:
    """Every draft sealed exactly once, before the deadline, with the receipt the client got;
    the audit chain intact."""
    from collections import Counter

    from django.db.models import Count, F

    from audit.models import AuditEntry
    from audit.services import audit_verify
    from providers.constants import SubmissionState
    from providers.models import Submission

    pks = [job.draft_pk for job in jobs]
    verdict = Verdict(expected=len(jobs))
    sealed = {
        s.pk: s
        for s in Submission.objects.filter(
            pk__in=pks, state=SubmissionState.SEALED, is_current=True
        ).exclude(content_hash="")
    }
    verdict.sealed = len(sealed)
    verdict.late = Submission.objects.filter(
        pk__in=sealed, submitted_at__gte=F("tender__deadline")
    ).count()
    seals = Counter(
        AuditEntry.objects.filter(action="submission.seal").values_list("object_id", flat=True)
    )
    verdict.duplicates = sum(1 for pk in pks if seals[str(pk)] > 1)
    verdict.duplicates += (
        Submission.objects.filter(tender__slug__startswith="surge-", is_current=True)
        .values("tender", "bidder")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    verdict.hash_mismatch = sum(
        1
        for o in outcomes
        if o.content_hash
        and o.content_hash != getattr(sealed.get(o.job.draft_pk), "content_hash", "")
    )
    problem = audit_verify()
    verdict.audit_intact = problem is None
    if problem is not None:
        verdict.problems.append(f"audit chain: {problem.kind} at {problem.seq}: {problem.message}")
    return verdict


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (0-100), nearest-rank; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil(n * p / 100)
    return ordered[int(rank) - 1]


def server_settings(config: Config) -> list[str]:
    from django.conf import settings

    database = settings.DATABASES["default"]
    return [
        f"settings={os.environ['DJANGO_SETTINGS_MODULE']} DEBUG={settings.DEBUG} "
        f"database={database['ENGINE'].rsplit('.', 1)[-1]}/{database['NAME']} "
        f"CONN_MAX_AGE={database.get('CONN_MAX_AGE', 0)}",
        f"gunicorn on {HOST}: workers={config.workers} class={config.worker_class} "
        f"threads={config.threads}",
        f"cache={settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]} "
        f"celery broker={settings.CELERY_BROKER_URL} eager={settings.CELERY_TASK_ALWAYS_EAGER} "
        "(a seal enqueues no task)",
        f"mail={settings.EMAIL_BACKEND.rsplit('.', 2)[-2]} to the sink at "
        f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}",
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the start",
    ]


def report(config, jobs, outcomes, verdict, mails, elapsed, deadline_in) -> int:
    """Print the figures; the exit status: 1 if a submission was lost or a request failed."""
    latencies = [o.latency for o in outcomes if o.latency is not None and not o.error]
    errors = [o for o in outcomes if o.error]
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    mode = "burst" if config.burst else f"spread over {config.window:g} s"
    print(
        f"surge: {len(jobs)} seals ({config.providers} providers x {config.tenders} tender(s)), "
        f"{mode}, concurrency {config.concurrency}, deadline {deadline_in:g} s after the start"
    )
    print(
        f"lost={verdict.lost} errors={len(errors)} duplicates={verdict.duplicates} "
        f"late={verdict.late} receipt_hash_mismatch={verdict.hash_mismatch} "
        f"audit_chain={'intact' if verdict.audit_intact else 'BROKEN'} "
        f"receipt_mails={len(mails)}"
    )
    if latencies:
        print(
            f"seal latency: p50={p50:.3f}s p95={p95:.3f}s max={max(latencies):.3f}s "
            f"mean={statistics.fmean(latencies):.3f}s; throughput {len(latencies) / elapsed:.1f}"
            f" seals/s over {elapsed:.1f} s; client waited for a slot up to "
            f"{max(o.lateness for o in outcomes):.2f} s"
        )
    for outcome in errors[:5]:
        print(f"  error: {outcome.job.slug} {outcome.job.kvk}: {outcome.error[:300]}")
    for problem in verdict.problems:
        print(f"  {problem}")
    print(
        f"p95 goal < {P95_GOAL:g} s (of the seals that succeeded): "
        f"{'PASS' if latencies and p95 < P95_GOAL else 'FAIL'}"
    )
    failed = verdict.lost or errors or verdict.duplicates or verdict.late
    failed = failed or verdict.hash_mismatch or not verdict.audit_intact
    results_record(
        {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": f"{os.uname().sysname} {os.uname().machine}, {os.cpu_count()} cores",
            "load_average_1m_at_end": round(os.getloadavg()[0], 1),
            "providers": config.providers,
            "tenders": config.tenders,
            "seals": len(jobs),
            "window_s": 0 if config.burst else config.window,
            "concurrency": config.concurrency,
            "lost": verdict.lost,
            "errors": len(errors),
            "duplicates": verdict.duplicates,
            "late": verdict.late,
            "p50_s": round(p50, 3) if latencies else None,
            "p95_s": round(p95, 3) if latencies else None,
            "max_s": round(max(latencies), 3) if latencies else None,
            "throughput_seals_per_s": round(len(latencies) / elapsed, 1),
        }
    )
    if failed:
        print(f"surge: FAILED: {verdict.lost} lost, {len(errors)} errors (exit status 1)")
        return 1
    print("surge: every submission sealed once, before the deadline, without errors")
    return 0


def results_record(figures: dict) -> None:
    """Merge the figures into bench/results.json under "surge" (its other keys, and the other
    benchmarks' keys, are kept)."""
    path = Path(__file__).resolve().parent / "results.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    results.setdefault("surge", {}).update(figures)
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")


# -- main ---------------------------------------------------------------------------------------


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)
    database_url = bench_database_url()
    # Ctrl-C and a plain kill both end in the clean-up below (also when started in the
    # background, where SIGINT would be ignored).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    workdir = Path(tempfile.mkdtemp(prefix="surge-"))
    sink = socket.create_server((HOST, 0))
    env = server_environment(
        database_url=database_url,
        media_root=str(workdir / "media"),
        smtp_port=sink.getsockname()[1],
        conn_max_age=config.conn_max_age,
    )
    os.environ.update(env)
    Path(env["STATIC_ROOT"]).mkdir(parents=True)
    process = None
    log_path = workdir / "gunicorn.log"
    try:
        database_create(database_url)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections
        from surge_world import deadline_set, world_build

        t = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        name = urlsplit(database_url).path.lstrip("/")
        print(f"set-up: migrated {name} in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        jobs, warmup = world_build(
            providers=config.providers,
            tenders=config.tenders,
            warmup=min(config.providers, 2 * config.workers * config.threads),
            seed=config.seed,
        )
        print(f"set-up: {len(jobs)} complete drafts in {time.perf_counter() - t:.1f} s")
        for line in server_settings(config):
            print(f"server: {line}")
        connections.close_all()  # no connection of ours idles through the surge
        port = free_port()
        process = server_start(config, port, env, log_path)
        deadline_in = config.window + config.margin

        def before_surge():
            deadline_set(deadline_in)
            connections.close_all()

        mails: list[float] = []
        outcomes, t0 = asyncio.run(
            session(
                port=port,
                process=process,
                sink=sink,
                mails=mails,
                warmup=warmup,
                jobs=jobs,
                load=Load(config.concurrency, config.window, config.burst, config.timeout),
                before_surge=before_surge,
            )
        )
        elapsed = max(max(o.finished for o in outcomes) - t0, 1e-9)
        verdict = verify(jobs, outcomes)
        return report(config, jobs, outcomes, verdict, mails, elapsed, deadline_in)
    except BaseException:
        if log_path.exists() and log_path.stat().st_size:
            print("gunicorn log (last lines):", file=sys.stderr)
            print(log_path.read_text(errors="replace")[-3000:], file=sys.stderr)
        raise
    finally:
        if process is not None:
            server_stop(process)
        sink.close()
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        database_drop(database_url)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("surge: interrupted; its processes, database and files are removed", file=sys.stderr)
        sys.exit(130)

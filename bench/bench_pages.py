"""Benchmark: the main pages at a scale of bench/import_scales.py (default: region), in
process through Django's test client: per page the median and p95 of the time in Django and
the median of its CPU time (the Python side, steady on a loaded machine), each median's ratio
to the bare JSON view's (the baseline), the number of queries and the HTML size. Prints
figures; asserts nothing.

    python bench/bench_pages.py [region|large|FACTOR] [--requests N] [--in-runs R]
                                [--profile PAGE[,PAGE] [--explain]] [--label TEXT]
                                [--gunicorn [--load-requests N] [--runs R]]

In process the pages take turns: ``--in-runs`` rounds (default 3) of ``--requests`` GETs a
page (default 20), so a change in the machine's load falls on every page alike; the figures
are the medians over the rounds. The queries are counted on one more request of their own
(capturing them slows every query). Templates load as in production: DEBUG off, Django's
cached template loader (printed at the start).

The world: the scaled scenario loaded in one round (as the demo fixtures), both rankings
final and the tender in the award phase, one evaluator assigned to every dossier, a chair
and a buyer (both past the TOTP step), and a provider user of the first dossier's bidder (its
submission page in the portal, the bid sealed). ``--profile PAGE`` prints cProfile's top functions
for that page (a name of PAGES).

``--gunicorn`` then serves the same database with gunicorn (2 sync workers, DEBUG off,
persistent connections) on a free loopback port and sends each page N requests
(``--load-requests``, default 100) from 20 threads at once, each a signed-in user's session
cookie (sessions made in the database, as the test client's): per page the p95 of the
answer time, its ratio to the bare JSON view's p95 and the failures; ``--runs R`` (default 3)
repeats the load and reports the median of the runs' p95s. The figures are merged into
bench/results.json under "pages" (other keys are kept), with ``--label`` and the load
average.

The database is a throwaway one of its own (``<test name>_bench``), dropped at the end.
"""

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def _user(username: str, role: str):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, _ = get_user_model().objects.get_or_create(username=username)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def _client(user):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def world(scale: str):
    from import_scales import SCALES, scenario_write

    from accounts.roles import BEOORDELAAR, INKOPER, VOORZITTER
    from evaluation.models import Evaluator
    from evaluation.scoring_models import Assignment
    from evaluation.services.scenario import scenario_load_file
    from providers.models import Dossier
    from tests.contracts.award_support import finalise_rankings

    factor = SCALES[scale] if scale in SCALES else int(scale)
    path = Path(tempfile.gettempdir()) / f"bench_import_{scale}.json"
    if not path.exists():
        scenario_write(factor, path)
    tender = scenario_load_file(path=path, one_round=True)
    finalise_rankings(tender)
    evaluator_user = _user("bench-beoordelaar", BEOORDELAAR)
    evaluator = Evaluator.objects.create(tender=tender, user=evaluator_user, name="Bench")
    chair = _user("chair", VOORZITTER)
    dossiers = list(Dossier.objects.filter(submission__tender=tender).order_by("pk"))
    Assignment.objects.bulk_create(
        Assignment(dossier=d, evaluator=evaluator, assigned_by=chair) for d in dossiers
    )
    from django.db import connection

    if connection.vendor == "postgresql":  # what autovacuum does within a minute of a load
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return (
        tender,
        dossiers,
        {
            "evaluator": _client(evaluator_user),
            "chair": _client(chair),
            "buyer": _client(_user("bench-inkoper", INKOPER)),
            "provider": _provider_client(dossiers[0]),
        },
    )


def _provider_client(dossier):
    """A signed-in provider user of the bidder of ``dossier`` (providers have no second
    factor), invited to the offer round for its segment (the portal's round in the award
    phase)."""
    from django.test import Client

    from accounts.roles import AANBIEDER
    from providers.models import OfferInvitation, OrganisationMembership

    organisation = dossier.submission.bidder
    user = _user("bench-aanbieder", AANBIEDER)
    OrganisationMembership.objects.create(user=user, organisation=organisation, is_admin=True)
    OfferInvitation.objects.create(
        tender=dossier.submission.tender, segment=dossier.segment, organisation=organisation
    )
    client = Client()
    client.force_login(user)
    return client


def pages(tender, dossiers) -> dict[str, tuple[str, str]]:
    """name -> (client, url)."""
    from django.urls import reverse

    slug, segment = tender.slug, dossiers[0].segment.code
    return {
        "bare JSON (health)": ("buyer", reverse("healthz")),
        "dossier list": ("evaluator", reverse("scoring-my-dossiers", args=[slug, "selection"])),
        "scoring screen": (
            "evaluator",
            reverse("scoring-dossier", args=[slug, "selection", dossiers[0].pk]),
        ),
        "submission": ("provider", reverse("portal-submission", args=[slug])),
        "ranking overview": ("chair", reverse("ranking-overview", args=[slug, "award"])),
        "ranking segment": ("chair", reverse("ranking-segment", args=[slug, "award", segment])),
        "award page": ("buyer", reverse("award-decision", args=[slug])),
        "contract list": ("buyer", reverse("contract-list", args=[slug])),
    }


def timed(client, url: str, n: int) -> dict:
    """``n`` GETs of ``url``: the median and p95 of the time in Django, the median of the
    CPU time this process spent on one (the Python side: without the waits for PostgreSQL,
    and steady when other processes load the machine), the last status and HTML size. The
    queries are not captured here (capturing slows every query a little)."""
    times, cpu, size, status = [], [], 0, 0
    for _ in range(n):
        c0, t0 = time.process_time(), time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        size, status = len(response.content), response.status_code
    times.sort()
    return {
        "p95": times[min(len(times) - 1, int(0.95 * len(times)))],
        "median": statistics.median(times),
        "cpu": statistics.median(cpu),
        "size": size,
        "status": status,
    }


def query_count(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def template_loaders() -> str:
    """The template loaders the pages render with (production's: the cached loader)."""
    from django.template import engines

    return ", ".join(
        f"{type(loader).__module__}.{type(loader).__name__}"
        for loader in engines["django"].engine.template_loaders
    )


# -- under gunicorn -------------------------------------------------------------------------

HOST = "127.0.0.1"
WORKERS, CONCURRENCY = 2, 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_start(port: int, log_path: Path) -> subprocess.Popen:
    """gunicorn on the bench database: the settings of this process (same SECRET_KEY, so
    the sessions made here are valid there), DEBUG off, connections kept 60 s."""
    from django.conf import settings
    from django.db import connection

    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
        "DEBUG": "False",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or HOST}:{database['PORT'] or 5432}"
            f"/{database['NAME']}?conn_max_age=60"
        ),
        "LOG_LEVEL": "WARNING",
    }
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi:application",
        f"--bind={HOST}:{port}",
        f"--workers={WORKERS}",
        "--timeout=120",
        "--log-level=warning",
    ]
    with log_path.open("wb") as log:
        return subprocess.Popen(  # noqa: S603 (our own command line)
            command,
            cwd=ROOT,
            env=env,
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


def http_get(port: int, path: str, cookie: str) -> tuple[int, float]:
    t0 = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    try:
        connection.request("GET", path, headers={"Cookie": cookie, "Host": HOST})
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - t0
    finally:
        connection.close()


def server_wait(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    from django.urls import reverse

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped")
        try:
            if http_get(port, reverse("healthz"), "")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer")


def load(port: int, path: str, cookie: str, n: int) -> tuple[list[float], int]:
    """``n`` GETs of ``path`` from CONCURRENCY threads at once: the times of the 200s and
    the number of other answers (or errors)."""
    times: list[float] = []
    failures = [0]
    todo = list(range(n))
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if not todo:
                    return
                todo.pop()
            try:
                status, seconds = http_get(port, path, cookie)
            except OSError:
                status, seconds = 0, 0.0
            with lock:
                if status == 200:
                    times.append(seconds)
                else:
                    failures[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, failures[0]


def p95(times: list[float]) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, int(0.95 * len(times)))] if times else float("nan")


def under_gunicorn(page_list: dict, clients: dict, n: int, runs: int) -> dict:
    from django.conf import settings
    from django.db import connections

    cookies = {
        who: f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        for who, client in clients.items()
    }
    connections.close_all()
    port = free_port()
    log_path = Path(tempfile.mkdtemp(prefix="bench-pages-")) / "gunicorn.log"
    process = server_start(port, log_path)
    results: dict[str, dict] = {}
    try:
        server_wait(port, process)
        for who, path in page_list.values():  # warm every worker: templates, connections
            for _ in range(2 * WORKERS):
                http_get(port, path, cookies[who])
        print(
            f"gunicorn: {WORKERS} workers, {CONCURRENCY} concurrent clients, "
            f"{n} requests a page, median of {runs} runs"
        )
        print(f"{'page':<20} {'p95':>9} {'x bare':>7} {'failed':>6}  (p95 of each run)")
        for name, (who, path) in page_list.items():
            run_p95s, failed = [], 0
            for _ in range(runs):
                times, failures = load(port, path, cookies[who], n)
                run_p95s.append(p95(times))
                failed += failures
            results[name] = {
                "p95_ms": round(statistics.median(run_p95s) * 1000, 1),
                "runs_p95_ms": [round(t * 1000, 1) for t in run_p95s],
                "failed": failed,
            }
        bare = next(iter(results.values()))["p95_ms"]
        for name, r in results.items():
            r["ratio_to_bare"] = round(r["p95_ms"] / bare, 2)
            print(
                f"{name:<20} {r['p95_ms']:7.1f}ms {r['ratio_to_bare']:6.2f}x {r['failed']:>6}  "
                + " ".join(f"{t:.0f}" for t in r["runs_p95_ms"]),
                flush=True,
            )
    finally:
        server_stop(process)
        if process.returncode not in (0, -signal.SIGTERM) and log_path.exists():
            print(log_path.read_text()[-3000:], file=sys.stderr)
    return results


def results_merge(figures: dict) -> None:
    """bench/results.json: the "pages" key replaced, every other key kept."""
    path = ROOT / "bench" / "results.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data["pages"] = figures
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    print(f"written: {path.relative_to(ROOT)} (pages)")


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    args = sys.argv[1:]
    n = int(args[args.index("--requests") + 1]) if "--requests" in args else 20
    profile = args[args.index("--profile") + 1].split(",") if "--profile" in args else []
    load_n = int(args[args.index("--load-requests") + 1]) if "--load-requests" in args else 100
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 3
    in_runs = int(args[args.index("--in-runs") + 1]) if "--in-runs" in args else 3
    label = args[args.index("--label") + 1] if "--label" in args else ""
    values = {
        args[i + 1]
        for i, a in enumerate(args[:-1])
        if a in ("--requests", "--profile", "--load-requests", "--runs", "--in-runs", "--label")
    }
    scale = next((a for a in args if not a.startswith("--") and a not in values), "region")
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    database = settings.DATABASES["default"]
    # a database of its own: never the test suite's (--reuse-db)
    database.setdefault("TEST", {})["NAME"] = f"test_{database['NAME']}_bench"
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        tender, dossiers, clients = world(scale)
        from django.urls import reverse

        declare = reverse("scoring-declare", args=[tender.slug, "selection", dossiers[0].pk])
        clients["evaluator"].post(declare, {"has_conflict": "0"})
        print(
            f"scale {scale}: {len(dossiers)} dossiers, in process {in_runs} rounds of {n} "
            f"requests a page (the pages in turn each round), DEBUG={settings.DEBUG}, "
            f"templates: {template_loaders()}"
        )
        page_list = pages(tender, dossiers)
        for who, url in page_list.values():  # warm: templates, connection, caches
            clients[who].get(url)
        rounds: dict[str, list[dict]] = {name: [] for name in page_list}
        for _ in range(in_runs):
            for name, (who, url) in page_list.items():
                rounds[name].append(timed(clients[who], url, n))
        print(
            f"{'page':<20} {'status':>6} {'p95':>9} {'median':>9} {'x bare':>7} {'CPU':>8} "
            f"{'x bare':>7} {'queries':>7} {'HTML':>6}  (median of each round)"
        )
        in_process = {}
        bare_median = bare_cpu = None
        for name, (who, url) in page_list.items():
            runs_of = rounds[name]
            median = statistics.median(r["median"] for r in runs_of)
            p95_ = statistics.median(r["p95"] for r in runs_of)
            cpu = statistics.median(r["cpu"] for r in runs_of)
            bare_median, bare_cpu = bare_median or median, bare_cpu or cpu
            r = runs_of[-1]
            in_process[name] = {
                "median_ms": round(median * 1000, 1),
                "p95_ms": round(p95_ * 1000, 1),
                "median_ratio_to_bare": round(median / bare_median, 2),
                "cpu_ms": round(cpu * 1000, 1),
                "cpu_ratio_to_bare": round(cpu / bare_cpu, 2),
                "runs_median_ms": [round(x["median"] * 1000, 1) for x in runs_of],
                "queries": query_count(clients[who], url),
                "html_kb": round(r["size"] / 1024),
            }
            print(
                f"{name:<20} {r['status']:>6} {p95_ * 1000:7.1f}ms {median * 1000:7.1f}ms "
                f"{median / bare_median:6.2f}x {cpu * 1000:6.1f}ms {cpu / bare_cpu:6.2f}x "
                f"{in_process[name]['queries']:>7} {r['size'] / 1024:4.0f}KB  "
                + " ".join(f"{x['median'] * 1000:.1f}" for x in runs_of),
                flush=True,
            )
            if name in profile and "--explain" in args:
                from django.db import connection
                from django.test.utils import CaptureQueriesContext

                with CaptureQueriesContext(connection) as captured:
                    clients[who].get(url)
                slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]
                with connection.cursor() as cursor:
                    for query in slowest:
                        print(query["time"], query["sql"][:3000])
                        cursor.execute("EXPLAIN ANALYZE " + query["sql"])
                        print("\n".join(row[0] for row in cursor.fetchall()))
            elif name in profile:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(5):
                    clients[who].get(url)
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
                pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
        if "--gunicorn" in args:
            served = under_gunicorn(page_list, clients, load_n, runs)
            results_merge(
                {
                    "label": label,
                    "scale": scale,
                    "dossiers": len(dossiers),
                    "load_average": [round(x, 2) for x in os.getloadavg()],
                    "in_process": {"requests": n, "rounds": in_runs, "pages": in_process},
                    "gunicorn": {
                        "workers": WORKERS,
                        "concurrency": CONCURRENCY,
                        "requests_a_page": load_n,
                        "runs": runs,
                        "pages": served,
                    },
                }
            )
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()

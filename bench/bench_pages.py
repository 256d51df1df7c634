"""Benchmark: the main staff pages at a scale of bench/import_scales.py (default: region),
in process through Django's test client: per page the p95 of the time in Django and the
number of queries, and the HTML size; a bare JSON view is the baseline. Prints figures;
asserts nothing.

    python bench/bench_pages.py [region|large|FACTOR] [--requests N] [--profile PAGE]

The world: the scaled scenario loaded in one round (as the demo fixtures), both rankings
final and the tender in the award phase, one evaluator assigned to every dossier, a chair
and a buyer (both past the TOTP step). ``--profile PAGE`` prints cProfile's top functions
for that page (a name of PAGES).

Not done here (issue 19.3, see the report): the same pages under gunicorn with 2 workers
and 20 concurrent users.
"""

import os
import statistics
import sys
import tempfile
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
        },
    )


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
        "ranking overview": ("chair", reverse("ranking-overview", args=[slug, "award"])),
        "ranking segment": ("chair", reverse("ranking-segment", args=[slug, "award", segment])),
        "award page": ("buyer", reverse("award-decision", args=[slug])),
        "contract list": ("buyer", reverse("contract-list", args=[slug])),
    }


def measure(client, url: str, n: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, size, queries, status = [], 0, 0, 0
    for _ in range(n):
        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - t0)
        size, queries, status = len(response.content), len(captured), response.status_code
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    return {
        "p95": p95,
        "median": statistics.median(times),
        "queries": queries,
        "size": size,
        "status": status,
    }


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    args = sys.argv[1:]
    n = int(args[args.index("--requests") + 1]) if "--requests" in args else 20
    profile = args[args.index("--profile") + 1] if "--profile" in args else None
    values = {args[i + 1] for i, a in enumerate(args[:-1]) if a in ("--requests", "--profile")}
    scale = next((a for a in args if not a.startswith("--") and a not in values), "region")
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        tender, dossiers, clients = world(scale)
        from django.urls import reverse

        declare = reverse("scoring-declare", args=[tender.slug, "selection", dossiers[0].pk])
        clients["evaluator"].post(declare, {"has_conflict": "0"})
        print(f"scale {scale}: {len(dossiers)} dossiers, {n} requests a page (in process)")
        print(f"{'page':<20} {'status':>6} {'p95':>9} {'median':>9} {'queries':>7} {'HTML':>9}")
        for name, (who, url) in pages(tender, dossiers).items():
            r = measure(clients[who], url, n)
            print(
                f"{name:<20} {r['status']:>6} {r['p95'] * 1000:7.1f}ms "
                f"{r['median'] * 1000:7.1f}ms {r['queries']:>7} {r['size'] / 1024:7.0f}KB",
                flush=True,
            )
            if profile == name and "--explain" in args:
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
            elif profile == name:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(5):
                    clients[who].get(url)
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()

"""Benchmark: ``manage.py load_scenario``'s path (``scenario_load_file``) at each scale of
bench/import_scales.py against a floor: PostgreSQL's COPY of the same rows into empty copies
of the same tables (with their indexes). Prints figures; asserts nothing.

    python bench/bench_import.py [region large national] [--profile] [--online] [--label=after]

Region runs three times (the median is shown), the larger scales once. Without --profile the
figures go to bench/results.json under "import" -> label (the file's other keys are kept).

``--online`` loads as ``load_scenario --online`` does (the foreign keys checked per row at the
commit, no exclusive lock) instead of a large file's default (keys dropped and added back).

Each scale runs in its own process on its own throwaway database (``test_*``), so peak memory
(RSS above the process's baseline after Django's start) is the load's own.
"""

import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _copy_floor(connection) -> tuple[float, float, float, int]:
    """Seconds to COPY every row the load wrote into empty copies of their tables: with their
    indexes and checks (``LIKE ... INCLUDING ALL``) as temporary tables (the floor: no
    write-ahead log), into permanent copies in one transaction, commit timed (what a durable
    load writes), and again with their foreign keys too (deferred, as Django makes them,
    checked at the commit: the real tables' rows are the referenced ones). Returns (floor,
    floor with foreign keys, floor of permanent tables, rows)."""
    tables = [
        t
        for t in connection.introspection.table_names()
        if not t.startswith(("django_", "auth_permission", "auth_group"))
    ]
    total, rows = 0.0, 0
    copies: list[tuple[str, io.StringIO]] = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (table names)
            count = cursor.fetchone()[0]
            if not count:
                continue
            buffer = io.StringIO()
            cursor.copy_expert(f'COPY "{table}" TO STDOUT', buffer)
            buffer.seek(0)
            cursor.execute(f'CREATE TEMP TABLE "floor_{table}" (LIKE "{table}" INCLUDING ALL)')
            t0 = time.perf_counter()
            cursor.copy_expert(f'COPY "floor_{table}" FROM STDIN', buffer)
            total += time.perf_counter() - t0
            rows += count
            copies.append((table, buffer))
        for table, _buffer in copies:  # permanent: a temporary table's keys stay temporary
            cursor.execute(f'CREATE TABLE "fk_{table}" (LIKE "{table}" INCLUDING ALL)')
            cursor.execute(f'CREATE TABLE "lg_{table}" (LIKE "{table}" INCLUDING ALL)')
            cursor.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [table],
            )
            for (definition,) in cursor.fetchall():
                cursor.execute(f'ALTER TABLE "fk_{table}" ADD {definition}')
    logged = _copy_committed(connection, copies, "lg_")
    with_keys = _copy_committed(connection, copies, "fk_")
    return total, with_keys, logged, rows


def _copy_committed(connection, copies: list[tuple[str, io.StringIO]], prefix: str) -> float:
    """Seconds to COPY the rows into the ``prefix`` copies of their tables in one transaction,
    the commit (and the deferred checks it runs) included."""
    with connection.cursor() as cursor:
        t0 = time.perf_counter()
        cursor.execute("BEGIN")
        for table, buffer in copies:
            buffer.seek(0)
            cursor.copy_expert(f'COPY "{prefix}{table}" FROM STDIN', buffer)
        cursor.execute("COMMIT")
        return time.perf_counter() - t0


def one(scale: str, profile: bool, online: bool = False) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from import_scales import SCALES, scenario_write

    settings.DEBUG = False
    factor = SCALES[scale] if scale in SCALES else int(scale)
    path = Path(tempfile.gettempdir()) / f"bench_import_{scale}.json"
    if not path.exists():
        scenario_write(factor, path)
    # Its own throwaway database: the test suite may use test_<NAME> meanwhile.
    connection.settings_dict["TEST"]["NAME"] = f"test_bench_import_{scale}_{os.getpid()}"
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        from evaluation.services.scenario import scenario_load_file

        base = _current_rss_mb()
        t0 = time.perf_counter()
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
        if online:
            scenario_load_file(path=path, keys_rebuilt_from_bytes=None)
        else:
            scenario_load_file(path=path)
        load = time.perf_counter() - t0
        if profile:
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stderr).sort_stats(
                os.environ.get("PROFILE_SORT", "tottime")
            ).print_stats(45)
        peak = _rss_mb() - base
        floor, floor_keys, floor_logged, rows = _copy_floor(connection)
    finally:
        teardown_databases(old, verbosity=0)
    return {
        "scale": scale,
        "bytes": path.stat().st_size,
        "rows": rows,
        "load": load,
        "floor": floor,
        "floor_keys": floor_keys,
        "floor_logged": floor_logged,
        "peak_mb": peak,
    }


RESULTS = ROOT / "bench" / "results.json"
# Runs per scale (the median is reported); the larger scales once, they take minutes.
REPEATS = {"region": 3}


def _run(scale: str, extra: list[str], online: list[str]) -> dict:
    out = subprocess.run(  # noqa: S603 (this script)
        [sys.executable, __file__, "--one", scale, *extra, *online],
        check=True,
        stdout=subprocess.PIPE,
        stderr=None if extra else subprocess.PIPE,  # the profile goes to the terminal
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _record(figures: dict, label: str) -> None:
    """Merge the figures into bench/results.json under "import" -> ``label``, keeping the
    other keys (other benchmarks write their own)."""
    results = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    results.setdefault("import", {})[label] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{os.uname().sysname} {os.uname().machine}, {os.cpu_count()} cores",
        "load_average_1m": round(os.getloadavg()[0], 1),
        **figures,
    }
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if "--one" in sys.argv:
        print(json.dumps(one(args[0], "--profile" in sys.argv, "--online" in sys.argv)))
        return
    label = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--label=")), "after")
    scales = args or ["region", "large", "national"]
    extra = ["--profile"] if "--profile" in sys.argv else []
    online = ["--online"] if "--online" in sys.argv else []
    print(
        f"{'scale':<9} {'file':>8} {'rows':>9} {'load':>8} {'COPY':>7} {'ratio':>6} "
        f"{'COPY+FK':>8} {'ratio':>6} {'COPY, permanent':>16} {'ratio':>6} {'peak':>9}"
    )
    figures = {}
    for scale in scales:
        runs = [_run(scale, extra, online) for _ in range(REPEATS.get(scale, 1))]
        load = statistics.median(r["load"] for r in runs)
        floor = statistics.median(r["floor"] for r in runs)
        floor_keys = statistics.median(r["floor_keys"] for r in runs)
        floor_logged = statistics.median(r["floor_logged"] for r in runs)
        r = runs[0]
        figures[scale] = {
            "runs": len(runs),
            "file_mib": round(r["bytes"] / 2**20, 1),
            "rows": r["rows"],
            "load_s": round(load, 2),
            "copy_floor_s": round(floor, 2),
            "ratio": round(load / floor, 1),
            "copy_floor_with_foreign_keys_s": round(floor_keys, 2),
            "copy_floor_permanent_tables_s": round(floor_logged, 2),
            "ratio_permanent_tables": round(load / floor_logged, 1),
            "ratio_with_foreign_keys": round(load / floor_keys, 1),
            "peak_mib": round(max(x["peak_mb"] for x in runs)),
            "loads_s": [round(x["load"], 2) for x in runs],
        }
        print(
            f"{scale:<9} {r['bytes'] / 2**20:6.1f}MB {r['rows']:>9} {load:7.2f}s "
            f"{floor:6.2f}s {load / floor:5.1f}x {floor_keys:7.2f}s {load / floor_keys:5.1f}x "
            f"{floor_logged:15.2f}s {load / floor_logged:5.1f}x "
            f"{figures[scale]['peak_mib']:6.0f} MiB",
            flush=True,
        )
    if not extra:
        _record(figures, label)


if __name__ == "__main__":
    main()

"""Benchmark: the ranking (both phases, the worker's path) against its SQL floor (issue 19).

    python bench/bench_ranking.py [--scale region|large|national ...] [--runs 3] [--profile]

For each scale (bench/scales.py) in a kept database ``bench_<database>`` (built once, reused):

* floor: one SQL aggregate of points (max_points x final level) per dossier and phase;
* ranking: what the worker computes for a phase (``evaluation.services.ranking._store``
  apart from writing the rows): gathering the inputs, the engine, the input hash and the
  inputs document stored for the auditor, for the selection and then the award phase; also
  each part on its own;
* peak memory of the ranking (tracemalloc, in a run of its own);
* the output: SHA-256 of both phases' results and the input hashes, compared with
  bench/ranking_reference.json (written by ``--write-reference``): the same output, exactly.

Figures are medians of ``--runs`` runs (at least 3), each against the floor of the same run.
They are written to bench/results.json (key "ranking").
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

RESULTS = HERE / "results.json"
REFERENCE = HERE / "ranking_reference.json"
PHASES = ("selection", "award")

FLOOR_SQL = """
SELECT d.id, c.phase, SUM(c.max_points * f.level)
FROM evaluation_finallevel f
JOIN tender_criterion c ON c.id = f.criterion_id
JOIN providers_dossier d ON d.id = f.dossier_id
JOIN providers_submission s ON s.id = d.submission_id
WHERE s.tender_id = %s AND s.is_current AND s.state = 'sealed'
GROUP BY d.id, c.phase
"""


def floor(tender) -> float:
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, [tender.pk])
        cursor.fetchall()
    return time.perf_counter() - t0


def worker_path(tender, check: bool = False) -> tuple[dict[str, float], dict]:
    """Both phases as the worker computes them; seconds per part and the output. ``check``
    adds (untimed) the version 1 input hash: equal to the reference's, it proves that the
    gathered inputs are the same."""
    from evaluation import ranking as engine
    from evaluation.selectors import ranking_run_inputs

    parts = {"gather": 0.0, "engine": 0.0, "digest": 0.0, "document": 0.0}
    output = {}
    cpu = time.process_time()
    for phase in PHASES:
        t0 = time.perf_counter()
        run = ranking_run_inputs(tender=tender, phase=phase, seed=0)
        t1 = time.perf_counter()
        result = run.rank()
        t2 = time.perf_counter()
        run.document  # noqa: B018 -- stored with the ranking (Ranking.inputs), as the worker
        t3 = time.perf_counter()
        digest = run.digest()  # taken from that document, as the worker does
        t4 = time.perf_counter()
        parts["gather"] += t1 - t0
        parts["engine"] += t2 - t1
        parts["document"] += t3 - t2
        parts["digest"] += t4 - t3
        output[phase] = {"result": engine.document_digest(result.to_dict())}
        if check:
            output[phase]["input_hash"] = run.digest(1)
            output[phase]["input_hash_v2"] = digest
    parts["total"] = sum(parts.values())
    parts["cpu"] = time.process_time() - cpu  # this process only (not PostgreSQL's)
    return parts, output


def peak_memory(tender) -> float:
    gc.collect()
    tracemalloc.start()
    worker_path(tender)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def machine() -> str:
    cpus = os.cpu_count()
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {cpus} cores, {model}".strip(", ")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", action="append", choices=["region", "large", "national"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one run, top 30")
    parser.add_argument("--write-reference", action="store_true")
    parser.add_argument("--label", default="", help="stored with the figures (e.g. 'before')")
    args = parser.parse_args()
    scales = args.scale or ["region"]
    runs = max(3, args.runs)

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases
    from scales import SCALES, build

    settings.DEBUG = False
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("bench_ranking needs PostgreSQL (DATABASE_URL)")
    db.setdefault("TEST", {})["NAME"] = f"bench_{db['NAME']}"
    # no serialising of the (large) kept database for TransactionTestCase rollbacks
    setup_databases(verbosity=0, interactive=False, keepdb=True, serialized_aliases=[])

    reference = json.loads(REFERENCE.read_text()) if REFERENCE.exists() else {}
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    section = results.setdefault("ranking", {})
    section["machine"] = machine()
    section["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section["runs"] = runs
    section["load_average"] = round(os.getloadavg()[0], 1)
    failed = False
    for name in scales:
        scale = SCALES[name]
        t0 = time.perf_counter()
        tender = build(scale)
        print(f"{name}: data ready in {time.perf_counter() - t0:.1f} s ({connection.vendor})")
        _, output = worker_path(tender, check=True)  # also the warm-up
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            worker_path(tender)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        floors, figures = [], []
        for _ in range(runs):
            floors.append(floor(tender))
            parts, _ = worker_path(tender)
            figures.append(parts)
        memory = peak_memory(tender)
        f = statistics.median(floors)
        median = {k: statistics.median(p[k] for p in figures) for k in figures[0]}
        row = {
            "label": args.label,
            "bidders": scale.bidders,
            "dossiers": scale.dossiers,
            "scores": scale.dossiers * 12,
            "floor_s": round(f, 4),
            **{f"{k}_s": round(v, 4) for k, v in median.items()},
            "ratio": round(median["total"] / f, 1),
            "peak_mib": round(memory, 1),
            "output": output,
        }
        expected = reference.get(name)
        same = None
        if expected is not None:
            same = all(
                output[p]["result"] == expected[p]["result"]
                and output[p]["input_hash"] == expected[p]["input_hash"]
                for p in PHASES
            )
        row["same_output"] = same
        section[name] = row
        print(
            f"{name:<9} floor {f * 1000:7.1f} ms | ranking both phases {median['total']:7.3f} s "
            f"= {row['ratio']:6.1f}x floor (gather {median['gather']:.3f} s, engine "
            f"{median['engine']:.3f} s, digest {median['digest']:.3f} s, document "
            f"{median['document']:.3f} s; Python CPU {median['cpu']:.3f} s) "
            f"| peak {memory:6.1f} MiB"
            f" | output {'unchecked' if same is None else ('same' if same else 'DIFFERENT')}"
        )
        if same is False:
            failed = True
        if args.write_reference:
            reference[name] = {
                p: {k: output[p][k] for k in ("result", "input_hash")} for p in PHASES
            }
    if args.write_reference:
        REFERENCE.write_text(json.dumps(reference, indent=2, sort_keys=True) + "\n")
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    if failed:
        sys.exit("the ranking output differs from bench/ranking_reference.json")


if __name__ == "__main__":
    main()

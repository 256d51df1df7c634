"""Benchmark: load_scenario + ranking (both phases) + lumpsum on the demo, and on a demo scaled
up by cloning bidders. Prints figures; asserts nothing.

Run with `make bench` (PostgreSQL) or `DATABASE_URL=sqlite:////tmp/b.sqlite3 python
bench/bench_scenario.py` for the embedded default. It uses a throwaway database `bench_*`.
"""

import copy
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def scaled(data: dict, factor: int) -> dict:
    """The demo with every organisation and submission cloned ``factor`` times (new KvKs)."""
    data = copy.deepcopy(data)
    data["tender"]["slug"] = f"{data['tender']['slug']}-x{factor}"
    orgs, subs = list(data["organisations"]), list(data["submissions"])
    for n in range(1, factor):
        shift = n * 1000

        def kvk(k, shift=shift):
            return f"{int(k) + shift:08d}"

        data["organisations"] += [{**o, "kvk": kvk(o["kvk"])} for o in orgs]
        for s in subs:
            clone = copy.deepcopy(s)
            clone["bidder"] = kvk(s["bidder"])
            if "members" in clone:
                clone["members"] = [kvk(m) for m in clone["members"]]
            data["submissions"].append(clone)
    return data


def main() -> None:
    import django
    from django.test.utils import get_runner  # noqa: F401  (forces test settings import)

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    settings.DEBUG = False
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        from contracts.services import lumpsum_compute
        from evaluation.services.ranking import ranking_compute
        from evaluation.services.scenario import scenario_load
        from tender.scenario import DEMO_DIR, load_scenario_file

        print(f"database: {connection.vendor}")
        base = load_scenario_file(DEMO_DIR / "achterhoek-2022.json")
        for factor in (1, 10):
            data = scaled(base, factor) if factor > 1 else base
            tracemalloc.start()
            t0 = time.perf_counter()
            tender = scenario_load(data=data)
            t1 = time.perf_counter()
            ranking_compute(tender=tender, phase="selection", seed=0)
            t2 = time.perf_counter()
            ranking_compute(tender=tender, phase="award", seed=0)
            t3 = time.perf_counter()
            lumpsum_compute(tender=tender, year=2022)
            t4 = time.perf_counter()
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(
                f"x{factor:<3} submissions={len(data['submissions']):>4} "
                f"load={t1 - t0:6.2f}s selection={t2 - t1:6.3f}s award={t3 - t2:6.3f}s "
                f"lumpsum={t4 - t3:6.3f}s peak_mem={peak / 2**20:6.1f} MiB"
            )
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()

"""The figures of issue 19 in one table: each beside its floor (or target), the ratio and
whether the goal is met, read from bench/results.json as the benchmarks last wrote it.

    python bench/summary.py [--markdown]

``make bench`` runs every benchmark at region scale and ends with this table; ``make
bench-national`` adds the national figures (ranking and import). ``--markdown`` prints the
table as the README shows it. A figure no benchmark has written yet reads "not measured".
Nothing is measured here and nothing is asserted: the table is for people.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.json"

# One row: (goal, figure, scale, measured, floor or baseline, ratio, target, met)
Row = tuple[str, str, str, str, str, str, str, str]
UNJUDGED = object()  # a row shown beside a goal's own, with no target of its own


def _row(
    goal: str,
    figure: str,
    *,
    scale: str = "",
    measured: str = "",
    floor: str = "",
    ratio: str = "",
    target: str = "",
    ok: bool | None | object = UNJUDGED,
) -> Row:
    """One row of the table; ``ok`` None: not measured yet."""
    met = "" if ok is UNJUDGED else ("not measured" if ok is None else ("yes" if ok else "no"))
    return (goal, figure, scale, measured, floor, ratio, target, met)


def _ms(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds * 1000:,.0f} ms"


def _s(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds:,.2f} s"


def _x(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}x"


def _newest(section: dict, scale: str) -> dict | None:
    """The newest entry of a section keyed by label (``import``) that has ``scale``."""
    entries = [v for v in section.values() if isinstance(v, dict) and scale in v]
    if not entries:
        return None
    newest = max(entries, key=lambda v: v.get("date", ""))
    return {**newest[scale], "date": newest.get("date", "")}


def ranking_rows(results: dict) -> Iterator[Row]:
    section = results.get("ranking", {})
    goal = "1 ranking"
    for scale, target in (("region", 3.0), ("national", 5.0)):
        row = section.get(scale)
        if not row or "total_s" not in row:
            yield _row(
                goal, "both phases, worker path", scale=scale, target=f"<= {target:g}x", ok=None
            )
            continue
        ratio = row["total_s"] / row["floor_s"]
        yield _row(
            goal,
            "both phases, worker path (SQL floor: one aggregate)",
            scale=scale,
            measured=_s(row["total_s"]),
            floor=_ms(row["floor_s"]),
            ratio=_x(ratio),
            target=f"<= {target:g}x",
            ok=ratio <= target and row.get("same_output") is not False,
        )
        if scale == "national":
            peak = row["peak_mib"]
            yield _row(
                goal,
                "peak memory",
                scale=scale,
                measured=f"{peak:.0f} MiB",
                target="< 500 MiB",
                ok=peak < 500,
            )


# The import's floors beside the one it is judged by: (key, what the floor is).
IMPORT_FLOORS = (
    ("copy_floor_permanent_tables_s", "COPY into permanent tables, commit: write-ahead logged"),
    ("copy_floor_with_foreign_keys_s", "COPY + deferred foreign keys"),
)


def import_rows(results: dict) -> Iterator[Row]:
    section = results.get("import", {})
    goal = "2 import"
    for scale in ("region", "large", "national"):
        row = _newest(section, scale)
        if row is None or "load_s" not in row:
            yield _row(goal, "load_scenario", scale=scale, target="<= 3x", ok=None)
            continue
        load = _s(row["load_s"])
        ratio = row.get("ratio") or row["load_s"] / row["copy_floor_s"]  # unrounded times
        yield _row(
            goal,
            "load_scenario (floor: COPY of the same rows)",
            scale=scale,
            measured=load,
            floor=_s(row["copy_floor_s"]),
            ratio=_x(ratio),
            target="<= 3x",
            ok=ratio <= 3,
        )
        for key, what in IMPORT_FLOORS:
            if key in row:
                yield _row(
                    goal,
                    f"load_scenario (floor: {what})",
                    scale=scale,
                    measured=load,
                    floor=_s(row[key]),
                    ratio=_x(row["load_s"] / row[key]),
                )
        if scale == "national" and "peak_mib" in row:
            peak = row["peak_mib"]
            yield _row(
                goal,
                "peak memory",
                scale=scale,
                measured=f"{peak:.0f} MiB",
                target="< 500 MiB",
                ok=peak < 500,
            )


def pages_rows(results: dict) -> Iterator[Row]:
    section = results.get("pages", {})
    served = section.get("gunicorn", {}).get("pages", {})
    local = section.get("in_process", {}).get("pages", {})
    scale = section.get("scale", "region")
    goal, bare = "3 pages", "bare JSON (health)"
    names = [n for n in (local or served) if n != bare]
    if not names:
        yield _row(goal, "main pages", scale=scale, ok=None)
        return
    for name in names:
        if name in served and bare in served:
            p95, base = served[name]["p95_ms"], served[bare]["p95_ms"]
            yield _row(
                goal,
                f"{name}: p95, 20 users, 2 gunicorn workers (floor: bare view)",
                scale=scale,
                measured=f"{p95:,.0f} ms",
                floor=f"{base:,.0f} ms",
                ratio=_x(p95 / base),
                target="<= 2x",
                ok=p95 / base <= 2,
            )
        if name in local:
            page = local[name]
            cpu = f", CPU {page['cpu_ms']:,.1f} ms" if "cpu_ms" in page else ""
            yield _row(
                goal,
                f"{name}: in-process median ({page['queries']} queries{cpu})",
                scale=scale,
                measured=f"{page['median_ms']:,.1f} ms",
                target="< 15 ms",
                ok=page["median_ms"] < 15,
            )


def upload_rows(results: dict) -> Iterator[Row]:
    section = results.get("upload", {})
    goal = "4 uploads"
    entries = [
        v
        for k, v in section.items()
        if isinstance(v, dict) and "api_mb_s_median" in v and not k.startswith("before")
    ]
    if not entries:
        yield _row(goal, "100 MB upload", target=">= 100 MB/s", ok=None)
        return
    row = max(entries, key=lambda v: v.get("date", ""))
    speed, bare = row["api_mb_s_median"], row.get("bare_view_mb_s_median")
    yield _row(
        goal,
        f"{row.get('file_mib', 100):g} MB upload through the API (baseline: bare upload view)",
        measured=f"{speed:,.0f} MB/s",
        floor=f"{bare:,.0f} MB/s" if bare else "",
        ratio=f"{speed / bare:.2f}x" if bare else "",
        target=">= 100 MB/s",
        ok=speed >= 100,
    )
    growth = row.get("peak_rss_growth_mb")
    if isinstance(growth, list) and growth:
        growth = max(growth)
    for value, label in ((growth, "upload"), (row.get("read_peak_rss_growth_mb"), "read back")):
        if value is not None:
            yield _row(
                goal,
                f"server growth, {label}",
                measured=f"{value:.0f} MB",
                target="< 32 MB",
                ok=value < 32,
            )


def letters_rows(results: dict) -> Iterator[Row]:
    section = results.get("letters", {})
    goal = "5 letters"
    row = section.get("latest")
    if row is None and "after" in section:  # recorded by hand before the script wrote figures
        median = section["after"].get("median", {})
        row = {
            "service_ms": median.get("service_cpu_ms"),
            "bare_ms": median.get("bare_cpu_ms"),
            "workers_speedup": section["after"].get("workers", {}).get("speedup"),
        }
    if not row:
        yield _row(goal, "per letter", scale="demo", target=">= 0.9x", ok=None)
        return
    service, bare = row.get("service_ms"), row.get("bare_ms")
    ratio = bare / service if service and bare else None
    cpu = (
        f", CPU {row['bare_cpu_ms'] / row['service_cpu_ms']:.2f}x"
        if row.get("service_cpu_ms") and row.get("bare_cpu_ms")
        else ""
    )
    yield _row(
        goal,
        f"per letter, service (floor: bare WeasyPrint, same HTML{cpu})",
        scale="demo",
        measured=f"{service:,.0f} ms" if service else "",
        floor=f"{bare:,.0f} ms" if bare else "",
        ratio=f"{ratio:.3f}x" if ratio else "",
        target=">= 0.9x",
        ok=None if ratio is None else ratio >= 0.9,
    )
    speedup = row.get("workers_speedup")
    yield _row(
        goal,
        "2 worker processes against 1",
        scale="demo",
        measured=f"{speedup:.2f}x" if speedup else "",
        target=">= 1.8x",
        ok=None if speedup is None else speedup >= 1.8,
    )


def surge_rows(results: dict) -> Iterator[Row]:
    row = results.get("surge")
    target = "0 lost, p95 < 0.5 s"
    if not row:
        yield _row("6 surge", "500 seals in 60 s", target=target, ok=None)
        return
    p95 = row.get("p95_s")
    ok = row.get("lost") == 0 and row.get("errors") == 0 and p95 is not None and p95 < 0.5
    yield _row(
        "6 surge",
        f"{row.get('seals', 500)} seals in {row.get('window_s', 60)} s: "
        f"{row.get('lost')} lost, {row.get('errors')} errors, p95",
        measured=_s(p95),
        target=target,
        ok=ok,
    )


def rows(results: dict) -> list[Row]:
    out: list[Row] = []
    for part in (ranking_rows, import_rows, pages_rows, upload_rows, letters_rows, surge_rows):
        out.extend(part(results))
    return out


HEADER: Row = ("goal", "figure", "scale", "measured", "floor", "ratio", "target", "met")


def main() -> None:
    results = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    table = rows(results)
    machine = results.get("ranking", {}).get("machine", "")
    if "--markdown" in sys.argv:
        print("| " + " | ".join(HEADER) + " |")
        print("|" + "---|" * len(HEADER))
        for row in table:
            print("| " + " | ".join(row) + " |")
        return
    widths = [max(len(r[i]) for r in [HEADER, *table]) for i in range(len(HEADER))]
    print(f"Issue 19 figures (bench/results.json; {machine})")
    for row in [HEADER, *table]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()

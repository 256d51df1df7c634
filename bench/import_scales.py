"""Scenario files at the import benchmark's scales (bench/bench_import.py, bench/bench_pages.py).

The demo (achterhoek-2022: 32 bidders, 10 segments) with every organisation and submission
cloned ``factor`` times under new KvK numbers, each segment entry carrying the scores of the
demo's three evaluators as well as the consensus levels. The file is written piece by piece, so
a national file is made without holding it in memory.

    python bench/import_scales.py national /tmp/national.json
"""

import json
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parent.parent / "tender" / "scenarios" / "achterhoek-2022.json"

# scale name -> clone factor of the demo's 32 bidders
SCALES = {"region": 10, "large": 60, "national": 400}


def _kvk(kvk: str, n: int) -> str:
    return f"{int(kvk) + n * 1000:08d}"


def _with_scores(entry: dict, evaluators: list[str]) -> dict:
    levels = entry.get("levels", {})
    if levels and "scores" not in entry:
        entry = {
            **entry,
            "scores": [{"evaluator": e, "levels": dict(levels)} for e in evaluators],
        }
    return entry


def scenario_write(factor: int, path: str | Path, *, scores: bool = True) -> Path:
    """Write the demo scaled by ``factor`` to ``path``; return the path."""
    base = json.loads(DEMO.read_text(encoding="utf-8"))
    base["tender"]["slug"] = f"{base['tender']['slug']}-x{factor}"
    evaluators = [e["username"] for e in base.get("evaluators", [])]
    path = Path(path)
    with path.open("w", encoding="utf-8") as out:
        out.write("{\n")
        for key in ("format", "region", "tender"):
            out.write(f"{json.dumps(key)}: {json.dumps(base[key], ensure_ascii=False)},\n")
        out.write('"organisations": [\n')
        first = True
        for n in range(factor):
            for org in base["organisations"]:
                clone = {**org, "kvk": _kvk(org["kvk"], n)}
                out.write(("" if first else ",\n") + json.dumps(clone, ensure_ascii=False))
                first = False
        out.write("\n],\n")
        out.write(f'"evaluators": {json.dumps(base.get("evaluators", []))},\n')
        out.write('"submissions": [\n')
        first = True
        for n in range(factor):
            for sub in base["submissions"]:
                clone = {**sub, "bidder": _kvk(sub["bidder"], n)}
                for key in ("members", "subcontractors"):
                    if key in clone:
                        clone[key] = [_kvk(k, n) for k in clone[key]]
                if scores:
                    clone["segments"] = [_with_scores(e, evaluators) for e in sub["segments"]]
                out.write(("" if first else ",\n") + json.dumps(clone, ensure_ascii=False))
                first = False
        out.write("\n]\n}\n")
    return path


if __name__ == "__main__":
    scale, target = sys.argv[1], sys.argv[2]
    factor = SCALES[scale] if scale in SCALES else int(scale)
    print(scenario_write(factor, target))

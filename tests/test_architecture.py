"""The app layering: an app may import only the apps below it.

    audit < accounts < tender < providers < communication | evaluation < contracts

``communication`` and ``evaluation`` are siblings and may not import each other. Every import
counts, including the ones inside functions; migrations are skipped (they name apps by string).
``config/`` and ``tests/`` sit on top and may import anything.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LAYER = {
    "audit": 0,
    "accounts": 1,
    "tender": 2,
    "providers": 3,
    "communication": 4,
    "evaluation": 4,
    "contracts": 5,
}


def imported_modules(tree: ast.AST, package: str):
    """(line, dotted module) for every import in ``tree``; relative imports are resolved
    against ``package`` (the dotted package of the file)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield node.lineno, module


def violations(app: str, path: Path) -> list[str]:
    relative = path.relative_to(ROOT)
    package = ".".join(relative.with_suffix("").parts[:-1])
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for line, module in imported_modules(tree, package):
        target = module.split(".")[0]
        if target not in LAYER or target == app:
            continue
        if LAYER[target] >= LAYER[app]:
            found.append(
                f"{relative}:{line} imports {module} (app {app} may not import app {target})"
            )
    return found


def test_no_app_imports_an_app_above_it():
    problems = []
    for app in LAYER:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.relative_to(ROOT / app).parts:
                continue
            problems.extend(violations(app, path))
    assert not problems, "Imports against the app layering:\n" + "\n".join(problems)


def test_the_checker_sees_imports_inside_functions(tmp_path):
    source = "def f():\n    from contracts.models import Contract\n"
    tree = ast.parse(source)
    assert list(imported_modules(tree, "tender")) == [(2, "contracts.models")]

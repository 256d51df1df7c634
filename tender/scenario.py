"""Validation of scenario files (see SCENARIO.md): a whole tender described as JSON.

Pure module: stdlib and jsonschema only, no Django, no ORM, so the loader command, the tests and
an auditor's script all validate a file the same way before anything is written to the database.

Validation runs in two stages. The JSON Schema stage checks the shape; when it fails its issues
are returned alone, because the semantic stage (duplicate codes, unknown references, number
ranges) relies on that shape. Every issue names the JSON path it is about and carries a one-line
Dutch message that can be shown to users as is.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from jsonschema import Draft202012Validator, ValidationError

SCHEMA_PATH = Path(__file__).parent / "scenarios" / "scenario.schema.json"
DEMO_DIR = Path(__file__).parent / "scenarios"

# How many digits and decimal places the database keeps for each number of a scenario (the
# models use these too). A file with more decimals is refused rather than silently rounded.
DECIMALS: dict[str, tuple[int, int]] = {
    "max_points": (14, 6),
    "min_level": (10, 8),
    "level": (10, 8),
    "min_total": (16, 6),
    "tariff": (14, 6),
    "budget": (16, 2),
    "band": (10, 8),
    "months": (14, 6),
    "hours_per_month": (14, 6),
}

# jsonschema only checks "date-time" when rfc3339-validator is importable; without it every
# string would pass silently, which is worse than failing loudly at import.
if "date-time" not in Draft202012Validator.FORMAT_CHECKER.checkers:  # pragma: no cover
    raise ImportError(
        "tender.scenario requires the 'rfc3339-validator' package to check date-time values"
    )

PathParts = tuple[str | int, ...]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_VALUE_MAX = 60


@dataclass(frozen=True)
class ScenarioIssue:
    """One problem in a scenario file: where (JSON path) and what (Dutch, one line)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ScenarioError(Exception):
    """A scenario file that cannot be loaded; ``issues`` lists every problem found.

    ``str()`` is the first issue only, so a command can print a one-line reason.
    """

    def __init__(self, issues: ScenarioIssue | Iterable[ScenarioIssue]):
        if isinstance(issues, ScenarioIssue):
            issues = [issues]
        self.issues: list[ScenarioIssue] = list(issues)
        if not self.issues:
            raise ValueError("ScenarioError needs at least one issue")
        super().__init__(str(self.issues[0]))

    def __str__(self) -> str:
        return str(self.issues[0])


# --------------------------------------------------------------------------- helpers


def json_path(parts: Iterable[str | int]) -> str:
    """Render path parts as ``$.tender.lots[0].code``; odd keys as ``['JH-DYS-M1']``."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.match(part):
            out += f".{part}"
        else:
            escaped = part.replace("\\", "\\\\").replace("'", "\\'")
            out += f"['{escaped}']"
    return out


def _one_line(text: str) -> str:
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


def _show(value: object) -> str:
    """Quote a value from the file for a message, shortened so the message stays readable."""
    text = f"'{value}'" if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = _one_line(text)
    if len(text) > _VALUE_MAX:
        text = text[: _VALUE_MAX - 3] + "..."
    return text


def _sort_key(parts: PathParts) -> tuple[tuple[int, int | str], ...]:
    # Array indices sort numerically ([2] before [10]) and before keys at the same depth.
    return tuple((0, p) if isinstance(p, int) else (1, p) for p in parts)


# --------------------------------------------------------------------------- parsing

_JSON_MESSAGES = {
    "Expecting value": "waarde verwacht",
    "Expecting ',' delimiter": "komma verwacht",
    "Expecting ':' delimiter": "dubbele punt verwacht",
    "Expecting property name enclosed in double quotes": (
        "veldnaam tussen dubbele aanhalingstekens verwacht"
    ),
    "Extra data": "extra tekens na het einde van het JSON-document",
    "Unterminated string starting at": "tekst zonder afsluitend aanhalingsteken",
    "Invalid control character at": "ongeldig stuurteken in tekst",
    "Invalid \\escape": "ongeldige escape in tekst",
    "Invalid \\uXXXX escape": "ongeldige \\u-escape in tekst",
}


class _DuplicateKey(ValueError):
    pass


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads silently keeps the last of two equal keys, which would hide data from review.
    result: dict[str, Any] = dict(pairs)
    if len(result) < len(pairs):  # name the first key that comes again
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def parse_scenario(text: str | bytes) -> dict[str, Any]:
    """Parse JSON text; raise ``ScenarioError`` (path ``$``) naming line and column on failure.

    Also refused: bytes that are not UTF-8, duplicate keys in one object, and NaN/Infinity.
    The result is not validated; see ``validate_scenario``.
    """
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ScenarioError(
                ScenarioIssue("$", f"bestand is geen geldige UTF-8 (byte {exc.start})")
            ) from exc
    try:
        # A scenario is a JSON object; validate_scenario refuses any other shape.
        data: dict[str, Any] = json.loads(
            text,
            object_pairs_hook=_reject_duplicate_keys,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as exc:
        reason = _JSON_MESSAGES.get(exc.msg, exc.msg)
        message = f"ongeldige JSON op regel {exc.lineno}, kolom {exc.colno}: {reason}"
        raise ScenarioError(ScenarioIssue("$", message)) from exc
    except _DuplicateKey as exc:
        message = f"ongeldige JSON: veld {_show(exc.args[0])} komt twee keer voor in één object"
        raise ScenarioError(ScenarioIssue("$", message)) from exc
    except ValueError as exc:
        message = f"ongeldige JSON: {exc.args[0]} is geen geldige waarde"
        raise ScenarioError(ScenarioIssue("$", message)) from exc
    return data


# --------------------------------------------------------------------------- schema stage


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """``node`` with every ``{"$ref": "#/$defs/x"}`` replaced by (a copy of) ``x``: the schema
    is not recursive, and resolving references is most of jsonschema's time. The errors are
    the same (same keywords, same instance paths, same sub-schemas)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = _inline(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
            return {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return {k: _inline(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


@cache
def _schema() -> dict[str, Any]:
    # Not checked against the meta-schema here (a tenth of a region's load):
    # tests/tender/test_scenario_validation.py checks the shipped schema once.
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    inlined: dict[str, Any] = _inline(schema, schema.get("$defs", {}))
    return inlined


def _make_validator(schema: Any) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def _validator() -> Draft202012Validator:
    return _make_validator(_schema())


@cache
def _part_validator(key: str, items: bool) -> Draft202012Validator | None:
    """The validator of one top-level value (``items``: of one element of that array)."""
    part = _schema().get("properties", {}).get(key)
    if part is None:
        return None
    if items:
        return _make_validator(part.get("items", True)) if isinstance(part, dict) else None
    return _make_validator(part)


@cache
def _shell_validator() -> Draft202012Validator:
    """The top level alone (type, required and unknown keys); each value is checked apart."""
    schema = {k: v for k, v in _schema().items() if k not in ("properties", "$defs")}
    schema["properties"] = {k: True for k in _schema().get("properties", {})}
    return _make_validator(schema)


_TYPE_NAMES = {
    "string": "een tekst",
    "integer": "een geheel getal",
    "number": "een getal",
    "boolean": "true of false",
    "object": "een object",
    "array": "een lijst",
    "null": "null",
}

_PATTERN_NAMES = {
    "^GM[0-9]{4}$": "ongeldige gemeentecode {value} (verwacht GM en 4 cijfers, bijv. GM0197)",
    "^[0-9]{8}$": "{what} {value} (verwacht 8 cijfers)",
    "^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$": (
        "ongeldige code {value} (letters, cijfers, '_', '.' en '-', hoogstens 32 tekens)"
    ),
    "^-?[0-9]+(\\.[0-9]+)?$": "ongeldig decimaal getal {value} (verwacht bijv. '12.50')",
    "^(0|1|0?\\.[0-9]+|1\\.0+)$": "ongeldig niveau {value} (verwacht 0 t/m 1, bijv. '0.75')",
    "^[a-z0-9][a-z0-9-]{1,63}$": (
        "ongeldige slug {value} (kleine letters, cijfers en '-', 2 t/m 64 tekens)"
    ),
}


def _schema_issues_for(error: ValidationError) -> Iterator[tuple[PathParts, str]]:
    """Translate one jsonschema error into (path, Dutch message) pairs."""
    path: PathParts = tuple(error.absolute_path)
    keyword = error.validator
    value = error.validator_value
    instance = error.instance

    if keyword == "required" and isinstance(instance, dict):
        # jsonschema reports each missing field separately; duplicates are dropped later.
        for name in value:
            if name not in instance:
                yield path, f"verplicht veld '{name}' ontbreekt"
    elif keyword == "additionalProperties" and value is False and isinstance(instance, dict):
        known = error.schema.get("properties", {})
        patterns = [re.compile(p) for p in error.schema.get("patternProperties", {})]
        for name in instance:
            if name not in known and not any(p.search(name) for p in patterns):
                yield path, f"onbekend veld {_show(name)}"
    elif keyword == "const":
        yield path, f"moet {json.dumps(value, ensure_ascii=False)} zijn, niet {_show(instance)}"
    elif keyword == "enum":
        allowed = ", ".join(str(v) for v in value)
        yield path, f"ongeldige waarde {_show(instance)} (toegestaan: {allowed})"
    elif keyword == "type":
        types = [value] if isinstance(value, str) else list(value)
        names = " of ".join(_TYPE_NAMES.get(t, t) for t in types)
        yield path, f"moet {names} zijn"
    elif keyword == "pattern" and value in _PATTERN_NAMES:
        what = "ongeldige AGB-code" if path and path[-1] == "agb" else "ongeldig KvK-nummer"
        yield path, _PATTERN_NAMES[value].format(value=_show(instance), what=what)
    elif keyword == "pattern":
        yield path, f"waarde {_show(instance)} voldoet niet aan het patroon {value}"
    elif keyword == "format" and value == "date-time":
        example = "2021-06-01T12:00:00+02:00"
        yield (
            path,
            f"ongeldige datum-tijd {_show(instance)} (verwacht bijv. {example}, met tijdzone)",
        )
    elif keyword == "format" and value == "date":
        yield path, f"ongeldige datum {_show(instance)} (verwacht JJJJ-MM-DD)"
    elif keyword == "minLength":
        yield path, "mag niet leeg zijn" if value == 1 else f"moet ten minste {value} tekens zijn"
    elif keyword == "minItems":
        noun = "element" if value == 1 else "elementen"
        yield path, f"moet ten minste {value} {noun} bevatten"
    elif keyword == "minimum":
        yield path, f"moet ten minste {value} zijn"
    else:
        yield path, f"ongeldig: {error.message}"


_Found = dict[tuple[PathParts, str], None]


def _collect_schema_issues(
    found: _Found, validator: Draft202012Validator, data: object, prefix: PathParts = ()
) -> None:
    for error in validator.iter_errors(data):
        for path, message in _schema_issues_for(error):
            found[((*prefix, *path), _one_line(message))] = None


def _sorted_issues(found: _Found) -> list[ScenarioIssue]:
    ordered = sorted(found, key=lambda item: (_sort_key(item[0]), item[1]))
    return [ScenarioIssue(json_path(path), message) for path, message in ordered]


def _schema_issues(data: object) -> list[ScenarioIssue]:
    found: _Found = {}
    _collect_schema_issues(found, _validator(), data)
    return _sorted_issues(found)


# --------------------------------------------------------------------------- schema fast path

# The streamed arrays hold thousands of elements that are almost always valid. For them a
# hand-written check answers "certainly valid" without jsonschema (a fifth of a load's time);
# anything it does not accept at once (an error, or merely an unusual but valid shape such as
# an integer written as 2.0) goes to jsonschema, so the issues and their texts are unchanged.
# Each check must never accept what the schema refuses: it is stricter, never looser. It is
# used only while its element schema is the one it was written for (the digest below); a
# changed schema switches it off, and tests/tender/test_scenario_fast_path.py says so.

_KVK_RE = re.compile(r"[0-9]{8}")
_CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
_DECIMAL_RE = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_LEVEL_RE = re.compile(r"(0|1|0?\.[0-9]+|1\.0+)")
_GM_RE = re.compile(r"GM[0-9]{4}")
_LEGAL_FORMS = frozenset(
    ("stichting", "bv", "zzp", "vof", "cooperatie", "cooperatie_io", "consortium", "other")
)
_ORGANISATION_KEYS = frozenset(("kvk", "name", "legal_form", "agb"))
_SUBMISSION_KEYS = frozenset(
    ("bidder", "members", "subcontractors", "submitted_at", "requirements", "segments")
)
_ENTRY_KEYS = frozenset(
    (
        "segment",
        "municipalities",
        "specialisms",
        "requirements",
        "levels",
        "scores",
        "bid",
        "current_clients",
    )
)
_SCORE_KEYS = frozenset(("evaluator", "levels"))
_BID_KEYS = frozenset(("clients", "months", "hours_per_month"))


def _matches(value: Any, pattern: re.Pattern[str]) -> bool:
    return type(value) is str and pattern.fullmatch(value) is not None


def _all_match(values: Any, pattern: re.Pattern[str]) -> bool:
    return type(values) is list and all(_matches(v, pattern) for v in values)


def _flags(values: Any) -> bool:
    return type(values) is dict and all(type(v) is bool for v in values.values())


def _levels(values: Any) -> bool:
    return type(values) is dict and all(_matches(v, _LEVEL_RE) for v in values.values())


def _count(value: Any) -> bool:
    return type(value) is int and value >= 0


def _organisation_ok(item: Any) -> bool:
    return (
        type(item) is dict
        and item.keys() <= _ORGANISATION_KEYS
        and _matches(item.get("kvk"), _KVK_RE)
        and type(item.get("name")) is str
        and item["name"] != ""
        and type(item.get("legal_form")) is str
        and item["legal_form"] in _LEGAL_FORMS
        and ("agb" not in item or _matches(item["agb"], _KVK_RE))
    )


def _entry_ok(entry: Any) -> bool:
    if not (
        type(entry) is dict
        and entry.keys() <= _ENTRY_KEYS
        and _matches(entry.get("segment"), _CODE_RE)
        and _all_match(entry.get("municipalities"), _GM_RE)
        and ("specialisms" not in entry or _all_match(entry["specialisms"], _CODE_RE))
        and ("requirements" not in entry or _flags(entry["requirements"]))
        and ("levels" not in entry or _levels(entry["levels"]))
        and ("current_clients" not in entry or _count(entry["current_clients"]))
    ):
        return False
    if "scores" in entry:
        scores = entry["scores"]
        if type(scores) is not list:
            return False
        for score in scores:
            if not (
                type(score) is dict
                and score.keys() == _SCORE_KEYS
                and type(score["evaluator"]) is str
                and _levels(score["levels"])
            ):
                return False
    if "bid" in entry:
        bid = entry["bid"]
        return (
            type(bid) is dict
            and bid.keys() == _BID_KEYS
            and _count(bid["clients"])
            and _matches(bid["months"], _DECIMAL_RE)
            and _matches(bid["hours_per_month"], _DECIMAL_RE)
        )
    return True


def _submission_ok(item: Any) -> bool:
    if not (
        type(item) is dict
        and item.keys() <= _SUBMISSION_KEYS
        and _matches(item.get("bidder"), _KVK_RE)
        and ("members" not in item or _all_match(item["members"], _KVK_RE))
        and ("subcontractors" not in item or _all_match(item["subcontractors"], _KVK_RE))
        and _flags(item.get("requirements"))
        and type(item.get("segments")) is list
        and len(item["segments"]) >= 1
    ):
        return False
    if "submitted_at" in item:
        when = item["submitted_at"]
        checker = Draft202012Validator.FORMAT_CHECKER
        if type(when) is not str or not checker.conforms(when, "date-time"):
            return False
    return all(_entry_ok(entry) for entry in item["segments"])


# key -> (check, digest of the element schema it was written for)
_FAST_ITEMS = {
    "organisations": (_organisation_ok, "c40f6b5afb64f659"),
    "submissions": (_submission_ok, "677be5fdd502bace"),
}


def _item_schema_digest(key: str) -> str:
    part = _schema().get("properties", {}).get(key, {})
    text = json.dumps(part.get("items"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@cache
def fast_item_check(key: str) -> Callable[[Any], bool] | None:
    """The fast check of one element of the STREAMED array ``key``, or None when there is
    none or the schema changed since it was written."""
    if key not in _FAST_ITEMS:
        return None
    check, digest = _FAST_ITEMS[key]
    return check if _item_schema_digest(key) == digest else None


# --------------------------------------------------------------------------- semantic stage


class _Checks:
    """Collects semantic issues in discovery order."""

    def __init__(self) -> None:
        self.issues: list[ScenarioIssue] = []
        self.good_levels: set[str] = set()

    def add(self, path: PathParts, message: str) -> None:
        self.issues.append(ScenarioIssue(json_path(path), _one_line(message)))

    def unique(self, seen: dict[Any, PathParts], key: Any, path: PathParts, label: str) -> None:
        """Record ``key`` at ``path``; report it when an earlier path already had it.

        ``label`` is the whole Dutch phrase ("dubbele eiscode", "dubbel lid"): the adjective
        depends on the noun's article.
        """
        if key in seen:
            self.add(path, f"{label} {_show(key)} (ook bij {json_path(seen[key])})")
        else:
            seen[key] = path

    def not_negative(self, obj: dict[str, Any], field: str, path: PathParts, label: str) -> None:
        if field in obj and Decimal(obj[field]) < 0:
            self.add((*path, field), f"{label} mag niet negatief zijn ({obj[field]})")
        if field in obj:
            self.fits(obj[field], (*path, field), field)

    def fits(self, raw: str, path: PathParts, kind: str) -> None:
        """Refuse numbers the database would have to round (see DECIMALS)."""
        digits, places = DECIMALS[kind]
        value = Decimal(raw)
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            self.add(path, f"{raw} heeft te veel decimalen (hoogstens {places})")
        elif abs(value) >= Decimal(10) ** (digits - places):
            self.add(path, f"{raw} is te groot")

    def level(self, raw: str, path: PathParts) -> None:
        if raw in self.good_levels:  # a file repeats a handful of levels a million times
            return
        found = len(self.issues)
        if not Decimal(0) <= Decimal(raw) <= Decimal(1):
            self.add(path, f"niveau {_show(raw)} moet tussen 0 en 1 liggen")
        else:
            self.fits(raw, path, "level")
        if len(self.issues) == found:
            self.good_levels.add(raw)


@dataclass(frozen=True)
class _SegmentInfo:
    """What a submission's segment entry is checked against."""

    lot_code: str
    lot_municipalities: frozenset[str]
    requirements: frozenset[str]
    criteria: frozenset[str]


class _Semantic:
    """The semantic stage part by part, in the order of the file: region and tender first,
    then each organisation, the evaluators and each submission. Every part must have passed
    the schema stage."""

    def __init__(self) -> None:
        self.checks = _Checks()
        self.region_code = ""
        self.region_municipalities: dict[str, PathParts] = {}
        self.general_requirements: set[str] = set()
        self.segments: dict[str, _SegmentInfo] = {}
        self.organisations: dict[str, PathParts] = {}
        self.evaluators: dict[str, PathParts] = {}
        self.bidders: dict[str, PathParts] = {}

    def header(self, region: dict[str, Any], tender: dict[str, Any]) -> None:
        checks = self.checks
        self.region_code = region["code"]
        region_municipalities = self.region_municipalities
        for i, municipality in enumerate(region["municipalities"]):
            path: PathParts = ("region", "municipalities", i, "code")
            checks.unique(region_municipalities, municipality["code"], path, "dubbele gemeentecode")

        requirement_codes: dict[str, PathParts] = {}  # one namespace: general + all segments
        for i, requirement in enumerate(tender["requirements"]):
            path = ("tender", "requirements", i, "code")
            checks.unique(requirement_codes, requirement["code"], path, "dubbele eiscode")
            self.general_requirements.add(requirement["code"])

        lot_codes: dict[str, PathParts] = {}
        segment_codes: dict[str, PathParts] = {}
        for li, lot in enumerate(tender["lots"]):
            lot_path: PathParts = ("tender", "lots", li)
            checks.unique(lot_codes, lot["code"], (*lot_path, "code"), "dubbele perceelcode")

            lot_municipalities: dict[str, PathParts] = {}
            for mi, code in enumerate(lot["municipalities"]):
                path = (*lot_path, "municipalities", mi)
                checks.unique(lot_municipalities, code, path, "dubbele gemeente")
                if code not in region_municipalities:
                    checks.add(path, f"gemeente {code} hoort niet bij regio {self.region_code}")

            for si, segment in enumerate(lot["segments"]):
                seg_path: PathParts = (*lot_path, "segments", si)
                checks.unique(
                    segment_codes, segment["code"], (*seg_path, "code"), "dubbele segmentcode"
                )
                requirements, criteria = _check_segment(
                    checks, segment, seg_path, requirement_codes
                )
                self.segments.setdefault(
                    segment["code"],
                    _SegmentInfo(
                        lot_code=lot["code"],
                        lot_municipalities=frozenset(lot_municipalities),
                        requirements=requirements,
                        criteria=criteria,
                    ),
                )

    def organisation(self, i: int, organisation: dict[str, Any]) -> None:
        path = ("organisations", i, "kvk")
        self.checks.unique(self.organisations, organisation["kvk"], path, "dubbel KvK-nummer")

    def evaluator_list(self, evaluators: list[dict[str, Any]]) -> None:
        for i, evaluator in enumerate(evaluators):
            path = ("evaluators", i)
            if not evaluator["username"].strip():
                self.checks.add((*path, "username"), "gebruikersnaam mag niet leeg zijn")
            self.checks.unique(
                self.evaluators,
                evaluator["username"],
                (*path, "username"),
                "dubbele gebruikersnaam",
            )

    def submission(self, i: int, submission: dict[str, Any]) -> None:
        _check_submission(
            self.checks,
            submission,
            ("submissions", i),
            bidders=self.bidders,
            organisations=self.organisations,
            evaluators=self.evaluators,
            general_requirements=self.general_requirements,
            segments=self.segments,
            region_code=self.region_code,
            region_municipalities=self.region_municipalities,
        )


def _semantic_issues(data: dict[str, Any]) -> list[ScenarioIssue]:
    semantic = _Semantic()
    semantic.header(data["region"], data["tender"])
    for i, organisation in enumerate(data["organisations"]):
        semantic.organisation(i, organisation)
    semantic.evaluator_list(data.get("evaluators", []))
    for i, submission in enumerate(data["submissions"]):
        semantic.submission(i, submission)
    return semantic.checks.issues


def _check_segment(
    checks: _Checks,
    segment: dict[str, Any],
    path: PathParts,
    requirement_codes: dict[str, PathParts],
) -> tuple[frozenset[str], frozenset[str]]:
    """Check one segment; return its requirement and criterion codes."""
    subsegments: dict[str, PathParts] = {}
    for i, subsegment in enumerate(segment.get("subsegments", [])):
        sub_path = (*path, "subsegments", i, "code")
        checks.unique(subsegments, subsegment["code"], sub_path, "dubbele subsegmentcode")

    requirements: set[str] = set()
    for i, requirement in enumerate(segment.get("requirements", [])):
        req_path = (*path, "requirements", i, "code")
        checks.unique(requirement_codes, requirement["code"], req_path, "dubbele eiscode")
        requirements.add(requirement["code"])

    criteria: dict[str, PathParts] = {}
    for i, criterion in enumerate(segment["criteria"]):
        crit_path: PathParts = (*path, "criteria", i)
        checks.unique(criteria, criterion["code"], (*crit_path, "code"), "dubbele criteriumcode")
        if Decimal(criterion["max_points"]) <= 0:
            checks.add(
                (*crit_path, "max_points"),
                f"negatieve of nul punten ({criterion['max_points']}); "
                "max_points moet groter dan 0 zijn",
            )
        else:
            checks.fits(criterion["max_points"], (*crit_path, "max_points"), "max_points")
        if "min_level" in criterion:
            checks.level(criterion["min_level"], (*crit_path, "min_level"))

    checks.not_negative(segment, "min_total", path, "minimumscore")
    checks.not_negative(segment, "tariff", path, "tarief")
    checks.not_negative(segment, "budget", path, "budget")
    checks.not_negative(segment, "band", path, "bandbreedte")
    if "band" in segment and Decimal(segment["band"]) >= 1:
        checks.add(
            (*path, "band"),
            f"bandbreedte {segment['band']} moet kleiner dan 1 zijn (een fractie, bijv. 0.05)",
        )

    return frozenset(requirements), frozenset(criteria)


def _check_submission(
    checks: _Checks,
    submission: dict[str, Any],
    path: PathParts,
    *,
    bidders: dict[str, PathParts],
    organisations: dict[str, PathParts],
    evaluators: dict[str, PathParts],
    general_requirements: set[str],
    segments: dict[str, _SegmentInfo],
    region_code: str,
    region_municipalities: dict[str, PathParts],
) -> None:
    bidder = submission["bidder"]
    bidder_path = (*path, "bidder")
    if bidder in bidders:
        checks.add(
            bidder_path,
            f"inschrijver {bidder} heeft al een inschrijving ({json_path(bidders[bidder])})",
        )
    else:
        bidders[bidder] = path
    if bidder not in organisations:
        checks.add(bidder_path, f"onbekende organisatie {bidder} (niet in organisations)")

    members: dict[str, PathParts] = {}
    for i, kvk in enumerate(submission.get("members", [])):
        member_path = (*path, "members", i)
        checks.unique(members, kvk, member_path, "dubbel lid")
        if kvk == bidder:
            checks.add(member_path, f"penvoerder {kvk} staat ook als lid van de combinatie")
        if kvk not in organisations:
            checks.add(member_path, f"onbekende organisatie {kvk} (niet in organisations)")

    subcontractors: dict[str, PathParts] = {}
    for i, kvk in enumerate(submission.get("subcontractors", [])):
        sub_path = (*path, "subcontractors", i)
        checks.unique(subcontractors, kvk, sub_path, "dubbele onderaannemer")
        if kvk not in organisations:
            checks.add(sub_path, f"onbekende organisatie {kvk} (niet in organisations)")

    for code in submission["requirements"]:
        if code not in general_requirements:
            checks.add(
                (*path, "requirements", code),
                f"onbekende algemene eis {_show(code)} (niet in tender.requirements)",
            )

    listed: dict[str, PathParts] = {}
    for i, entry in enumerate(submission["segments"]):
        entry_path: PathParts = (*path, "segments", i)
        code = entry["segment"]
        checks.unique(listed, code, (*entry_path, "segment"), "dubbel segment")
        segment = segments.get(code)
        if segment is None:
            checks.add((*entry_path, "segment"), f"onbekend segment {_show(code)}")

        municipalities: dict[str, PathParts] = {}
        for mi, municipality in enumerate(entry["municipalities"]):
            mun_path = (*entry_path, "municipalities", mi)
            checks.unique(municipalities, municipality, mun_path, "dubbele gemeente")
            if municipality not in region_municipalities:
                checks.add(mun_path, f"gemeente {municipality} hoort niet bij regio {region_code}")
            # A municipality of the region outside the segment's lot is allowed: the ranking
            # ignores it for coverage (docs/rules.md).

        if segment is not None:
            for req in entry.get("requirements", {}):
                if req not in segment.requirements:
                    checks.add(
                        (*entry_path, "requirements", req),
                        f"onbekende eis {_show(req)} voor segment {code}",
                    )
        _check_levels(checks, entry.get("levels", {}), (*entry_path, "levels"), segment, code)

        scored: dict[str, PathParts] = {}
        for si, score in enumerate(entry.get("scores", [])):
            score_path: PathParts = (*entry_path, "scores", si)
            evaluator = score["evaluator"]
            checks.unique(
                scored, evaluator, (*score_path, "evaluator"), "dubbele score van beoordelaar"
            )
            if evaluator not in evaluators:
                checks.add(
                    (*score_path, "evaluator"),
                    f"onbekende beoordelaar {_show(evaluator)} (niet in evaluators)",
                )
            _check_levels(checks, score["levels"], (*score_path, "levels"), segment, code)

        bid = entry.get("bid")
        if bid is not None:
            checks.not_negative(bid, "months", (*entry_path, "bid"), "looptijd in maanden")
            checks.not_negative(bid, "hours_per_month", (*entry_path, "bid"), "uren per maand")


def _check_levels(
    checks: _Checks,
    levels: dict[str, str],
    path: PathParts,
    segment: _SegmentInfo | None,
    segment_code: str,
) -> None:
    for criterion, raw in levels.items():
        level_path = (*path, criterion)
        if segment is not None and criterion not in segment.criteria:
            checks.add(
                level_path,
                f"onbekend criterium {_show(criterion)} voor segment {segment_code}",
            )
        checks.level(raw, level_path)


# --------------------------------------------------------------------------- part by part

# The top-level keys in the order the semantic stage (and a loader) needs them. A streamed
# file with its keys in another order, or with other keys, is read whole instead.
PARTS = ("format", "region", "tender", "organisations", "evaluators", "submissions")
# The arrays that are checked (and loaded) element by element.
STREAMED = ("organisations", "submissions")


class ScenarioChecker:
    """``validate_scenario`` part by part, for a loader that streams a file: ``value`` for each
    top-level value, ``item`` for each element of the STREAMED arrays, in PARTS order; then
    ``finish`` returns exactly the issues ``validate_scenario`` returns for the whole document.

    ``clean`` says whether everything so far passed both stages, so a loader may write it (in
    a transaction it rolls back when ``finish`` returns issues)."""

    def __init__(self) -> None:
        self._schema: _Found = {}
        self._semantic = _Semantic()
        self._seen: dict[str, None] = {}
        self._header: dict[str, Any] = {}
        self._ready = False  # region and tender passed to the semantic stage
        self._blocked = False  # a part the semantic stage needs is missing

    @property
    def clean(self) -> bool:
        return self._checkable and not self._semantic.checks.issues

    @property
    def _checkable(self) -> bool:
        """Whether the semantic stage may look at the next part: it needs the shape right
        everywhere so far (after a schema issue only schema issues are reported)."""
        return not (self._schema or self._blocked)

    def _start(self, key: str) -> None:
        self._seen[key] = None
        if key in ("organisations", "evaluators", "submissions") and not self._ready:
            if self._checkable and "region" in self._header and "tender" in self._header:
                self._semantic.header(self._header["region"], self._header["tender"])
                self._ready = True
            else:
                self._blocked = True

    def value(self, key: str, value: Any) -> None:
        """A whole top-level value (a STREAMED array that is not a list comes here too)."""
        self._start(key)
        validator = _part_validator(key, items=False)
        if validator is not None:
            _collect_schema_issues(self._schema, validator, value, (key,))
        if not self._checkable:
            return
        if key in ("region", "tender"):
            self._header[key] = value
            if key == "tender" and "region" in self._header:
                self._semantic.header(self._header["region"], value)
                self._ready = True
        elif key == "organisations":
            for i, organisation in enumerate(value):
                self._semantic.organisation(i, organisation)
        elif key == "evaluators":
            self._semantic.evaluator_list(value)
        elif key == "submissions":
            for i, submission in enumerate(value):
                self._semantic.submission(i, submission)

    def array(self, key: str) -> None:
        """A STREAMED array starts; its elements follow through ``item``."""
        self._start(key)

    def item(self, key: str, index: int, item: Any) -> None:
        fast = fast_item_check(key)
        validator = None if fast is not None and fast(item) else _part_validator(key, items=True)
        if validator is not None:
            _collect_schema_issues(self._schema, validator, item, (key, index))
        if not self._checkable:
            return
        if key == "organisations":
            self._semantic.organisation(index, item)
        elif key == "submissions":
            self._semantic.submission(index, item)

    def finish(self) -> list[ScenarioIssue]:
        _collect_schema_issues(self._schema, _shell_validator(), dict(self._seen))
        if self._schema:
            return _sorted_issues(self._schema)
        if not self._ready:  # pragma: no cover - the required keys are checked above
            self._semantic.header(self._header["region"], self._header["tender"])
        return self._semantic.checks.issues


def scenario_parts(data: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """The top-level values of a parsed scenario in PARTS order (other keys last); a STREAMED
    array comes as an iterator over its elements, as ``iter_scenario_file`` gives it."""
    for key in sorted(data, key=lambda k: PARTS.index(k) if k in PARTS else len(PARTS)):
        value = data[key]
        yield key, (iter(value) if key in STREAMED and isinstance(value, list) else value)


class NotStreamable(Exception):
    """The file cannot be read part by part (not JSON, keys in another order, ...): read it
    whole with ``read_scenario_file``, which names the problem if there is one."""


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_CHUNK = 1 << 20


class _Reader:
    """JSON values from a binary file, read in chunks (``json``'s own decoder per value)."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.json = json.JSONDecoder(
            object_pairs_hook=_reject_duplicate_keys, parse_constant=_reject_constant
        )
        self.buf = ""
        self.pos = 0
        self.eof = False

    def more(self) -> bool:
        if self.eof:
            return False
        raw = self.file.read(_CHUNK)
        try:
            text = self.decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as exc:
            raise NotStreamable from exc
        self.eof = not raw
        self.buf = self.buf[self.pos :] + text
        self.pos = 0
        return bool(raw)

    def peek(self) -> str:
        while True:
            match = _WHITESPACE.match(self.buf, self.pos)
            self.pos = match.end() if match else self.pos
            if self.pos < len(self.buf) or not self.more():
                return self.buf[self.pos : self.pos + 1]

    def take(self, char: str) -> None:
        if self.peek() != char:
            raise NotStreamable
        self.pos += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = self.json.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self.more():  # the value may go on in the next chunk
                    continue
                raise NotStreamable from exc
            except ValueError as exc:  # a duplicate key, NaN
                raise NotStreamable from exc
            if end == len(self.buf) and self.more():  # a number may go on
                continue
            self.pos = end
            return value

    def items(self) -> Iterator[Any]:
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield self.value()
            char = self.peek()
            self.pos += 1
            if char == "]":
                return
            if char != ",":
                raise NotStreamable


def iter_scenario_file(path: str | Path) -> Iterator[tuple[str, Any]]:
    """The top-level values of a scenario file as ``scenario_parts`` gives them, reading the
    file in chunks: a STREAMED array's elements are parsed one at a time, so the whole file
    is never in memory. Raises ``NotStreamable`` (possibly after some parts) when the file is
    not a JSON object with its keys in PARTS order; each array must be consumed before the
    next part is asked for."""
    try:
        file = Path(path).open("rb")  # noqa: SIM115 (closed below; the open may fail)
    except OSError as exc:
        raise NotStreamable from exc
    with file:
        reader = _Reader(file)
        reader.take("{")
        if reader.peek() == "}":
            reader.pos += 1
        else:
            rank = -1
            while True:
                if reader.peek() != '"':
                    raise NotStreamable
                key = reader.value()
                if key not in PARTS or PARTS.index(key) <= rank:
                    raise NotStreamable
                rank = PARTS.index(key)
                reader.take(":")
                if key in STREAMED and reader.peek() == "[":
                    reader.pos += 1
                    items = reader.items()
                    yield key, items
                    for _rest in items:
                        pass
                else:
                    yield key, reader.value()
                char = reader.peek()
                reader.pos += 1
                if char == "}":
                    break
                if char != ",":
                    raise NotStreamable
        if reader.peek() != "":
            raise NotStreamable


# --------------------------------------------------------------------------- public API


def validate_scenario(data: object) -> list[ScenarioIssue]:
    """Return every issue of a parsed scenario; ``[]`` when it can be loaded.

    Schema issues come sorted by path and, when present, are the only ones returned;
    semantic issues come in the order they are found.
    """
    if not isinstance(data, dict):
        # The schema has no top-level "type", so it would accept a list or a number.
        return [ScenarioIssue("$", f"moet {_TYPE_NAMES['object']} zijn")]
    checker = ScenarioChecker()
    for key, value in scenario_parts(data):
        if isinstance(value, Iterator):
            checker.array(key)
            for i, item in enumerate(value):
                checker.item(key, i, item)
        else:
            checker.value(key, value)
    return checker.finish()


def read_scenario_file(path: str | Path) -> dict[str, Any]:
    """Read and parse a scenario file without validating it (``scenario_load`` validates);
    raise ``ScenarioError`` when it cannot be read or is not JSON."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            reason = "bestand bestaat niet"
        elif isinstance(exc, IsADirectoryError):
            reason = "dit is een map"
        elif isinstance(exc, PermissionError):
            reason = "geen leesrechten"
        else:
            reason = exc.strerror or exc.__class__.__name__
        raise ScenarioError(
            ScenarioIssue("$", f"bestand '{path}' kan niet worden gelezen: {reason}")
        ) from exc
    return parse_scenario(raw)


def load_scenario_file(path: str | Path) -> dict[str, Any]:
    """Read, parse and validate a scenario file; raise ``ScenarioError`` with all issues."""
    data = read_scenario_file(path)
    issues = validate_scenario(data)
    if issues:
        raise ScenarioError(issues)
    return data

"""Mutation fuzzing of every door a case comes in by: ``load_case``, ``mgpn validate``, the API.

Seeds are the bundled examples and the shared vignettes (when ``../shared`` is
there). Each input is a seed mutated one to three times, at the text level (hostile
tokens, duplicated or dropped lines, stray characters, deep nesting, aliases) or the
data level (a value replaced, a key removed or added). Every outcome must be either

* a loaded case whose normalised form reflects the input (:func:`meaning_problems`
  re-derives each field's value from the input by the case format's rules, and where
  YAML 1.1 would have read a scalar differently the loaded value must be the text as
  written or the number it spells), or
* mgpn's own :class:`mgpn.errors.CaseError`,

never another exception, and never slower than the per-input time limit (a hang).
``mgpn validate`` must exit 0 or 1 and agree with ``load_case``; the API must answer
200 or 422. Run on demand with ``python -m tests.fuzz --seconds 600`` (docs/intake.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import multiprocessing
import random
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mgpn.case import dump_case, field_catalog, load_case
from mgpn.case.units import normalise_unit
from mgpn.errors import CaseError
from mgpn.strict_reader import read_document

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"

# Tokens from issue 9 and its neighbours: each replaces a scalar somewhere in a seed.
HOSTILE_TOKENS = (
    "yes", "no", "on", "off", "y", "n", "Yes", "OFF", "010", "0o17", "0x1F", "1:30", "1_000",
    ".nan", ".inf", "-.inf", ".NaN", "1e400", "-1e400", "1" + "0" * 400, "9" * 5000, "1e3", "0.0",
    "-0", "+12", "007", "!!int x", "!!float y", "!!bool yes", "!!int 12", "!!str 12",
    "!!timestamp 2024-13-40", "!!binary aGk=", "!!set {a}", "!!python/object:os.system x",
    "!local x", "*nothing", "&a 1", "2024-13-40", "2023-02-30", "25:00", "2024-01-01T25:00:00",
    "2024-01-01 10:00:00", '"\\ud800"', '"\\udfff x"', '"a\\0b"', '"\\x07"', "[]", "{}", "null",
    "~", "true", "false", "True", "FALSE", '""', "''", "{value: 1, unit: false}",
    "{value: 1, unit: 0}", "{value: 1, unit: []}", "{value: 1, unit: {}}", "{value: 1}",
    "{value: .nan, unit: g/L}", "{value: 1, unit: g/L, comparator: '=>'}", "'>70,000 BTU'",
    "'1,5 g/L'", "'12 furlongs'", "'≥ 12'", "[yes, no]", "{1: a}", "{[a]: b}", "? [a]\n  : b",
    "<<: {a: 1}", "-1", "1e-400", "12 g/L", "'nan g/L'", "'inf'", "'١٢'",
)  # fmt: skip
JSON_TOKENS = (
    "NaN", "Infinity", "-Infinity", "1e400", "9" * 5000, '"\\ud800"', '"\\u0000"', "true",
    "null", "[]", "{}", '{"value": 1, "unit": false}', '{"value": 1, "unit": 0}', '"yes"',
    '"2024-13-40"', "010", "0x1F", '"1_000 g/L"', "[" * 3000 + "]" * 3000,
)  # fmt: skip
_JUNK: tuple[Any, ...] = (
    None, True, False, 0, -1, 10**30, 1.5, float("nan"), float("inf"), "", "yes", "x" * 300,
    [], {}, [1, "a"], {"value": 1, "unit": False}, {"a": {"b": {"c": 1}}}, "\ud800", "a\x00",
    dt.date(2024, 1, 1),
)  # fmt: skip
_QUANTITY_TEXT = re.compile(
    r"^\s*(?P<cmp>>=|<=|≥|≤|>|<)?\s*(?P<num>[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*(?P<unit>.*?)\s*$"
)
_RESULT_WORDS = {"true": "positive", "false": "negative", "pos": "positive", "neg": "negative"}


def seed_files() -> list[Path]:
    """Bundled examples and shared vignettes (valid and invalid): the mutation seeds."""
    seeds = sorted((REPO / "src" / "mgpn" / "examples").glob("*.yaml"))
    seeds += sorted((REPO / "src" / "mgpn" / "examples").glob("poems-*.json"))
    if (SHARED / "cases").is_dir():
        seeds += [
            path
            for path in sorted((SHARED / "cases").rglob("*.yaml"))
            if path.name not in ("expectations.yaml", "README.md")
        ]
    return seeds


# -- mutations -------------------------------------------------------------------------------


def _scalar_spans(text: str) -> list[tuple[int, int]]:
    """Where the values of ``key: value`` lines and list items are, in YAML or JSON text."""
    spans = []
    for match in re.finditer(
        r"(?m)(?::[ \t]+|^[ \t]*-[ \t]+|[\[,][ \t]*)([^\s,\]\}\n#][^,\]\}\n#]*)", text
    ):
        spans.append((match.start(1), match.end(1)))
    return spans


def mutate_text(text: str, rng: random.Random, is_json: bool) -> tuple[str, str]:
    """One text-level mutation of ``text``; returns (new text, what was done)."""
    kind = rng.choice(
        ["token", "token", "token", "duplicate_line", "drop_line", "stray_character", "truncate",
         "deep", "alias", "indent", "swap_lines"]
    )  # fmt: skip
    lines = text.splitlines(keepends=True)
    if kind == "token":
        spans = _scalar_spans(text)
        if spans:
            start, end = rng.choice(spans)
            token = rng.choice(JSON_TOKENS if is_json else HOSTILE_TOKENS)
            return text[:start] + token + text[end:], f"token {token[:30]!r} at {start}"
    if kind == "duplicate_line" and lines:
        index = rng.randrange(len(lines))
        return "".join(lines[: index + 1] + lines[index:]), f"duplicate line {index + 1}"
    if kind == "drop_line" and lines:
        index = rng.randrange(len(lines))
        return "".join(lines[:index] + lines[index + 1 :]), f"drop line {index + 1}"
    if kind == "stray_character" and text:
        index = rng.randrange(len(text))
        char = rng.choice(
            [
                "\x00",
                "\ud800",
                "\t",
                "'",
                '"',
                ":",
                "{",
                "[",
                "&",
                "*",
                "!",
                "%",
                "\ufeff",
                "é",
                "\x7f",
            ]
        )
        return text[:index] + char + text[index:], f"insert {char!r} at {index}"
    if kind == "truncate" and text:
        index = rng.randrange(len(text))
        return text[:index], f"truncate at {index}"
    if kind == "deep":
        depth = rng.choice([70, 1000, 30000])
        nested = "[" * depth + "]" * depth
        if is_json and text.lstrip().startswith("{"):
            return '{"extensions": {"x": ' + nested + "}, " + text.lstrip()[
                1:
            ], f"nest {depth} deep"
        return text + f"\nextensions:\n  x: {nested}\n", f"nest {depth} deep"
    if kind == "alias" and not is_json:
        bomb = "extensions:\n  a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"  {chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n"
            for i in range(rng.choice([1, 9]))
        )
        return text + "\n" + bomb, "alias expansion"
    if kind == "indent" and lines:
        index = rng.randrange(len(lines))
        lines[index] = rng.choice(["  ", "\t", " "]) + lines[index]
        return "".join(lines), f"indent line {index + 1}"
    if kind == "swap_lines" and len(lines) > 1:
        a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[a], lines[b] = lines[b], lines[a]
        return "".join(lines), f"swap lines {a + 1} and {b + 1}"
    return text + "\n" + rng.choice(HOSTILE_TOKENS) + "\n", "append a token"


def _paths(node: Any, trail: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if trail:
        yield trail
    if isinstance(node, dict):
        for key, item in node.items():
            yield from _paths(item, (*trail, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _paths(item, (*trail, index))


def mutate_data(data: Any, rng: random.Random) -> tuple[Any, str]:
    """One data-level mutation (value replaced, key removed or added); JSON-like data out."""
    paths = list(_paths(data))
    if not paths:
        return data, "no change"
    path = rng.choice(paths)
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    action = rng.choice(["replace", "replace", "delete", "add"])
    if action == "replace":
        parent[path[-1]] = rng.choice(_JUNK)
        return data, f"replace {path} with {parent[path[-1]]!r:.40}"
    if action == "delete" and isinstance(parent, dict):
        del parent[path[-1]]
        return data, f"delete {path}"
    if isinstance(parent, dict):
        parent[rng.choice(["extra", "present", "unit", "value", "IgM", "x" * 40])] = rng.choice(
            _JUNK
        )
        return data, f"add a key beside {path}"
    return data, "no change"


# -- the oracle: does the loaded case say what the input says? --------------------------------

_FIELDS = {entry.path: entry for entry in field_catalog()}


def _catalog_path(trail: tuple[Any, ...]) -> str:
    text = ""
    for part in trail:
        if isinstance(part, int):
            text += "[]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _same_number(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return False
    try:
        return float(f"{float(a):.12g}") == float(f"{float(b):.12g}")
    except (TypeError, ValueError, OverflowError):
        return False


def _field_problem(path: str, kind: str, unit: str | None, raw: Any, out: Any) -> str | None:
    if raw is None:
        return None if out is None else f"{path}: null in, {out!r} out"
    if out is None:
        return f"{path}: {raw!r} in, nothing out (dropped)"
    if kind == "boolean":
        return None if out is raw else f"{path}: {raw!r} in, {out!r} out"
    if kind in ("enum",):
        return None if out == raw else f"{path}: {raw!r} in, {out!r} out"
    if kind in ("number", "integer"):
        return None if _same_number(raw, out) else f"{path}: {raw!r} in, {out!r} out"
    if kind == "string":
        expected = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
        return None if out == expected else f"{path}: {raw!r} in, {out!r} out"
    if kind == "date":
        try:
            same = dt.date.fromisoformat(str(raw).strip()) == dt.date.fromisoformat(out)
        except ValueError:
            same = False
        return None if same else f"{path}: {raw!r} in, {out!r} out"
    if kind in ("result", "quantity_or_result") and (
        isinstance(raw, bool) or (isinstance(raw, str) and not any(ch.isdigit() for ch in raw))
    ):
        word = {True: "positive", False: "negative"}.get(raw) if isinstance(raw, bool) else None
        if word is None and isinstance(raw, str):
            word = _RESULT_WORDS.get(raw.strip().lower(), raw.strip().lower())
        return None if out == word else f"{path}: {raw!r} in, {out!r} out"
    if kind in ("quantity", "quantity_or_result"):
        return _quantity_problem(path, unit, raw, out)
    if kind == "list":
        if not isinstance(out, list) or len(out) != len(raw):
            return f"{path}: {raw!r} in, {out!r} out"
        for a, b in zip(raw, out, strict=True):
            if not (a == b or (isinstance(a, str) and a.strip().lower() == str(b).lower())):
                return f"{path}: item {a!r} in, {b!r} out"
        return None
    if kind == "extensions":
        return (
            None
            if out == raw or (raw == {} and out is None)
            else f"{path}: {raw!r} in, {out!r} out"
        )
    return None


def _quantity_problem(path: str, unit: str | None, raw: Any, out: Any) -> str | None:
    if not isinstance(out, dict) or out.get("unit") != unit:
        return f"{path}: {raw!r} in, {out!r} out (not in the canonical unit {unit})"
    number: Any = None
    written_unit: str | None = None
    comparator = None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        number = raw
    elif isinstance(raw, str):
        match = _QUANTITY_TEXT.match(raw)
        if match is None:
            return f"{path}: {raw!r} is not a quantity, yet {out!r} came out"
        number, written_unit = match["num"].replace(",", ""), match["unit"] or None
        comparator = {"≥": ">=", "≤": "<="}.get(match["cmp"] or "", match["cmp"])
    elif isinstance(raw, dict):
        number, written_unit, comparator = raw.get("value"), raw.get("unit"), raw.get("comparator")
        if "unit" in raw and not (isinstance(written_unit, str) and written_unit.strip()):
            return f"{path}: unit {written_unit!r} is not a unit, yet {out!r} came out"
    if (out.get("comparator") or None) != (comparator or None):
        return f"{path}: comparator {comparator!r} in, {out.get('comparator')!r} out"
    canonical = written_unit is None or normalise_unit(written_unit) == unit
    if canonical and not _same_number(number, out.get("value")):
        return f"{path}: {raw!r} in, {out!r} out"
    return None


def meaning_problems(tree: Any, normalised: dict[str, Any]) -> list[str]:
    """Where the normalised case does not say what the parsed input says (field by field)."""
    problems: list[str] = []

    def visit(raw: Any, out: Any, trail: tuple[Any, ...]) -> None:
        path = _catalog_path(trail)
        descriptor = _FIELDS.get(path)
        if descriptor is not None:
            problem = _field_problem(path, descriptor.kind, descriptor.unit, raw, out)
            if problem:
                problems.append(problem)
            return
        if isinstance(raw, dict):
            out_map = out if isinstance(out, dict) else {}
            for key, item in raw.items():
                if trail == () and key == "format":
                    continue
                visit(item, out_map.get(key), (*trail, key))
            for key in out_map:
                if key not in raw and not (trail == () and key == "format"):
                    problems.append(f"{_catalog_path((*trail, key))}: appeared from nowhere")
        elif isinstance(raw, list):
            out_list = out if isinstance(out, list) else []
            if len(out_list) != len(raw):
                problems.append(f"{path}: {len(raw)} items in, {len(out_list)} out")
            for index, (item, got) in enumerate(zip(raw, out_list, strict=False)):
                visit(item, got, (*trail, index))
        elif raw is not None and out is not None and raw != out:
            problems.append(f"{path}: {raw!r} in, {out!r} out")

    visit(tree, normalised, ())
    return problems


def yaml11_disagreements(text: str, tree: Any) -> Iterator[tuple[tuple[Any, ...], Any, Any]]:
    """Scalars that YAML 1.1 (PyYAML's safe loader) reads differently from the strict reader."""
    try:
        old = yaml.safe_load(text)
    except Exception:
        return

    def walk(a: Any, b: Any, trail: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any, Any]]:
        if isinstance(a, dict) and isinstance(b, dict):
            for key in b:
                if key in a:
                    yield from walk(a[key], b[key], (*trail, key))
        elif isinstance(a, list) and isinstance(b, list):
            for index, (x, y) in enumerate(zip(a, b, strict=False)):
                yield from walk(x, y, (*trail, index))
        elif isinstance(a, dt.date) and isinstance(b, str):
            return  # YAML 1.2 keeps the date as text; the case model reads it as a date
        elif type(a) is not type(b) or a != b:
            yield trail, a, b

    yield from walk(old, tree, ())


def _get(data: Any, trail: tuple[Any, ...]) -> Any:
    for part in trail:
        if isinstance(data, dict) and isinstance(part, str):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def yaml_version_problems(text: str, tree: Any, normalised: dict[str, Any]) -> list[str]:
    """A loaded value that YAML 1.1 reads differently must be the text as written or its number."""
    problems = []
    for trail, old, new in yaml11_disagreements(text, tree):
        if isinstance(new, str):
            continue  # kept as the text written: the field had to accept it as text
        if isinstance(old, str) and isinstance(new, int | float) and not isinstance(new, bool):
            with contextlib.suppress(ValueError):
                if float(old) == float(new):
                    continue  # 1e3: text in YAML 1.1, the number 1000 in YAML 1.2 and JSON
        if _get(normalised, trail) is not None:
            problems.append(f"{_catalog_path(trail)}: YAML 1.1 reads {old!r}, mgpn loaded {new!r}")
    return problems


# -- running ------------------------------------------------------------------------------------


@dataclass
class Report:
    """What a fuzzing run found; ``failures`` holds (door, mutation history, problem)."""

    inputs: int = 0
    loaded: int = 0
    refused: int = 0
    validate_runs: int = 0
    api_runs: int = 0
    hangs: int = 0
    foreign: int = 0
    meaning_changes: int = 0
    slowest: float = 0.0
    seconds: float = 0.0
    failures: list[tuple[str, str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.inputs} inputs ({self.loaded} loaded, {self.refused} refused) in "
            f"{self.seconds:.1f} s; mgpn validate {self.validate_runs}, API {self.api_runs}; "
            f"foreign exceptions {self.foreign}, hangs {self.hangs}, silent changes of meaning "
            f"{self.meaning_changes}; slowest input {self.slowest:.2f} s"
        )


Door = Callable[[Path, bytes, bool], str | None]
Outcome = tuple[
    str, str, str
]  # (door, "loaded" | "refused" | "foreign" | "meaning" | "ok", problem)


class _Worker:
    """A child process that runs the doors, so a hang (even inside C code) can be killed."""

    def __init__(self, doors: bool) -> None:
        context = multiprocessing.get_context("fork")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, doors), daemon=True)
        self.process.start()
        child.close()
        if not self.conn.poll(120) or self.conn.recv() != "ready":
            raise RuntimeError("the fuzzing worker did not start")

    def run(self, suffix: str, data: bytes, doors: bool, limit: float) -> list[Outcome] | None:
        self.conn.send((suffix, data, doors))
        if self.conn.poll(limit):
            try:
                result: list[Outcome] = self.conn.recv()
            except EOFError:  # the worker died (a crash in C code, or the harness itself)
                return [("load_case", "foreign", "the process died")]
            return result
        return None  # a hang: the caller kills this worker

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


def _serve(conn: Any, doors: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        validate = api = None
        client_context: Any = contextlib.nullcontext()
        if doors:
            from fastapi.testclient import TestClient

            from mgpn.web.main import create_app
            from mgpn.web.settings import Settings

            client_context = TestClient(
                create_app(Settings(database_url=f"sqlite:///{folder}/fuzz.sqlite3"))
            )
        with client_context as client:
            if doors:
                validate, api = validate_door(), api_door(client)
            conn.send("ready")
            while True:
                try:
                    suffix, data, run_doors = conn.recv()
                except EOFError:
                    return
                target = Path(folder) / f"input{suffix}"
                target.write_bytes(data)
                outcomes = [_check_load(target, data, suffix == ".json")]
                if run_doors and validate is not None and api is not None:
                    for name, door in (("validate", validate), ("api", api)):
                        try:
                            problem = door(target, data, suffix == ".json")
                        except Exception as exc:
                            problem = f"{type(exc).__name__}: {exc}"[:300]
                        outcomes.append(
                            (name, "ok" if problem is None else "foreign", problem or "")
                        )
                conn.send(outcomes)


def fuzz(
    *,
    count: int,
    seconds: float,
    seed: int = 0,
    time_limit: float = 2.0,
    doors: bool = True,
    every: int = 5,
    save: Path | None = None,
) -> Report:
    """Run up to ``count`` mutated inputs or for ``seconds``.

    ``load_case`` sees every input; ``mgpn validate`` and the API (when ``doors``) every
    ``every``-th. An input that takes longer than ``time_limit`` seconds (three times
    that with the other doors) is a hang: its worker process is killed and replaced.
    """
    rng = random.Random(seed)
    seeds = [(path, path.read_bytes()) for path in seed_files()]
    report = Report()
    worker = _Worker(doors)
    start = time.perf_counter()
    try:
        while report.inputs < count and time.perf_counter() - start < seconds:
            path, original = rng.choice(seeds)
            history: list[str] = [path.name]
            data = _mutated(original, path.suffix == ".json", rng, history)
            report.inputs += 1
            run_doors = doors and report.inputs % every == 0
            limit = time_limit * (3 if run_doors else 1)
            began = time.perf_counter()
            outcomes = worker.run(path.suffix, data, run_doors, limit)
            report.slowest = max(report.slowest, time.perf_counter() - began)
            if outcomes is None:
                report.hangs += 1
                report.failures.append(("load_case", " / ".join(history), f"over {limit:g} s"))
                _save(save, report, path.suffix, data)
                worker.stop()
                worker = _Worker(doors)
                continue
            _count(report, outcomes, " / ".join(history))
            if not worker.process.is_alive():
                worker.stop()
                worker = _Worker(doors)
            if any(kind in ("foreign", "meaning") for _, kind, _ in outcomes):
                _save(save, report, path.suffix, data)
    finally:
        worker.stop()
    report.seconds = time.perf_counter() - start
    return report


def _count(report: Report, outcomes: list[Outcome], where: str) -> None:
    for door, kind, problem in outcomes:
        if door == "validate":
            report.validate_runs += 1
        elif door == "api":
            report.api_runs += 1
        if kind == "loaded":
            report.loaded += 1
        elif kind == "refused":
            report.refused += 1
        elif kind == "foreign":
            report.foreign += 1
        elif kind == "meaning":
            report.loaded += 1
            report.meaning_changes += 1
        if kind in ("foreign", "meaning"):
            report.failures.append((door, where, problem))


def _mutated(original: bytes, is_json: bool, rng: random.Random, history: list[str]) -> bytes:
    text = original.decode("utf-8")
    for _ in range(rng.choice([1, 1, 2, 3])):
        if rng.random() < 0.3:
            try:
                tree = read_document(text, "seed", json_only=is_json)
            except CaseError:
                tree = None
            if isinstance(tree, dict):
                tree, done = mutate_data(tree, rng)
                history.append(done)
                try:
                    text = json.dumps(tree) if is_json else yaml.safe_dump(tree, allow_unicode=True)
                except (ValueError, UnicodeEncodeError, yaml.YAMLError, TypeError):
                    text = json.dumps(tree, default=str)
                continue
        text, done = mutate_text(text, rng, is_json)
        history.append(done)
    return text.encode("utf-8", "surrogatepass")


def _check_load(target: Path, data: bytes, is_json: bool) -> Outcome:
    try:
        try:
            case = load_case(target)
        except CaseError as error:
            if not error.issues or not all(issue.message for issue in error.issues):
                return ("load_case", "foreign", "a refusal without a reason")
            return ("load_case", "refused", "")
        normalised = dump_case(case)
        json.dumps(normalised, ensure_ascii=False).encode("utf-8")  # it can be written out
    except Exception as exc:
        return ("load_case", "foreign", f"{type(exc).__name__}: {exc}"[:300])
    text = data.decode("utf-8")
    try:
        tree = read_document(text, "input", json_only=is_json)
    except CaseError as error:
        return ("load_case", "meaning", f"loaded, but the strict reader refuses it: {error}"[:300])
    problems = meaning_problems(tree, normalised)
    if not is_json:
        problems += yaml_version_problems(text, tree, normalised)
    if problems:
        return ("load_case", "meaning", "silent change of meaning: " + "; ".join(problems[:3]))
    return ("load_case", "loaded", "")


def _save(folder: Path | None, report: Report, suffix: str, data: bytes) -> None:
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"failure-{len(report.failures):04d}{suffix}").write_bytes(data)


# -- the other doors ------------------------------------------------------------------------------


def validate_door() -> Door:
    """``mgpn validate --format json`` in-process: exit 0 or 1, agreeing with ``load_case``."""
    from typer.testing import CliRunner

    from mgpn.cli.main import app

    runner = CliRunner()

    def run(target: Path, data: bytes, is_json: bool) -> str | None:
        result = runner.invoke(app, ["validate", "--format", "json", str(target)])
        if result.exit_code not in (0, 1) or "Traceback" in result.output:
            return f"exit {result.exit_code}: {result.exception!r}"[:300]
        try:
            load_case(target)
            loaded = True
        except CaseError:
            loaded = False
        if loaded != (result.exit_code == 0):
            return f"validate exit {result.exit_code} but load_case {'loaded' if loaded else 'refused'}"
        return None

    return run


def api_door(client: Any) -> Door:
    """``POST /api/v1/assessments`` with the input as JSON: 200 or 422 with a field path."""

    def run(target: Path, data: bytes, is_json: bool) -> str | None:
        if is_json:
            body = data
        else:
            try:
                body = json.dumps(read_document(data, "input")).encode()
            except CaseError:
                return None  # the YAML reader refused it: nothing a JSON client could send
        response = client.post(
            "/api/v1/assessments", content=body, headers={"content-type": "application/json"}
        )
        if response.status_code == 200:
            return None
        if response.status_code != 422:
            return f"HTTP {response.status_code}: {response.text[:200]}"
        if "Traceback" in response.text:
            return "a traceback in the response"
        return None

    return run

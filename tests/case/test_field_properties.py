"""Every field type, read strictly: valid spellings load as written, hostile ones name the field.

For each field of the catalogue (so a field added to the format is covered without
anyone remembering to), Hypothesis writes values into a YAML or JSON document as a
person or a program would, and checks the normalised case. Hostile spellings for the
field's kind (YAML 1.1 words and numbers, non-finite numbers, bad units, impossible
dates, tags, aliases, control characters) must raise mgpn's CaseError with an issue on
that field's path, never another exception, never a silent reading.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mgpn.case import FieldDescriptor, dump_case, field_catalog, parse_case
from mgpn.errors import CaseError
from mgpn.strict_reader import read_document

FIELDS = [f for f in field_catalog() if f.path != "format"]
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_LIST_BASE = {"visits": ("date", "2024-01-01"), "treatments": ("regimen", "rituximab")}
_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=15)


def _concrete(field: FieldDescriptor) -> list[str | int]:
    parts: list[str | int] = []
    for part in field.path.split("."):
        if part.endswith("[]"):
            parts += [part[:-2], 0]
        else:
            parts.append(part)
    return parts


def _issue_path(field: FieldDescriptor) -> str:
    return field.path.replace("[]", "[0]")


def yaml_document(field: FieldDescriptor, value: str) -> str:
    """A case with ``value`` (YAML text, flow style) at the field's place."""
    parts = field.path.split(".")
    if parts[0].endswith("[]"):
        section = parts[0][:-2]
        key, base = _LIST_BASE[section]
        item = (
            f"{parts[1]}: {value}" if parts[1] == key else f"{key}: {base}\n    {parts[1]}: {value}"
        )
        return f"format: mgpn-case/1\n{section}:\n  - {item}\n"
    lines = ["format: mgpn-case/1"]
    for depth, part in enumerate(parts[:-1]):
        lines.append("  " * depth + f"{part}:")
    lines.append("  " * (len(parts) - 1) + f"{parts[-1]}: {value}")
    return "\n".join(lines) + "\n"


def json_document(field: FieldDescriptor, value: str) -> str:
    """A case with ``value`` (JSON text) at the field's place."""
    document: dict[str, Any] = {"format": "mgpn-case/1"}
    node: Any = document
    parts = _concrete(field)
    for here, after in itertools.pairwise(parts):
        if isinstance(after, int):
            key, base = _LIST_BASE[str(here)]
            item = {} if parts[-1] == key else {key: base}
            node[here] = [item]
            node = item
        elif not isinstance(here, int):
            node = node.setdefault(here, {})
    node[parts[-1]] = "__VALUE__"
    return json.dumps(document).replace('"__VALUE__"', value)


def _load(text: str, as_json: bool) -> dict[str, Any]:
    return dump_case(parse_case(read_document(text, "test", json_only=as_json)))


def _value_at(normalised: dict[str, Any], field: FieldDescriptor) -> Any:
    node: Any = normalised
    for part in _concrete(field):
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and len(node) > part else None
        else:
            node = node.get(part) if isinstance(node, dict) else None
    return node


# -- valid spellings ------------------------------------------------------------------------


def _number_text(value: float) -> str:
    return repr(value)


@st.composite
def valid_spelling(draw: st.DrawFn, field: FieldDescriptor) -> tuple[str, str, Any]:
    """(YAML text, JSON text, normalised value) for one valid value of ``field``."""
    kind = field.kind
    if kind == "boolean":
        flag = draw(st.booleans())
        word = draw(
            st.sampled_from(["true", "True", "TRUE"] if flag else ["false", "False", "FALSE"])
        )
        return word, json.dumps(flag), flag
    if kind == "enum":
        choice = draw(st.sampled_from(field.choices))
        return choice, json.dumps(choice), choice
    if kind in ("result",) or (kind == "quantity_or_result" and draw(st.booleans())):
        word = draw(st.sampled_from(["positive", "negative", "borderline", "true", "false"]))
        meaning = {"true": "positive", "false": "negative"}.get(word, word)
        return word, json.dumps(meaning), meaning
    if kind in ("quantity", "quantity_or_result"):
        assert field.minimum is not None and field.maximum is not None
        value = draw(st.floats(field.minimum, field.maximum).map(lambda v: float(f"{v:.6g}")))
        if not field.minimum <= value <= field.maximum:
            value = field.minimum
        expected = {"value": value, "unit": field.unit}
        spelling = draw(st.sampled_from(["bare", "text", "mapping"]))
        if spelling == "bare":
            return _number_text(value), json.dumps(value), expected
        if spelling == "text":
            text = f"{_number_text(value)} {field.unit}"
            return json.dumps(text), json.dumps(text), expected
        mapping = {"value": value, "unit": field.unit}
        return json.dumps(mapping), json.dumps(mapping), expected
    if kind == "integer":
        assert field.minimum is not None and field.maximum is not None
        number = draw(st.integers(int(field.minimum), int(field.maximum)))
        return str(number), str(number), number
    if kind == "number":
        assert field.minimum is not None and field.maximum is not None
        value = draw(st.floats(field.minimum, field.maximum, allow_nan=False))
        return _number_text(value), json.dumps(value), value
    if kind == "date":
        day = draw(st.dates()).isoformat()
        return day, json.dumps(day), day
    if kind == "list":
        names = list(field.vocabulary or field.choices)
        items = draw(st.lists(st.sampled_from(names), max_size=3, unique=True))
        return json.dumps(items), json.dumps(items), items
    if kind == "extensions":
        extra = draw(
            st.dictionaries(
                st.text("abcxyz_", min_size=1, max_size=6),
                st.integers(-5, 5),
                min_size=1,
                max_size=3,
            )
        )
        return json.dumps(extra), json.dumps(extra), extra
    text = draw(_TEXT)
    # Astral characters literally in YAML: libyaml refuses JSON's surrogate-pair escapes.
    return json.dumps(text, ensure_ascii=False), json.dumps(text), text


@SETTINGS
@given(st.data())
def test_valid_spellings_load_as_written(data: st.DataObject) -> None:
    field = data.draw(st.sampled_from(FIELDS), label="field")
    yaml_text, json_text, expected = data.draw(valid_spelling(field), label="value")
    for text, as_json in (
        (yaml_document(field, yaml_text), False),
        (json_document(field, json_text), True),
    ):
        got = _value_at(_load(text, as_json), field)
        if isinstance(expected, float) and not isinstance(expected, bool):
            assert got == pytest.approx(expected, rel=1e-9), text
        elif isinstance(expected, dict) and "value" in expected:
            assert got["unit"] == expected["unit"] and got["value"] == pytest.approx(
                expected["value"], rel=1e-9
            )
        else:
            assert got == expected, text


# -- hostile spellings -------------------------------------------------------------------------

COMMON_YAML = [
    ".nan", ".inf", "-.inf", "1" + "0" * 400, "!!binary aGk=", "!!timestamp 2024-01-01",
    "!local x", "*anchor", "!!python/object:os.system x", '"a\\0b"', '"bell\\x07"',
    "[" * 80 + "]" * 80, "!!int x", "!!float y", "!!bool yes",
]  # fmt: skip
BY_KIND_YAML: dict[str, list[str]] = {
    "boolean": ["yes", "no", "on", "off", "y", "n", "Yes", "NO", "On", "OFF", "1", "0", "'true'", "ture"],
    "integer": ["0x1F", "0o7", "010", "1_000", "1:30", "1.5", "'3'", "yes", "true", "1e400"],
    "number": ["0x1F", "010", "1_000", "1:30", "yes", "'12'", "true", "1e400"],
    "enum": ["yes", "no", "true", "1", "'unknown value'", "[a]"],
    "result": ["yes", "no", "on", "off", "y", "n", "1", "0", "maybe"],
    "quantity": [
        "{value: 1, unit: false}", "{value: 1, unit: 0}", "{value: 1, unit: []}",
        "{value: 1, unit: {}}", "{value: 1, unit: null}", "{value: 1, unit: ''}",
        "{value: yes}", "{value: .nan}", "0x10", "1_000", "1:30", "'12 furlongs'", "yes", "'1e400'",
    ],
    "quantity_or_result": ["{value: 1, unit: false}", "{value: 1, unit: 0}", "0x10", "yes", "1:30"],
    "date": ["2024-13-40", "2023-02-30", "'25:00'", "2024-01-01T25:00:00", "20240101", "yes", "2024-1-1"],
    "string": ["[a]", "{a: 1}", "true", "1.5"],
    "list": ["yes", "[.nan]", "!!set {a}", "[[a]]", "[1]", "{a: 1}"],
    "extensions": ["{1: a}", "{true: a}", "{null: a}", "{a: .nan}", "[a]", "{a: *x}"],
}  # fmt: skip
COMMON_JSON = [
    "NaN",
    "Infinity",
    "-Infinity",
    "1e400",
    '"\\ud800"',
    '"a\\u0000b"',
    "9" * 500,
    "[" * 80 + "]" * 80,
]
BY_KIND_JSON: dict[str, list[str]] = {
    "boolean": ['"yes"', '"true"', "1", "0"],
    "integer": ["1.5", '"3"', "true"],
    "number": ['"12"', "true"],
    "quantity": ['{"value": 1, "unit": false}', '{"value": 1, "unit": 0}', '{"value": 1, "unit": []}', '{"value": 1, "unit": {}}'],
    "date": ['"2024-13-40"', "20240101", '"25:00"'],
    "result": ['"yes"', "1"],
    "extensions": ['{"a": NaN}', "[1]"],
}  # fmt: skip
# Kinds for which a hostile word is still a fine value: free text takes words and numbers.
_FINE_FOR = {"string": {"true", "1.5", "'true'", "1", "0"}}


def _hostile(field: FieldDescriptor, table: dict[str, list[str]], common: list[str]) -> list[str]:
    kind = field.kind
    tokens = common + table.get(kind, [])
    if field.path in ("id", "treatments[].regimen", "treatments[].notes"):
        tokens = [t for t in tokens if t not in ("true", "1.5", '"yes"', "1", "0")]
    if field.path == "id":
        tokens = [t for t in tokens if not t.lstrip("-").isdigit()]  # a number id is its digits
    return tokens


def _assert_refused_on_field(field: FieldDescriptor, text: str, as_json: bool) -> None:
    with pytest.raises(CaseError) as caught:
        _load(text, as_json)
    wanted = _issue_path(field)
    paths = [issue.path for issue in caught.value.issues]
    # The field itself, or its parent when the problem is the key (extensions {1: a}).
    parent = wanted.rsplit(".", 1)[0] if "." in wanted else ""
    assert any(p.startswith(wanted) or p == parent for p in paths), (text, paths)


@pytest.mark.parametrize("field", FIELDS, ids=[f.path for f in FIELDS])
def test_every_hostile_spelling_is_refused_on_its_field(field: FieldDescriptor) -> None:
    """Exhaustive over fields and tokens (fast: a few thousand small documents)."""
    for token in _hostile(field, BY_KIND_YAML, COMMON_YAML):
        _assert_refused_on_field(field, yaml_document(field, token), as_json=False)
    for token in _hostile(field, BY_KIND_JSON, COMMON_JSON):
        _assert_refused_on_field(field, json_document(field, token), as_json=True)


@SETTINGS
@given(st.data())
def test_hostile_value_beside_valid_ones_is_refused(data: st.DataObject) -> None:
    """A hostile value in one field of an otherwise valid case is refused on that field."""
    field = data.draw(st.sampled_from(FIELDS), label="field")
    token = data.draw(st.sampled_from(_hostile(field, BY_KIND_YAML, COMMON_YAML)), label="token")
    other = data.draw(
        st.sampled_from([f for f in FIELDS if f.path.split(".")[0] != field.path.split(".")[0]])
    )
    yaml_text, _, _ = data.draw(valid_spelling(other))
    document = (
        yaml_document(field, token)
        + "\n".join(yaml_document(other, yaml_text).splitlines()[1:])
        + "\n"
    )
    try:
        _assert_refused_on_field(field, document, as_json=False)
    except AssertionError:
        # The two fields may share a section written twice (a duplicate key): also a refusal.
        with pytest.raises(CaseError):
            _load(document, as_json=False)


@SETTINGS
@given(st.text(max_size=40))
def test_any_text_in_a_free_text_field_loads_or_is_refused_there(text: str) -> None:
    field = next(f for f in FIELDS if f.path == "treatments[].notes")
    document = json_document(field, json.dumps(text))
    try:
        got = _value_at(_load(document, as_json=True), field)
    except CaseError as error:
        assert any(issue.path == "treatments[0].notes" for issue in error.issues)
        assert any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF or ord(c) == 0x7F for c in text)
        return
    assert got == text

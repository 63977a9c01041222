"""The fast JSON reading (orjson) gives exactly what the exact reading gives, or steps aside.

``read_json`` first tries orjson and checks what orjson would let through (a key given
twice, deep nesting, integers beyond 64 bits, escapes of control characters) without a
Python walk; whenever it is not sure it hands the text to the exact reader. These tests
hold the two readings to the same result, value by value and type by type, on generated
documents and on the texts built to slip past the fast reading.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mgpn.errors import CaseError
from mgpn.strict_reader import _UNSURE as UNSURE
from mgpn.strict_reader import LIMITS, Limits, _plainly_clean, _walk, read_json
from mgpn.strict_reader import _exact_json as exact_json
from mgpn.strict_reader import _fast_json as fast_json


def _typed(value: Any) -> Any:
    """The value with every scalar's type attached (1 == 1.0 == True in Python)."""
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return (type(value).__name__, repr(value))


def _exact(text: str, limits: Limits = LIMITS) -> tuple[str, Any]:
    try:
        return "read", _typed(exact_json(text, "t", CaseError, limits))
    except CaseError as exc:
        return "refused", [issue.path for issue in exc.issues]


def _public(text: str, limits: Limits = LIMITS) -> tuple[str, Any]:
    try:
        return "read", _typed(read_json(text, "t", limits=limits))
    except CaseError as exc:
        return "refused", [issue.path for issue in exc.issues]


_scalars = (
    st.none()
    | st.booleans()
    | st.integers()  # beyond 64 bits too: orjson would read those as floats
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()  # control characters, surrogates, colons, backslashes, quotes
)
_documents = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=6), children, max_size=5),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=_documents, ascii_only=st.booleans(), indent=st.sampled_from([None, 0, 2]))
def test_fast_and_exact_readings_agree_on_generated_documents(document: Any, ascii_only: bool, indent: int | None) -> None:
    try:
        text = json.dumps(document, ensure_ascii=ascii_only, indent=indent)
    except ValueError:  # lone surrogates without ensure_ascii cannot be written
        return
    assert _public(text) == _exact(text)


@settings(max_examples=200, deadline=None)
@given(keys=st.lists(st.sampled_from(["a", "b", "a:b", "\\u0061"]), min_size=2, max_size=5),
       values=st.lists(st.sampled_from(['1', '"x:y"', '{"c": 2}', '[1, ":"]', 'null']), min_size=5, max_size=5))
def test_a_key_given_twice_is_never_lost(keys: list[str], values: list[str]) -> None:
    text = "{" + ", ".join(f'"{key}": {values[i]}' for i, key in enumerate(keys)) + "}"
    assert _public(text) == _exact(text)
    decoded = [json.loads(f'"{key}"') for key in keys]
    if len(set(decoded)) < len(decoded):
        assert _public(text)[0] == "refused"


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": 2}', '{"a": "x:y", "a": "z"}', '{"a": 1, "\\u0061": 2}', '{"a": 1, "a\\u003a": 2}',
        '{"a": {"b": 1, "b": 1}}', '[{"a": 1}, {"a": 1, "a": 1}]',
        "[123456789012345678901234567890]", "[-9223372036854775809]", "[18446744073709551616]",
        '["\\u0000"]', '["\\b"]', '["\\f"]', '["\\u001F"]', '["\\u007f"]', '["\x7f"]', '["\\ud800"]',
        '["\\udc00"]', '["\\\\b"]', "[NaN]", "[-Infinity]", "[1e999]", "[-1e400]", "[1E308]",
        '{"a": 1} x', "", "[01]", '["\\ud83d\\ude00"]', '{"t": "10:30", "u": "http://x"}',
    ],
)  # fmt: skip
def test_texts_built_to_slip_past_the_fast_reading(text: str) -> None:
    assert _public(text) == _exact(text)


@pytest.mark.parametrize("depth", [1, 2, 62, 63, 64, 65, 66, 200, 2000])
def test_nesting_at_and_around_the_limit(depth: int) -> None:
    for inner in ("", "1", '{"a": 1}'):
        text = '{"k": ' * depth + inner + "}" * depth
        assert _public(text) == _exact(text)
        text = "[" * depth + inner + "]" * depth
        assert _public(text) == _exact(text)


def test_the_fast_reading_is_taken_for_an_ordinary_body() -> None:
    """The point of it: an ordinary CDS Hooks or API body does not need the Python walk."""
    body = {"hook": "patient-view", "context": {"patientId": "p1"},
            "prefetch": {"observations": [{"value": 4.2, "unit": "mmol/L", "when": "2024-01-01T10:00:00Z"}] * 50}}  # fmt: skip
    text = json.dumps(body)
    assert fast_json(text, LIMITS) == body
    assert fast_json('{"a": 1, "a": 2}', LIMITS) is UNSURE


_python_values = st.recursive(
    _scalars | st.floats() | st.dates() | st.integers(min_value=-(10**400), max_value=10**400) | st.just(object()),
    lambda children: st.lists(children, max_size=4) | st.tuples(children, children)
    | st.dictionaries(st.text(max_size=4) | st.integers() | st.none(), children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_python_values, max_depth=st.integers(min_value=1, max_value=6))
def test_check_tree_shortcut_never_passes_what_the_walk_refuses(data: Any, max_depth: int) -> None:
    """check_tree skips the path-building walk when a plain scan finds nothing: never wrongly."""
    try:
        _walk(data, "t", CaseError, Limits(max_depth=max_depth), {})
        refused = False
    except CaseError:
        refused = True
    # Only plain types are generated here, so the shortcut decides every case itself.
    assert _plainly_clean(data, max_depth) is not refused

"""Properties of the case model over generated cases: round trips and robustness."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mgpn.case import dump_case, parse_case
from mgpn.errors import CaseError
from tests.strategies import case_documents

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(case_documents())
def test_generated_cases_load(document: dict[str, Any]) -> None:
    """Every document that follows the format loads."""
    parse_case(document)


@SETTINGS
@given(case_documents())
def test_dump_then_load_round_trips_unchanged(document: dict[str, Any]) -> None:
    """dump -> load gives back the same case, and dumping it again the same JSON."""
    case = parse_case(document)
    dumped = dump_case(case)
    again = parse_case(dumped)
    assert again == case
    assert dump_case(again) == dumped


_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.dates(min_value=dt.date(1900, 1, 1)),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.extend(_paths(item, (*prefix, index)))
    return out


@st.composite
def mutated_documents(draw: st.DrawFn) -> dict[str, Any]:
    document = copy.deepcopy(draw(case_documents()))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(document)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent: Any = document
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add_key"]))
        if action == "replace":
            parent[path[-1]] = draw(_JUNK)
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = draw(_JUNK)
    return document


@SETTINGS
@given(mutated_documents())
def test_mutated_cases_load_or_raise_case_error(document: dict[str, Any]) -> None:
    """A random mutation of a valid case either loads or raises CaseError, never anything else."""
    try:
        parse_case(document)
    except CaseError as error:
        assert error.issues, "a refusal must say why"
        assert all(issue.message for issue in error.issues)

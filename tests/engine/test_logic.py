"""Three-valued logic and censored comparisons, tested without any clinical knowledge."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from mgpn.engine.logic import (
    Interval,
    Truth,
    at_least_n,
    evaluate,
    kleene_all,
    kleene_any,
    kleene_not,
)
from mgpn.knowledge.predicates import Predicate

PREDICATE = TypeAdapter(Predicate)


@dataclass
class Q:
    """A quantity as the case model gives it."""

    value: float
    comparator: str | None = None
    unit: str = "BTU"


@dataclass
class StubFacts:
    values: dict[str, Any] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)
    criteria: dict[str, Truth] = field(default_factory=dict)
    syndromes: dict[str, str] = field(default_factory=dict)

    def value(self, path: str) -> Any:
        return self.values.get(path)

    def threshold(self, name: str) -> float:
        return self.thresholds[name]

    def criterion(self, criterion_id: str) -> Truth:
        return self.criteria.get(criterion_id)

    def members(self, names: list[str]) -> list[str]:
        return list(names)

    def syndrome_status(self, syndrome_id: str) -> str | None:
        return self.syndromes.get(syndrome_id)

    def mimic_status(self, mimic_id: str) -> str | None:
        return None

    def link_status(self) -> str | None:
        return None


def run(raw: dict[str, Any], **facts: Any) -> Truth:
    return evaluate(PREDICATE.validate_python(raw), StubFacts(**facts))


TRUTHS = [True, False, None]


@pytest.mark.parametrize("a", TRUTHS)
@pytest.mark.parametrize("b", TRUTHS)
def test_kleene_tables(a: Truth, b: Truth) -> None:
    expected_and = False if False in (a, b) else (None if None in (a, b) else True)
    expected_or = True if True in (a, b) else (None if None in (a, b) else False)
    assert kleene_all([a, b]) is expected_and
    assert kleene_any([a, b]) is expected_or


def test_not_keeps_unknown() -> None:
    assert kleene_not(None) is None
    assert kleene_not(True) is False


@pytest.mark.parametrize(
    ("values", "n", "expected"),
    [
        ([True, True, None], 2, True),
        ([True, None, None], 2, None),
        ([True, False, False], 2, False),
        ([None, None, False], 3, False),
    ],
)
def test_at_least_n_counts_unknowns_as_possible(
    values: list[Truth], n: int, expected: Truth
) -> None:
    assert at_least_n(n, values) is expected


def test_absent_finding_is_unknown_not_false() -> None:
    assert run({"path": "neuropathy.sensory_ataxia", "is": True}) is None
    assert (
        run(
            {"path": "neuropathy.sensory_ataxia", "is": True},
            values={"neuropathy.sensory_ataxia": False},
        )
        is False
    )
    assert run({"path": "neuropathy.sensory_ataxia", "present": True}) is False


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        (Q(70000, ">"), True),  # ">70000" satisfies at least 70000
        (Q(70000), True),  # exactly at the threshold
        (Q(69999), False),  # just under
        (Q(1000, "<"), False),  # "<1000" is below 10000... and below 70000
        (Q(80000, "<"), None),  # "<80000" may or may not reach 70000
        (Q(60000, ">"), None),  # ">60000" may or may not reach 70000
        (Q(70000, "<"), False),  # strictly below
        (Q(70000, "<="), None),  # could be exactly 70000
    ],
)
def test_censored_at_least(quantity: Q, expected: Truth) -> None:
    raw = {"path": "antibodies.anti_mag", "at_least": "t"}
    assert run(raw, values={"antibodies.anti_mag": quantity}, thresholds={"t": 70000}) is expected


def test_censored_against_medium_threshold_is_unknown() -> None:
    raw = {"path": "antibodies.anti_mag", "at_least": "t"}
    assert run(raw, values={"antibodies.anti_mag": Q(20000, "<")}, thresholds={"t": 10000}) is None
    assert run(raw, values={"antibodies.anti_mag": Q(1000, "<")}, thresholds={"t": 10000}) is False


@pytest.mark.parametrize(
    ("word", "operator", "expected"),
    [
        ("negative", "at_least", False),
        ("negative", "below", True),
        ("positive", "at_least", None),
        ("borderline", "below", None),
    ],
)
def test_qualitative_results_against_numeric_thresholds(
    word: str, operator: str, expected: Truth
) -> None:
    raw = {"path": "antibodies.anti_mag", operator: "t"}
    assert run(raw, values={"antibodies.anti_mag": word}, thresholds={"t": 10000}) is expected


def test_above_and_at_most_are_strict_pairs() -> None:
    raw_above = {"path": "labs.nt_probnp", "above": "t"}
    raw_at_most = {"path": "labs.nt_probnp", "at_most": "t"}
    facts = {"thresholds": {"t": 332}}
    assert run(raw_above, values={"labs.nt_probnp": Q(332)}, **facts) is False
    assert run(raw_above, values={"labs.nt_probnp": Q(333)}, **facts) is True
    assert run(raw_at_most, values={"labs.nt_probnp": Q(332)}, **facts) is True


def test_difference_of_two_quantities_keeps_censoring() -> None:
    raw = {"path": "a", "minus": "b", "at_least": "t"}
    assert run(raw, values={"a": Q(310), "b": Q(14)}, thresholds={"t": 180}) is True
    assert run(raw, values={"a": Q(150), "b": Q(14)}, thresholds={"t": 180}) is False
    assert run(raw, values={"a": Q(310), "b": Q(200, "<")}, thresholds={"t": 180}) is None
    assert run(raw, values={"a": Q(310)}, thresholds={"t": 180}) is None


def test_list_operators() -> None:
    drugs = {"history.neurotoxic_drugs": ["Bortezomib"]}
    assert (
        run({"path": "history.neurotoxic_drugs", "contains_any": ["bortezomib"]}, values=drugs)
        is True
    )
    assert (
        run({"path": "history.neurotoxic_drugs", "contains_any": ["vincristine"]}, values=drugs)
        is False
    )
    regimens = {"treatments[].regimen": ["Dara-CyBorD"]}
    assert (
        run({"path": "treatments[].regimen", "mentions_any": ["cybord"]}, values=regimens) is True
    )


def test_not_true_and_unknown_wrappers() -> None:
    assert run({"not_true": {"criterion": "x"}}) is True
    assert run({"not_true": {"criterion": "x"}}, criteria={"x": True}) is False
    assert run({"unknown": {"criterion": "x"}}) is True
    assert run({"unknown": {"criterion": "x"}}, criteria={"x": False}) is False


def test_syndrome_reference() -> None:
    raw = {"syndrome": ["anti_mag", "poems"], "status_in": ["established"]}
    assert run(raw, syndromes={"anti_mag": "possible", "poems": "established"}) is True
    assert run(raw, syndromes={"anti_mag": "possible", "poems": "unlikely"}) is False


def test_leaf_needs_exactly_one_operator() -> None:
    with pytest.raises(ValueError, match="exactly one operator"):
        PREDICATE.validate_python({"path": "x", "is": True, "in": ["a"]})
    with pytest.raises(ValueError):
        PREDICATE.validate_python({"pathh": "x", "is": True})


@given(
    lo=st.floats(-1e6, 1e6),
    width=st.floats(0, 1e6),
    threshold=st.floats(-1e6, 1e6),
)
def test_interval_answer_agrees_with_every_point(lo: float, width: float, threshold: float) -> None:
    interval = Interval(lo, False, lo + width, False)
    answer = interval.at_least(threshold)
    points = [lo, lo + width, lo + width / 2]
    truths = {point >= threshold for point in points}
    if answer is not None:
        assert truths == {answer}

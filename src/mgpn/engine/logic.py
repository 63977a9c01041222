"""Three-valued (Kleene) evaluation of knowledge-base predicates.

``True`` / ``False`` / ``None`` (unknown). An absent finding is unknown, never false;
a censored laboratory value (``>70000 BTU``, ``<1000 BTU``) is an interval, and a
comparison is decided only when the whole interval falls on one side of the
threshold (``<20000`` against "at least 10000" stays unknown).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

from mgpn.knowledge.predicates import (
    AllOf,
    AnyKnown,
    AnyOf,
    AtLeastN,
    CriterionRef,
    Leaf,
    LinkRef,
    MimicRef,
    NotOf,
    NotTrue,
    Predicate,
    SyndromeRef,
    UnknownOf,
)

Truth = bool | None


class Facts(Protocol):
    """What a predicate may read: case values, thresholds and earlier results."""

    def value(self, path: str) -> Any: ...

    def threshold(self, name: str) -> float: ...

    def criterion(self, criterion_id: str) -> Truth: ...

    def members(self, names: list[str]) -> list[str]: ...

    def syndrome_status(self, syndrome_id: str) -> str | None: ...

    def mimic_status(self, mimic_id: str) -> str | None: ...

    def link_status(self) -> str | None: ...


def kleene_all(values: list[Truth]) -> Truth:
    if any(value is False for value in values):
        return False
    if any(value is None for value in values):
        return None
    return True


def kleene_any(values: list[Truth]) -> Truth:
    if any(value is True for value in values):
        return True
    if any(value is None for value in values):
        return None
    return False


def kleene_not(value: Truth) -> Truth:
    return None if value is None else not value


def at_least_n(n: int, values: list[Truth]) -> Truth:
    true = sum(1 for value in values if value is True)
    unknown = sum(1 for value in values if value is None)
    if true >= n:
        return True
    if true + unknown < n:
        return False
    return None


@dataclass(frozen=True)
class Interval:
    """The set of values a (possibly censored) measurement allows."""

    lo: float
    lo_open: bool
    hi: float
    hi_open: bool

    @classmethod
    def exact(cls, value: float) -> Interval:
        return cls(value, False, value, False)

    @classmethod
    def censored(cls, value: float, comparator: str | None) -> Interval:
        if comparator == ">":
            return cls(value, True, math.inf, True)
        if comparator == ">=":
            return cls(value, False, math.inf, True)
        if comparator == "<":
            return cls(-math.inf, True, value, True)
        if comparator == "<=":
            return cls(-math.inf, True, value, False)
        return cls.exact(value)

    def minus(self, other: Interval) -> Interval:
        return Interval(
            self.lo - other.hi,
            self.lo_open or other.hi_open,
            self.hi - other.lo,
            self.hi_open or other.lo_open,
        )

    def at_least(self, threshold: float) -> Truth:
        if self.lo >= threshold:
            return True
        if self.hi < threshold or (self.hi == threshold and self.hi_open):
            return False
        return None

    def above(self, threshold: float) -> Truth:
        if self.lo > threshold or (self.lo == threshold and self.lo_open):
            return True
        if self.hi <= threshold:
            return False
        return None


def as_interval(value: Any) -> Interval | str | None:
    """A numeric value as an interval; a qualitative result as its word; else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return Interval.exact(float(value))
    if isinstance(value, str):
        return value.lower()
    number = getattr(value, "value", None)
    if isinstance(number, int | float) and not isinstance(number, bool):
        return Interval.censored(float(number), getattr(value, "comparator", None))
    return None


def _compare(operator: str, interval: Interval, threshold: float) -> Truth:
    if operator == "at_least":
        return interval.at_least(threshold)
    if operator == "above":
        return interval.above(threshold)
    if operator == "below":
        return kleene_not(interval.at_least(threshold))
    return kleene_not(interval.above(threshold))  # at_most


def _numeric(leaf: Leaf, facts: Facts) -> Truth:
    operator = leaf.numeric_operator
    name = leaf.threshold_name
    assert operator is not None and name is not None  # guaranteed by the schema
    threshold = facts.threshold(name)
    measured = as_interval(facts.value(leaf.path))
    if isinstance(measured, str):
        # A bare qualitative result: "negative" means below the laboratory's cut-off, so
        # below every threshold the knowledge base uses for that field (they are all at
        # or above a laboratory cut-off); "positive"/"borderline" give no number.
        if leaf.minus is not None or measured != "negative":
            return None
        return operator in ("below", "at_most")
    if measured is None:
        return None
    if leaf.minus is not None:
        other = as_interval(facts.value(leaf.minus))
        if not isinstance(other, Interval):
            return None
        measured = measured.minus(other)
    return _compare(operator, measured, threshold)


def _as_strings(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value.lower()]
    if isinstance(value, list | tuple):
        return [str(item).lower() for item in value]
    return None


def evaluate_leaf(leaf: Leaf, facts: Facts) -> Truth:
    if leaf.present is not None:
        known = facts.value(leaf.path) is not None
        return known if leaf.present else not known
    if leaf.threshold_name is not None:
        return _numeric(leaf, facts)
    value = facts.value(leaf.path)
    if value is None:
        return None
    if leaf.is_ is not None:
        if isinstance(leaf.is_, bool):
            return value is leaf.is_ if isinstance(value, bool) else False
        return isinstance(value, str) and value.lower() == leaf.is_.lower()
    if leaf.in_ is not None:
        return isinstance(value, str) and value.lower() in {item.lower() for item in leaf.in_}
    items = _as_strings(value)
    if items is None:
        return None
    if leaf.contains_any is not None:
        wanted = {item.lower() for item in leaf.contains_any}
        return any(item in wanted for item in items)
    assert leaf.mentions_any is not None  # the schema guarantees one operator
    return any(word.lower() in item for item in items for word in leaf.mentions_any)


def evaluate(predicate: Predicate, facts: Facts) -> Truth:
    """The truth of ``predicate`` against ``facts``: True, False or None (unknown).

    Runs the predicate compiled once into closures (:mod:`mgpn.engine.compiled`); the
    meaning is :func:`interpret`'s, which the tests hold it to.
    """
    return _compiled(predicate)(facts)


def interpret(predicate: Predicate, facts: Facts) -> Truth:
    """The definition of a predicate's truth, by walking its tree (slow; the reference)."""
    evaluate = interpret  # the children too, by definition
    if isinstance(predicate, Leaf):
        return evaluate_leaf(predicate, facts)
    if isinstance(predicate, AllOf):
        return kleene_all([evaluate(item, facts) for item in predicate.all])
    if isinstance(predicate, AnyOf):
        return kleene_any([evaluate(item, facts) for item in predicate.any])
    if isinstance(predicate, AnyKnown):
        values = [evaluate(item, facts) for item in predicate.any_known]
        if any(value is True for value in values):
            return True
        return False if any(value is False for value in values) else None
    if isinstance(predicate, NotOf):
        return kleene_not(evaluate(predicate.not_, facts))
    if isinstance(predicate, AtLeastN):
        spec = predicate.at_least_n
        return at_least_n(spec.n, [evaluate(item, facts) for item in spec.of])
    if isinstance(predicate, UnknownOf):
        return evaluate(predicate.unknown, facts) is None
    if isinstance(predicate, NotTrue):
        return evaluate(predicate.not_true, facts) is not True
    if isinstance(predicate, CriterionRef):
        return facts.criterion(predicate.criterion)
    if isinstance(predicate, SyndromeRef):
        statuses = [facts.syndrome_status(i) for i in facts.members(predicate.syndrome)]
        return kleene_any([None if s is None else s in predicate.status_in for s in statuses])
    if isinstance(predicate, MimicRef):
        statuses = [facts.mimic_status(i) for i in facts.members(predicate.mimic)]
        return kleene_any([None if s is None else s in predicate.status_in for s in statuses])
    assert isinstance(predicate, LinkRef)
    status = facts.link_status()
    return None if status is None else status in predicate.link_in


# At the end: the compiler reads the helpers above.
from mgpn.engine.compiled import compiled as _compiled  # noqa: E402

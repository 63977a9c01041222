"""Every criterion's own ``examples:`` (a finding that meets it and one that does not), run.

The examples live next to the criterion in the knowledge base so a reviewer reads the rule and
its boundary cases together; this test evaluates each one with the real engine, for all
criteria of all syndromes, mimics and the link (not a sample).
"""

from __future__ import annotations

from typing import Any

import pytest

from mgpn.case import parse_case
from mgpn.engine.facts import CaseFacts
from mgpn.engine.rules import evaluate_criteria
from mgpn.knowledge import load_knowledge
from mgpn.knowledge.schema import Criterion, CriterionExample, RuleSet


def _rule_sets() -> list[tuple[str, RuleSet]]:
    kb = load_knowledge()
    found: list[tuple[str, RuleSet]] = [(s.id, s) for s in kb.syndromes]
    found += [(m.id, m) for m in kb.mimics]
    found.append(("link", kb.link))
    return found


def _document(example: CriterionExample) -> dict[str, Any]:
    document: dict[str, Any] = {"format": "mgpn-case/1", "id": "criterion-example"}
    document["neuropathy"] = {"present": True}
    for path, value in example.case.items():
        if path.startswith("treatments[]."):
            field = path.removeprefix("treatments[].")
            items = document.setdefault("treatments", [{} for _ in value])
            for item, entry in zip(items, value, strict=True):
                item[field] = entry
            continue
        node = document
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return document


def _cases() -> list[tuple[str, str, RuleSet, Criterion, int]]:
    rows = []
    for owner, rules in _rule_sets():
        for criterion in rules.criteria:
            for index, _ in enumerate(criterion.examples):
                rows.append((owner, criterion.id, rules, criterion, index))
    return rows


CASES = _cases()


@pytest.mark.parametrize(
    ("owner", "criterion_id", "rules", "criterion", "index"),
    CASES,
    ids=[f"{row[0]}.{row[1]}[{row[4]}]" for row in CASES],
)
def test_criterion_example(
    owner: str, criterion_id: str, rules: RuleSet, criterion: Criterion, index: int
) -> None:
    example = criterion.examples[index]
    kb = load_knowledge()
    case = parse_case(_document(example), source=f"{owner}.{criterion_id} example {index}")
    facts = CaseFacts(case, kb, dict(example.syndromes), dict(example.mimics))
    truths = {o.criterion.id: o.truth for o in evaluate_criteria(rules.criteria, facts)}
    assert truths[criterion_id] is example.expect, (owner, criterion_id, example)


@pytest.mark.parametrize(("owner", "rules"), _rule_sets(), ids=[o for o, _ in _rule_sets()])
def test_every_criterion_has_a_meeting_and_a_failing_example(owner: str, rules: RuleSet) -> None:
    lacking = [
        c.id
        for c in rules.criteria
        if not any(e.expect is True for e in c.examples)
        or not any(e.expect is False for e in c.examples)
    ]
    assert not lacking, f"{owner}: criteria without a meets/does-not-meet pair: {lacking}"


def test_every_threshold_is_exercised_at_its_boundary_by_some_example() -> None:
    """A numeric criterion's examples include a value exactly at its threshold."""
    kb = load_knowledge()
    from mgpn.knowledge.checks import iter_leaves

    missing = []
    for owner, rules in _rule_sets():
        for criterion in rules.criteria:
            for leaf in iter_leaves(criterion.when):
                name = leaf.threshold_name
                if name is None or leaf.minus is not None:
                    continue
                value = kb.thresholds[name].value
                values = [e.case.get(leaf.path) for e in criterion.examples]
                numbers = [_number(v) for v in values if v is not None]
                if value not in numbers:
                    missing.append(f"{owner}.{criterion.id} ({name} = {value:g})")
    assert not missing, "examples do not sit on these thresholds: " + "; ".join(missing)


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        head = value.strip().lstrip("<>=").split(" ")[0]
        try:
            return float(head)
        except ValueError:
            return None
    return None

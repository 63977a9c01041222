"""Properties of the real engine over generated cases (strategies from tests/strategies.py)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mgpn.assessment import SYNDROME_IDS
from mgpn.case import parse_case
from mgpn.engine import evaluate
from mgpn.engine.assess import STATUS_ORDER
from mgpn.knowledge import load_knowledge
from mgpn.knowledge.predicates import AllOf, AnyOf, AtLeastN, CriterionRef, Leaf, Predicate
from mgpn.knowledge.schema import Criterion, SyndromeKnowledge
from tests.strategies import case_documents

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(document=case_documents())
def test_any_valid_case_gives_a_complete_ranked_assessment(document: dict[str, Any]) -> None:
    assessment = evaluate(parse_case(document, source="generated"))
    ids = [s.id for s in assessment.syndromes]
    assert sorted(ids) == sorted(SYNDROME_IDS)
    assert [s.rank for s in assessment.syndromes] == list(range(1, 13))
    orders = [STATUS_ORDER[s.status] for s in assessment.syndromes]
    assert orders == sorted(orders)
    assert "does not replace" in assessment.disclaimer
    json.dumps(assessment.to_json_dict())


def _monotone_paths(predicate: Predicate) -> set[str] | None:
    """Boolean paths used only as ``is: true`` under and/or/at-least-n; None if anything else."""
    if isinstance(predicate, Leaf):
        return {predicate.path} if predicate.is_ is True else set()
    children: list[Predicate]
    if isinstance(predicate, AllOf):
        children = list(predicate.all)
    elif isinstance(predicate, AnyOf):
        children = list(predicate.any)
    elif isinstance(predicate, AtLeastN):
        children = list(predicate.at_least_n.of)
    elif isinstance(predicate, CriterionRef):
        return set()
    else:
        return None
    found: set[str] = set()
    for child in children:
        paths = _monotone_paths(child)
        if paths is None:
            return None
        found |= paths
    return found


def _all_paths(predicate: Predicate) -> set[str]:
    from mgpn.knowledge.predicates import walk

    return {node.path for node in walk(predicate) if isinstance(node, Leaf)}


def _favourable_findings(syndrome: SyndromeKnowledge) -> list[str]:
    """Findings that only ever push this syndrome's criteria in its favour when set to true."""
    from mgpn.knowledge.predicates import MimicRef, SyndromeRef, walk

    by_id: dict[str, Criterion] = {c.id: c for c in syndrome.criteria}
    for criterion in syndrome.criteria:
        # An against-criterion over other results may turn true through any finding.
        nodes = walk(criterion.when)
        if criterion.direction == "against" and any(
            isinstance(n, SyndromeRef | MimicRef) for n in nodes
        ):
            return []
    safe: set[str] = set()
    unsafe: set[str] = set()
    for criterion in syndrome.criteria:
        paths = _monotone_paths(criterion.when)
        refs = [n for n in _walk_refs(criterion.when)]
        if criterion.direction == "for" and paths is not None and not refs:
            safe |= paths
        else:
            unsafe |= _all_paths(criterion.when)
            for ref in refs:
                if ref in by_id:
                    unsafe |= _all_paths(by_id[ref].when)
    return sorted(safe - unsafe)


def _walk_refs(predicate: Predicate) -> list[str]:
    from mgpn.knowledge.predicates import walk

    return [node.criterion for node in walk(predicate) if isinstance(node, CriterionRef)]


def _set(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    section, field = path.split(".", 1)
    copy = json.loads(json.dumps(document, default=str))
    target = copy.setdefault(section, {})
    for part in field.split(".")[:-1]:
        target = target.setdefault(part, {})
    target[field.split(".")[-1]] = value
    return copy


CANDIDATES = [
    (syndrome.id, path)
    for syndrome in load_knowledge().syndromes
    for path in _favourable_findings(syndrome)
]


@SETTINGS
@given(document=case_documents(), pick=st.sampled_from(CANDIDATES))
def test_adding_a_favourable_finding_never_lowers_the_score(
    document: dict[str, Any], pick: tuple[str, str]
) -> None:
    syndrome_id, path = pick
    without = _set(document, path, False)
    with_finding = _set(document, path, True)
    before = evaluate(parse_case(without, source="generated")).syndrome(syndrome_id).score
    after = evaluate(parse_case(with_finding, source="generated")).syndrome(syndrome_id).score
    assert after >= before


def test_there_are_favourable_findings_to_test() -> None:
    assert len(CANDIDATES) >= 10

"""Compiled predicates mean what the interpreter (the definition) says they mean.

Every predicate of the bundled knowledge base is evaluated both ways over generated
cases and generated earlier results (criteria, syndrome, mimic and link statuses); and
every vignette's whole assessment is computed with the interpreter in place of the
compiled closures and compared with the real one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from mgpn.assessment import LinkStatus, MimicStatus, SyndromeStatus
from mgpn.case import Case, load_case, parse_case
from mgpn.engine import evaluate, logic
from mgpn.engine.compiled import compiled
from mgpn.engine.facts import CaseFacts
from mgpn.knowledge import load_knowledge
from mgpn.knowledge import predicates as p
from tests.strategies import case_documents

REPO = Path(__file__).resolve().parents[2]
PREDICATE_TYPES = tuple(
    t for t in vars(p).values() if isinstance(t, type) and issubclass(t, BaseModel)
    and t.__module__ == p.__name__ and t.__name__ not in ("_Strict", "CountSpec")
)  # fmt: skip


def predicates_in(node: Any) -> Iterator[Any]:
    """Every predicate anywhere in the knowledge base (rules, tests, treatment, scope)."""
    if isinstance(node, PREDICATE_TYPES):
        yield from p.walk(node)
        return
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from predicates_in(getattr(node, name))
    elif isinstance(node, dict):
        for value in node.values():
            yield from predicates_in(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from predicates_in(value)


SYNDROME_STATUSES: tuple[str, ...] = get_args(SyndromeStatus)
MIMIC_STATUSES: tuple[str, ...] = get_args(MimicStatus)
LINK_STATUSES: tuple[str, ...] = get_args(LinkStatus)
KB = load_knowledge()
PREDICATES = list({id(x): x for x in predicates_in(KB)}.values())
CRITERIA = sorted({x.criterion for x in PREDICATES if isinstance(x, p.CriterionRef)})
SYNDROMES = [s.id for s in KB.syndromes]
MIMICS = [m.id for m in KB.mimics]


def test_the_knowledge_base_has_every_kind_of_predicate() -> None:
    kinds = {type(x).__name__ for x in PREDICATES}
    assert {"Leaf", "AllOf", "AnyOf", "NotOf", "CriterionRef"} <= kinds
    assert len(PREDICATES) > 200


truths = st.sampled_from([True, False, None])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    document=case_documents(),
    criteria=st.dictionaries(st.sampled_from(CRITERIA), truths),
    syndromes=st.dictionaries(st.sampled_from(SYNDROMES), st.sampled_from(SYNDROME_STATUSES)),
    mimics=st.dictionaries(st.sampled_from(MIMICS), st.sampled_from(MIMIC_STATUSES)),
    link=st.none() | st.sampled_from(LINK_STATUSES),
)
def test_every_predicate_compiled_equals_interpreted(
    document: dict[str, Any],
    criteria: dict[str, bool | None],
    syndromes: dict[str, str],
    mimics: dict[str, str],
    link: str | None,
) -> None:
    try:
        case: Case = parse_case(document)
    except Exception:  # the strategy may draw an invalid case; nothing to evaluate then
        return
    facts = CaseFacts(case, KB, dict(syndromes), dict(mimics), link, dict(criteria))
    for predicate in PREDICATES:
        assert compiled(predicate)(facts) == logic.interpret(predicate, facts), predicate


RULE_SETS = [*KB.mimics, *KB.syndromes, KB.link] + [
    type("Markers", (), {"criteria": staging.markers})  # staging markers: criteria too
    for syndrome in KB.syndromes for staging in syndrome.staging
]  # fmt: skip


def test_every_rule_set_is_written_as_one_function() -> None:
    from mgpn.engine import rules

    assert all(rules._criteria_plan(r.criteria).together is not None for r in RULE_SETS)


# Any case the strategy draws, with any earlier conclusions about syndromes, mimics and link.
drawn_facts = given(
    document=case_documents(),
    syndromes=st.dictionaries(st.sampled_from(SYNDROMES), st.sampled_from(SYNDROME_STATUSES)),
    mimics=st.dictionaries(st.sampled_from(MIMICS), st.sampled_from(MIMIC_STATUSES)),
    link=st.none() | st.sampled_from(LINK_STATUSES),
)


def _facts(
    document: dict[str, Any], syndromes: dict[str, str], mimics: dict[str, str], link: str | None
) -> CaseFacts | None:
    """The facts of a drawn case, or None when the strategy drew an invalid case."""
    try:
        case: Case = parse_case(document)
    except Exception:  # nothing to evaluate then
        return None
    return CaseFacts(case, KB, dict(syndromes), dict(mimics), link)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@drawn_facts
def test_rule_set_functions_equal_criterion_by_criterion_interpretation(
    document: dict[str, Any], syndromes: dict[str, str], mimics: dict[str, str], link: str | None
) -> None:
    """Each criterion sees the earlier ones of its set (and only those), as defined."""
    from mgpn.engine import rules

    facts = _facts(document, syndromes, mimics, link)
    if facts is None:
        return
    for rule_set in RULE_SETS:
        together = rules._criteria_plan(rule_set.criteria).together
        assert together is not None
        seen: dict[str, bool | None] = {}
        scoped = facts.scoped(seen)
        expected = []
        for criterion in rule_set.criteria:
            seen[criterion.id] = logic.interpret(criterion.when, scoped)
            expected.append(seen[criterion.id])
        assert together(facts) == expected, rule_set


ENGINE_PREDICATES = [
    *(rule.when for rule in KB.meta.scope),
    *(rule.when for rule in KB.tests),
    *(rule.done_when for rule in KB.tests if rule.done_when is not None),
    *(rule.when for rule in KB.treatment.indication_rules),
    *(option.when for option in KB.treatment.options if option.when is not None),
    *(warning.when for warning in KB.treatment.warnings),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@drawn_facts
def test_engine_level_predicates_equal_interpretation(
    document: dict[str, Any], syndromes: dict[str, str], mimics: dict[str, str], link: str | None
) -> None:
    """Tests, treatment and scope rules, as the engine runs them (no criterion in scope)."""
    from mgpn.engine.compiled import for_case_facts

    facts = _facts(document, syndromes, mimics, link)
    if facts is None:
        return
    for predicate in ENGINE_PREDICATES:
        assert for_case_facts(predicate)(facts) == logic.interpret(predicate, facts), predicate


def vignettes() -> list[Path]:
    shared = sorted((REPO.parent / "shared" / "cases").glob("*.yaml"))
    bundled = sorted((REPO / "src" / "mgpn" / "examples").glob("*.yaml"))
    return [f for f in shared + bundled if f.name != "expectations.yaml"]


@pytest.fixture
def interpreted(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every predicate the engine runs is the interpreter's walk of the rule tree."""
    from mgpn.engine import compiled as module
    from mgpn.engine import prepared, rules

    def interpreter(predicate: Any) -> Any:
        return lambda facts: logic.interpret(predicate, facts)

    monkeypatch.setattr(module, "_compile", interpreter)
    monkeypatch.setattr(module, "GENERATE", False)  # no rule set written as one function
    module._CACHE.clear()
    rules._PLANS.clear()
    prepared.forget()
    yield
    module._CACHE.clear()
    rules._PLANS.clear()
    prepared.forget()


@pytest.mark.parametrize("path", vignettes(), ids=lambda path: path.name)
def test_whole_assessment_is_the_interpreters(path: Path, request: pytest.FixtureRequest) -> None:
    case = load_case(path)
    fast = evaluate(case, KB).to_json_dict()
    request.getfixturevalue("interpreted")
    calls: list[int] = []
    real = logic.interpret

    def counting(predicate: Any, facts: Any) -> Any:
        calls.append(1)
        return real(predicate, facts)

    request.getfixturevalue("monkeypatch").setattr(logic, "interpret", counting)
    slow = evaluate(case, KB).to_json_dict()
    assert calls  # the interpreter really ran
    assert fast == slow

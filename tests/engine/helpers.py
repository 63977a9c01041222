"""Building small real cases and reading one criterion's verdict from the real knowledge base."""

from __future__ import annotations

from typing import Any

from mgpn.case import Case, parse_case
from mgpn.engine.facts import CaseFacts
from mgpn.engine.logic import Truth
from mgpn.engine.rules import evaluate_criteria
from mgpn.knowledge import KnowledgeBase, load_knowledge
from mgpn.knowledge.schema import RuleSet


def make_case(**sections: Any) -> Case:
    """A valid mgpn-case/1 document with a neuropathy present plus the given sections."""
    document: dict[str, Any] = {"format": "mgpn-case/1", "id": "hand-written"}
    document["neuropathy"] = {"present": True}
    for name, content in sections.items():
        if isinstance(content, dict) and isinstance(document.get(name), dict):
            document[name] = {**document[name], **content}
        else:
            document[name] = content
    return parse_case(document, source="test")


def rule_set(kb: KnowledgeBase, owner: str) -> RuleSet:
    if owner == "link":
        return kb.link
    for item in [*kb.syndromes, *kb.mimics]:
        if item.id == owner:
            return item
    raise KeyError(owner)


def criterion_truth(
    owner: str, criterion_id: str, case: Case, kb: KnowledgeBase | None = None
) -> Truth:
    """The verdict of one criterion on its own (criteria that refer to results are not for this)."""
    kb = kb or load_knowledge()
    outcomes = evaluate_criteria(rule_set(kb, owner).criteria, CaseFacts(case, kb))
    for outcome in outcomes:
        if outcome.criterion.id == criterion_id:
            return outcome.truth
    raise KeyError(f"{owner}.{criterion_id}")

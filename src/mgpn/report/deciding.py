"""Which case fields answer a "missing" item: the links from "what would change it" to the form.

Read off the knowledge base's structure only: a criterion that cannot be decided
names, in its ``missing_text``, what to find out; the case-format paths its rule
reads (directly or through other criteria of the same rule set) are the fields
that answer it. No clinical judgement is added here.
"""

from __future__ import annotations

from functools import lru_cache

from mgpn.knowledge.predicates import CriterionRef, Leaf, walk
from mgpn.knowledge.schema import Criterion, KnowledgeBase, RuleSet


def _paths(criterion: Criterion, by_id: dict[str, Criterion], seen: set[str]) -> list[str]:
    out: list[str] = []
    seen.add(criterion.id)
    for node in walk(criterion.when):
        if isinstance(node, Leaf):
            out.append(node.path)
            if node.minus:
                out.append(node.minus)
        elif isinstance(node, CriterionRef) and node.criterion not in seen:
            inner = by_id.get(node.criterion)
            if inner is not None:
                out.extend(_paths(inner, by_id, seen))
    return out


def _rule_sets(kb: KnowledgeBase) -> list[RuleSet]:
    return [*kb.syndromes, *kb.mimics]


def deciding_fields_of(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """``missing_text`` -> the case-format paths that answer it, for every rule set of ``kb``."""
    mapping: dict[str, list[str]] = {}
    for rules in _rule_sets(kb):
        by_id = {c.id: c for c in rules.criteria}
        for criterion in rules.criteria:
            if not criterion.missing_text:
                continue
            paths = mapping.setdefault(criterion.missing_text, [])
            paths.extend(_paths(criterion, by_id, set()))
    return {text: tuple(dict.fromkeys(paths)) for text, paths in mapping.items()}


@lru_cache(maxsize=1)
def deciding_fields() -> dict[str, tuple[str, ...]]:
    """:func:`deciding_fields_of` for the bundled knowledge base (cached)."""
    from mgpn.knowledge import load_knowledge

    return deciding_fields_of(load_knowledge())

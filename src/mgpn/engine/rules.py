"""Evaluate one rule set (criteria, then ordered status rules) and score it.

Score (documented in meta.yaml ``scoring``): the logistic of the syndrome's prior
plus the weights of its criteria that are met *for* it, minus the weights of those
met *against* it. Unknown criteria add nothing. A criterion in favour turning true
can therefore never lower the score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from mgpn.engine.facts import CaseFacts
from mgpn.engine.logic import Truth, evaluate
from mgpn.knowledge.predicates import CriterionRef, walk
from mgpn.knowledge.schema import Criterion, RuleSet


@dataclass
class CriterionOutcome:
    criterion: Criterion
    truth: Truth


@dataclass
class RuleSetOutcome:
    status: str
    reason: str
    outcomes: list[CriterionOutcome] = field(default_factory=list)
    rule_references: list[str] = field(default_factory=list)
    rule_unverified: bool = False
    rule_criteria: list[str] = field(default_factory=list)

    def met_in_rule(self) -> list[Criterion]:
        """Criteria the deciding status rule refers to that are met: the reasons for it."""
        return [
            item.criterion
            for item in self.outcomes
            if item.truth is True and item.criterion.id in self.rule_criteria
        ]

    def truths(self) -> dict[str, Truth]:
        return {item.criterion.id: item.truth for item in self.outcomes}

    def met(self, direction: str) -> list[Criterion]:
        return [
            item.criterion
            for item in self.outcomes
            if item.truth is True and item.criterion.direction == direction
        ]

    def missing(self) -> list[str]:
        seen: list[str] = []
        for item in self.outcomes:
            text = item.criterion.missing_text
            if item.truth is None and text and text not in seen:
                seen.append(text)
        return seen

    def unverified(self) -> list[str]:
        """Unverified criteria that are met, so the result relies on them.

        The knowledge base writes the opposite finding as its own criterion (e.g. "VEGF
        elevated" and "VEGF not elevated"), so a conclusion drawn either way is listed.
        """
        return [
            f"{item.criterion.text} ({item.criterion.note or 'marked unverified'})"
            for item in self.outcomes
            if item.truth is True and not item.criterion.verified
        ]


def evaluate_criteria(criteria: list[Criterion], facts: CaseFacts) -> list[CriterionOutcome]:
    """Criteria may refer to earlier criteria of the same set, so evaluate in order."""
    truths: dict[str, Truth] = {}
    outcomes: list[CriterionOutcome] = []
    scoped = facts.scoped(truths)  # sees each truth as it is added below
    for criterion in criteria:
        truth = evaluate(criterion.when, scoped)
        truths[criterion.id] = truth
        outcomes.append(CriterionOutcome(criterion, truth))
    return outcomes


def evaluate_rule_set(rules: RuleSet, default_status: str, facts: CaseFacts) -> RuleSetOutcome:
    outcomes = evaluate_criteria(rules.criteria, facts)
    scoped = facts.scoped({item.criterion.id: item.truth for item in outcomes})
    for rule in rules.status_rules:
        if evaluate(rule.when, scoped) is True:
            referenced = [n.criterion for n in walk(rule.when) if isinstance(n, CriterionRef)]
            return RuleSetOutcome(
                rule.status, rule.reason, outcomes, list(rule.references), not rule.verified,
                referenced,
            )
    return RuleSetOutcome(default_status, rules.default_reason, outcomes)


def score(prior: float, outcome: RuleSetOutcome) -> float:
    total = prior
    total += sum(c.weight for c in outcome.met("for"))
    total -= sum(c.weight for c in outcome.met("against"))
    return round(1.0 / (1.0 + math.exp(-total)), 3)

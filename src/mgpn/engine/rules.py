"""Evaluate one rule set (criteria, ordered status rules, then caps) and score it.

How a status is reached (documented in docs/knowledge-base.md):

1. the first status rule whose predicate is true gives the status; otherwise the default.
   If the default applies while a *gating* criterion is unknown, the status is
   ``undetermined`` and the reason names what is missing (never "no feature recorded"
   when the feature was not assessed);
2. a met *decisive* criterion (``settles``) raises the status to at least its level;
3. a met *exclusion* criterion (``caps``), or an unmet/unknown *mandatory* criterion
   (``caps_if_absent`` / ``caps_if_unknown``), lowers it to at most its level. Atypical
   findings never do: they only lower the support score and are listed against.

Score: the logistic of the prior plus the weights of criteria met *for*, minus those met
*against*. Unknown criteria add nothing, so a criterion in favour turning true can never
lower the score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from mgpn.engine.compiled import Compiled, compiled
from mgpn.engine.facts import CaseFacts
from mgpn.engine.logic import Truth, evaluate
from mgpn.knowledge.ids import numbered
from mgpn.knowledge.predicates import CriterionRef, walk
from mgpn.knowledge.schema import Criterion, RuleSet, StatusRule

# Best first; the same order ranks syndromes.
STATUS_ORDER: dict[str, int] = {
    "established": 0,
    "probable": 1,
    "possible": 2,
    "undetermined": 3,
    "unlikely": 4,
    "excluded": 5,
}


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
    rule_id: str = "default"
    # The criterion that raised (settles) or limited (caps) the status, if any.
    deciding: Criterion | None = None

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

    def missing_criteria(self) -> list[Criterion]:
        """Unknown criteria that say what to ask for; gating ones first, each text once."""
        seen: set[str] = set()
        found: list[Criterion] = []
        unknown = [item.criterion for item in self.outcomes if item.truth is None]
        for criterion in sorted(unknown, key=lambda c: not c.gating):
            text = criterion.missing_text
            if text and text not in seen:
                seen.add(text)
                found.append(criterion)
        return found

    def missing(self) -> list[str]:
        return [c.missing_text or "" for c in self.missing_criteria()]

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


_RULE_IDS: dict[int, list[str]] = {}


def rule_ids(rules: list[StatusRule]) -> list[str]:
    """Each status rule's id: its own, or its status numbered when repeated (cached)."""
    key = id(rules)
    cached = _RULE_IDS.get(key)
    if cached is None:
        cached = numbered([rule.id or rule.status for rule in rules])
        _RULE_IDS[key] = cached
    return cached


# Per rule set, computed once (the knowledge base is immutable): each criterion with its
# compiled predicate, the criteria each status rule names, whether any criterion caps.
_PLANS: dict[int, tuple[object, tuple[tuple[Criterion, Compiled], ...]]] = {}
_REFERENCED: dict[int, tuple[object, list[str]]] = {}
_HAS_CAPS: dict[int, tuple[object, bool]] = {}


def _plan(criteria: list[Criterion]) -> tuple[tuple[Criterion, Compiled], ...]:
    entry = _PLANS.get(id(criteria))
    if entry is None or entry[0] is not criteria:
        entry = (criteria, tuple((c, compiled(c.when)) for c in criteria))
        _PLANS[id(criteria)] = entry
    return entry[1]


def _referenced(rule: StatusRule) -> list[str]:
    entry = _REFERENCED.get(id(rule))
    if entry is None or entry[0] is not rule:
        names = [n.criterion for n in walk(rule.when) if isinstance(n, CriterionRef)]
        entry = (rule, names)
        _REFERENCED[id(rule)] = entry
    return list(entry[1])


def _has_caps(rules: RuleSet) -> bool:
    entry = _HAS_CAPS.get(id(rules))
    if entry is None or entry[0] is not rules:
        found = any(
            c.caps or c.caps_if_absent or c.caps_if_unknown or c.settles for c in rules.criteria
        )
        entry = (rules, found)
        _HAS_CAPS[id(rules)] = entry
    return entry[1]


def evaluate_criteria(criteria: list[Criterion], facts: CaseFacts) -> list[CriterionOutcome]:
    """Criteria may refer to earlier criteria of the same set, so evaluate in order."""
    truths: dict[str, Truth] = {}
    outcomes: list[CriterionOutcome] = []
    scoped = facts.scoped(truths)  # sees each truth as it is added below
    for criterion, predicate in _plan(criteria):
        truth = predicate(scoped)
        truths[criterion.id] = truth
        outcomes.append(CriterionOutcome(criterion, truth))
    return outcomes


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _apply_caps(outcome: RuleSetOutcome) -> None:
    """Decisive findings raise the status, exclusions and unmet mandatory criteria lower it."""
    for item in outcome.outcomes:
        criterion = item.criterion
        settles = criterion.settles
        if (
            item.truth is True
            and settles is not None
            and STATUS_ORDER[settles] < STATUS_ORDER[outcome.status]
        ):
            outcome.status = settles
            outcome.reason = f"Decisive finding: {criterion.text}. {criterion.evidence}"
            outcome.deciding = criterion
    for item in outcome.outcomes:
        criterion = item.criterion
        cap = None
        if item.truth is True and criterion.caps is not None:
            cap, why = criterion.caps, _sentence(criterion.text)
        elif item.truth is False and criterion.caps_if_absent is not None:
            cap, why = criterion.caps_if_absent, f"Not met: {criterion.text}"
        elif item.truth is None and criterion.caps_if_unknown is not None:
            cap = criterion.caps_if_unknown
            why = f"Not yet known: {criterion.text}"
        if cap is None:
            continue
        lowers = STATUS_ORDER[cap] > STATUS_ORDER[outcome.status]
        # A default status reached while an exclusion holds is explained by the exclusion,
        # so the printed reason is never a false "no feature recorded".
        explains = (
            outcome.rule_id == "default"
            and outcome.deciding is None
            and STATUS_ORDER[cap] == STATUS_ORDER[outcome.status]
        )
        if lowers or explains:
            outcome.status = cap
            outcome.reason = f"{why}, so at most {cap}. {criterion.evidence}"
            outcome.deciding = criterion


def evaluate_rule_set(rules: RuleSet, default_status: str, facts: CaseFacts) -> RuleSetOutcome:
    outcomes = evaluate_criteria(rules.criteria, facts)
    scoped = facts.scoped({item.criterion.id: item.truth for item in outcomes})
    result: RuleSetOutcome | None = None
    for rule, ident in zip(rules.status_rules, rule_ids(rules.status_rules), strict=True):
        if evaluate(rule.when, scoped) is True:
            referenced = _referenced(rule)
            result = RuleSetOutcome(
                rule.status,
                rule.reason,
                outcomes,
                list(rule.references),
                not rule.verified,
                referenced,
                ident,
            )
            break
    if result is None:
        result = RuleSetOutcome(default_status, rules.default_reason, outcomes)
        gating = [
            item.criterion for item in outcomes if item.truth is None and item.criterion.gating
        ]
        if gating and default_status in ("unlikely", "excluded"):
            # Unknown is not absent: too little is known to call it unlikely.
            result.status = "undetermined"
            result.rule_id = "undetermined_gating"
            result.reason = (
                "Not enough is known to judge it; needed: "
                + "; ".join(c.missing_text or c.text for c in gating)
                + "."
            )
    if _has_caps(rules):
        _apply_caps(result)
    return result


def score(prior: float, outcome: RuleSetOutcome) -> float:
    total = prior
    total += sum(c.weight for c in outcome.met("for"))
    total -= sum(c.weight for c in outcome.met("against"))
    return round(1.0 / (1.0 + math.exp(-total)), 3)

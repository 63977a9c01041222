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
from collections.abc import Sequence
from dataclasses import dataclass

from mgpn.engine.compiled import Compiled, CriteriaFunction, compiled
from mgpn.engine.compiled import criteria as together
from mgpn.engine.facts import CaseFacts
from mgpn.engine.logic import Truth
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


class RuleSetOutcome:
    """A rule set's status and why, with each criterion's truth (parallel lists).

    The criteria met for and against are sorted out once here: the assessment asks for
    them several times (lists, references, score).
    """

    __slots__ = (
        "criteria", "deciding", "met_against", "met_for", "reason", "rule_criteria",
        "rule_id", "rule_references", "rule_unverified", "status", "truths", "unknown",
    )

    def __init__(
        self,
        status: str,
        reason: str,
        criteria: Sequence[Criterion] = (),
        truths: Sequence[Truth] = (),
        rule_references: list[str] | None = None,
        rule_unverified: bool = False,
        rule_criteria: list[str] | None = None,
        rule_id: str = "default",
    ) -> None:
        self.status = status
        self.reason = reason
        self.criteria = criteria
        self.truths = truths
        self.rule_references = [] if rule_references is None else rule_references
        self.rule_unverified = rule_unverified
        self.rule_criteria = [] if rule_criteria is None else rule_criteria
        self.rule_id = rule_id
        # The criterion that raised (settles) or limited (caps) the status, if any.
        self.deciding: Criterion | None = None
        self.met_for: list[Criterion] = []
        self.met_against: list[Criterion] = []
        self.unknown: list[Criterion] = []
        for criterion, truth in zip(criteria, truths, strict=True):
            if truth is True:
                (self.met_for if criterion.direction == "for" else self.met_against).append(
                    criterion
                )
            elif truth is None:
                self.unknown.append(criterion)

    @property
    def outcomes(self) -> list[CriterionOutcome]:
        return [CriterionOutcome(c, t) for c, t in zip(self.criteria, self.truths, strict=True)]

    def met_in_rule(self) -> list[Criterion]:
        """Criteria the deciding status rule refers to that are met: the reasons for it."""
        named = self.rule_criteria
        return [
            c for c, t in zip(self.criteria, self.truths, strict=True) if t is True and c.id in named
        ]

    def truths_by_id(self) -> dict[str, Truth]:
        return {c.id: t for c, t in zip(self.criteria, self.truths, strict=True)}

    def met(self, direction: str) -> list[Criterion]:
        return list(self.met_for if direction == "for" else self.met_against)

    def missing_criteria(self) -> list[Criterion]:
        """Unknown criteria that say what to ask for; gating ones first, each text once."""
        seen: set[str] = set()
        found: list[Criterion] = []
        unknown = self.unknown
        for criterion in [c for c in unknown if c.gating] + [c for c in unknown if not c.gating]:
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
            f"{c.text} ({c.note or 'marked unverified'})"
            for c, t in zip(self.criteria, self.truths, strict=True)
            if t is True and not c.verified
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


@dataclass(frozen=True)
class _StatusPlan:
    rule: StatusRule
    ident: str
    when: Compiled
    referenced: list[str]  # the criteria the rule names: the reasons when it decides


@dataclass(frozen=True)
class RuleSetPlan:
    """A rule set compiled once (the knowledge base is immutable): what evaluation reads."""

    criteria: tuple[Criterion, ...]
    criteria_plan: _CriteriaPlan
    status_rules: tuple[_StatusPlan, ...]
    settling: tuple[int, ...]  # criteria that raise the status when met, in order
    capping: tuple[int, ...]  # criteria that may lower it, in order
    gating: tuple[int, ...]


# id(object) -> (object, plan): the object is kept so its id is never reused meanwhile.
_PLANS: dict[int, tuple[object, object]] = {}


@dataclass(frozen=True)
class _CriteriaPlan:
    ids: tuple[str, ...]
    predicates: tuple[Compiled, ...]
    together: CriteriaFunction | None  # all criteria in one generated function


def _criteria_plan(criteria: list[Criterion]) -> _CriteriaPlan:
    entry = _PLANS.get(id(criteria))
    if entry is None or entry[0] is not criteria:
        ids = tuple(c.id for c in criteria)
        built = _CriteriaPlan(
            ids, tuple(compiled(c.when) for c in criteria), together(ids, [c.when for c in criteria])
        )
        entry = (criteria, built)
        _PLANS[id(criteria)] = entry
    return entry[1]  # type: ignore[return-value]


def plan(rules: RuleSet) -> RuleSetPlan:
    """The compiled form of ``rules`` (built on first use, then reused)."""
    entry = _PLANS.get(id(rules))
    if entry is not None and entry[0] is rules:
        return entry[1]  # type: ignore[return-value]
    criteria = tuple(rules.criteria)
    criteria_plan = _criteria_plan(rules.criteria)
    status_rules = tuple(
        _StatusPlan(
            rule, ident, compiled(rule.when),
            [n.criterion for n in walk(rule.when) if isinstance(n, CriterionRef)],
        )
        for rule, ident in zip(rules.status_rules, rule_ids(rules.status_rules), strict=True)
    )  # fmt: skip
    built = RuleSetPlan(
        criteria=criteria,
        criteria_plan=criteria_plan,
        status_rules=status_rules,
        settling=tuple(i for i, c in enumerate(criteria) if c.settles is not None),
        capping=tuple(
            i for i, c in enumerate(criteria) if c.caps or c.caps_if_absent or c.caps_if_unknown
        ),
        gating=tuple(i for i, c in enumerate(criteria) if c.gating),
    )
    _PLANS[id(rules)] = (rules, built)
    return built


def _truths(plan: _CriteriaPlan, facts: CaseFacts) -> tuple[list[Truth], CaseFacts]:
    """Criteria may refer to earlier criteria of the same set, so evaluate in order."""
    if plan.together is not None:
        truths = plan.together(facts)
        return truths, facts.scoped(dict(zip(plan.ids, truths, strict=True)))
    by_id: dict[str, Truth] = {}
    truths = []
    scoped = facts.scoped(by_id)  # sees each truth as it is added below
    for ident, predicate in zip(plan.ids, plan.predicates, strict=True):
        truth = predicate(scoped)
        by_id[ident] = truth
        truths.append(truth)
    return truths, scoped


def evaluate_criteria(criteria: list[Criterion], facts: CaseFacts) -> list[CriterionOutcome]:
    """Each criterion's truth, in order (a criterion may refer to earlier ones)."""
    truths, _ = _truths(_criteria_plan(criteria), facts)
    return [CriterionOutcome(c, t) for c, t in zip(criteria, truths, strict=True)]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _apply_caps(outcome: RuleSetOutcome, compiled_rules: RuleSetPlan) -> None:
    """Decisive findings raise the status, exclusions and unmet mandatory criteria lower it."""
    criteria, truths = compiled_rules.criteria, outcome.truths
    for index in compiled_rules.settling:
        criterion = criteria[index]
        settles = criterion.settles
        if (
            truths[index] is True
            and settles is not None
            and STATUS_ORDER[settles] < STATUS_ORDER[outcome.status]
        ):
            outcome.status = settles
            outcome.reason = f"Decisive finding: {criterion.text}. {criterion.evidence}"
            outcome.deciding = criterion
    for index in compiled_rules.capping:
        criterion = criteria[index]
        truth = truths[index]
        cap = None
        if truth is True and criterion.caps is not None:
            cap, why = criterion.caps, _sentence(criterion.text)
        elif truth is False and criterion.caps_if_absent is not None:
            cap, why = criterion.caps_if_absent, f"Not met: {criterion.text}"
        elif truth is None and criterion.caps_if_unknown is not None:
            cap = criterion.caps_if_unknown
            why = f"Not yet known: {criterion.text}"
        if cap is None:
            continue
        lowers = STATUS_ORDER[cap] > STATUS_ORDER[outcome.status]
        # A default status reached while an exclusion holds is explained by the exclusion,
        # so the printed reason is never a false "no feature recorded".
        explains = (
            outcome.rule_id == "default" and outcome.deciding is None
            and STATUS_ORDER[cap] == STATUS_ORDER[outcome.status]
        )
        if lowers or explains:
            outcome.status = cap
            outcome.reason = f"{why}, so at most {cap}. {criterion.evidence}"
            outcome.deciding = criterion


def evaluate_rule_set(rules: RuleSet, default_status: str, facts: CaseFacts) -> RuleSetOutcome:
    compiled_rules = plan(rules)
    criteria = compiled_rules.criteria
    truths, scoped = _truths(compiled_rules.criteria_plan, facts)
    result: RuleSetOutcome | None = None
    for status_rule in compiled_rules.status_rules:
        if status_rule.when(scoped) is True:
            rule = status_rule.rule
            result = RuleSetOutcome(
                rule.status, rule.reason, criteria, truths, list(rule.references),
                not rule.verified, list(status_rule.referenced), status_rule.ident,
            )
            break
    if result is None:
        result = RuleSetOutcome(default_status, rules.default_reason, criteria, truths)
        gating = [criteria[i] for i in compiled_rules.gating if truths[i] is None]
        if gating and default_status in ("unlikely", "excluded"):
            # Unknown is not absent: too little is known to call it unlikely.
            result.status = "undetermined"
            result.rule_id = "undetermined_gating"
            result.reason = "Not enough is known to judge it; needed: " + "; ".join(
                c.missing_text or c.text for c in gating
            ) + "."
    if compiled_rules.settling or compiled_rules.capping:
        _apply_caps(result, compiled_rules)
    return result


def score(prior: float, outcome: RuleSetOutcome) -> float:
    total = prior
    total += sum(c.weight for c in outcome.met_for)
    total -= sum(c.weight for c in outcome.met_against)
    return round(1.0 / (1.0 + math.exp(-total)), 3)

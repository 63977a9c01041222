"""Apply the care-gap rules to one case and its assessment.

The assessment comes from the engine (:func:`mgpn.engine.assess.evaluate_case`); the rules
read its syndrome, mimic and link results through the same :class:`CaseFacts` the engine
uses, so "POEMS is possible" means exactly what the engine decided. Three-valued logic: a
gap is raised only when its condition is known to be true, and a closing item counts as
done only when it is known to be done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mgpn.assessment import Assessment
from mgpn.engine.facts import CaseFacts, CaseLike
from mgpn.engine.logic import evaluate, evaluate_leaf
from mgpn.knowledge.care_gaps import CareGap, CareGapRules
from mgpn.knowledge.checks import iter_leaves
from mgpn.knowledge.schema import KnowledgeBase

_LEADING_STATUSES = ("established", "probable", "possible")
NO_LEADING_SYNDROME = "no syndrome identified"


@dataclass(frozen=True)
class GapFinding:
    """One open gap for one patient."""

    gap_id: str
    kind: str
    label: str
    findings: str
    evidence: str
    closing_test: str
    engine_proposes: str
    window: str
    references: str
    verified: bool


def facts_after(case: CaseLike, kb: KnowledgeBase, assessment: Assessment) -> CaseFacts:
    """The facts a rule sees once the engine has assessed ``case``."""
    return CaseFacts(
        case,
        kb,
        syndromes={item.id: item.status for item in assessment.syndromes},
        mimics={item.id: item.status for item in assessment.mimics},
        link=assessment.link.status,
    )


def leading_syndrome(assessment: Assessment) -> tuple[str, str]:
    """The top-ranked syndrome still in play (label, status), or 'no syndrome identified'."""
    for item in assessment.syndromes:
        if item.status in _LEADING_STATUSES:
            return item.label, item.status
    return NO_LEADING_SYNDROME, "none"


def _show(value: Any) -> str:
    # Case vocabulary in words: "light_chain_only" reads "light chain only".
    if isinstance(value, list | tuple):
        return ", ".join(_show(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value.replace("_", " ")
    return str(value)


def _findings(gap: CareGap, facts: CaseFacts, labels: dict[str, str]) -> str:
    """The recorded findings that make the gap's condition true, in the case's words."""
    shown: list[str] = []
    for leaf in iter_leaves(gap.when):
        if evaluate_leaf(leaf, facts) is not True or leaf.present is False:
            continue
        value = facts.value(leaf.path)
        text = f"{labels.get(leaf.path, leaf.path)}: {_show(value)}"
        if text not in shown:
            shown.append(text)
    for status_item in (f"{label} {status}" for label, status in _syndrome_mentions(gap, facts)):
        shown.append(f"assessment: {status_item}")
    return "; ".join(shown)


def _syndrome_mentions(gap: CareGap, facts: CaseFacts) -> list[tuple[str, str]]:
    from mgpn.knowledge.predicates import SyndromeRef, walk

    found: list[tuple[str, str]] = []
    for node in walk(gap.when):
        if isinstance(node, SyndromeRef):
            for ident in node.syndrome:
                status = facts.syndrome_status(ident)
                if status in node.status_in:
                    found.append((facts.kb.syndrome(ident).label, status))
    return found


def open_gaps(
    rules: CareGapRules,
    kb: KnowledgeBase,
    case: CaseLike,
    assessment: Assessment,
    *,
    windowed: CaseLike | None = None,
    field_labels: dict[str, str] | None = None,
) -> list[GapFinding]:
    """The gaps open for ``case``.

    ``windowed`` is the same patient built only from results inside the work-up window; the
    closing items of a gap with ``window_months`` are judged on it (None: no dated anchor, so
    every result counts).
    """
    facts = facts_after(case, kb, assessment)
    window_facts = facts_after(windowed, kb, assessment) if windowed is not None else facts
    proposed = {item.id: item.label for item in assessment.tests}
    labels = field_labels or {}
    findings: list[GapFinding] = []
    for gap in rules.gaps:
        if evaluate(gap.when, facts) is not True:
            continue
        judged = window_facts if gap.window_months else facts
        missing = [item.label for item in gap.closed_by if evaluate(item.when, judged) is not True]
        if gap.closed_by and not missing:
            continue
        if gap.action:
            missing.append(gap.action)
        engine = [proposed[test] for test in gap.engine_tests if test in proposed]
        window = (
            f"{gap.window_months} months around the first paraprotein record"
            if gap.window_months and windowed is not None
            else "any time on record"
        )
        findings.append(
            GapFinding(
                gap_id=gap.id,
                kind=gap.kind,
                label=gap.label,
                findings=_findings(gap, facts, labels),
                evidence=" ".join(gap.evidence.split()),
                closing_test="; ".join(missing),
                engine_proposes="; ".join(engine),
                window=window,
                references="; ".join(gap.references),
                verified=gap.verified,
            )
        )
    return findings

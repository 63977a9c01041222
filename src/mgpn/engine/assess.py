"""Turn a case into an assessment (mgpn-assessment/1), stage by stage.

Order, and why: scope -> mimics -> syndromes (in the KB's order, so a syndrome may
use the ones before it) -> link (uses syndromes and mimics) -> tests and treatment
(use everything). The engine holds no medicine: every decision is a KB rule.

Speed: what does not depend on the case (qualified ids, compiled predicates, the texts
and references of each evidence line) is prepared once per knowledge base
(:mod:`mgpn.engine.prepared`), and the output models are built without validating
again what the engine already produced (:mod:`mgpn.engine.output`).
"""

from __future__ import annotations

from mgpn.assessment import (
    Assessment,
    Biomarker,
    Evidence,
    LinkResult,
    MimicResult,
    Ranking,
    SyndromeResult,
    TestId,
    TestRecommendation,
    Treatment,
    TreatmentOption,
)
from mgpn.engine.facts import CaseFacts, CaseLike
from mgpn.engine.output import Line, construct, evidence, evidence_lines
from mgpn.engine.output import references as reference_list
from mgpn.engine.prepared import Prepared, prepared
from mgpn.engine.ranking import rank, ranking_note
from mgpn.engine.rules import (
    STATUS_ORDER,
    RuleSetOutcome,
    evaluate_criteria,
    evaluate_rule_set,
    score,
)
from mgpn.knowledge.loader import load_knowledge
from mgpn.knowledge.schema import KnowledgeBase, StagingSystem, SyndromeKnowledge

__all__ = ["STATUS_ORDER", "evaluate_case"]

PRIORITY_ORDER: dict[str, int] = {"now": 0, "next": 1, "consider": 2}


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


class _Collector:
    """References and unverified statements gathered across the whole assessment."""

    def __init__(self) -> None:
        self.references: list[str] = []
        self.unverified: list[str] = []

    def cite(self, ids: list[str]) -> list[str]:
        self.references.extend(ids)
        return list(dict.fromkeys(ids))

    def cite_evidence(self, items: list[Evidence]) -> list[Evidence]:
        """Evidence lines as given; their references join the assessment's list, so every
        id a line cites (a missing finding's too) can be looked up there."""
        for item in items:
            self.references.extend(item.references)
        return items


def _line_evidence(line: Line, text: str | None = None) -> Evidence:
    return evidence(
        line.text if text is None else text,
        line.criterion,
        line.kind,
        list(line.references),
        line.verified,
    )


def _status_evidence(owner: str, lines: dict[int, Line], outcome: RuleSetOutcome) -> Evidence:
    if outcome.deciding is not None:
        return _line_evidence(lines[id(outcome.deciding)], outcome.reason)
    return evidence(
        outcome.reason,
        f"{owner}.status.{outcome.rule_id}",
        "status",
        list(outcome.rule_references),
        not outcome.rule_unverified,
    )


def _mimics(facts: CaseFacts, plan: Prepared, collector: _Collector) -> list[MimicResult]:
    results = []
    for mimic in plan.mimics:
        outcome = evaluate_rule_set(mimic, mimic.default_status, facts)
        facts.mimics[mimic.id] = outcome.status
        lines = plan.lines[mimic.id]
        met = outcome.met_for + outcome.met_against
        references = list(mimic.references) + outcome.rule_references
        for criterion in met:
            references.extend(criterion.references)
        unverified = outcome.unverified()
        if outcome.rule_unverified:
            unverified.append(f"status rule: {outcome.reason}")
        if unverified:
            collector.unverified.extend(f"{mimic.label}: {item}" for item in unverified)
        missing = outcome.missing_criteria() if outcome.status != "present" else []
        results.append(
            construct(
                MimicResult,
                id=mimic.id,
                label=mimic.label,
                status=outcome.status,
                evidence=[outcome.reason, *[c.text for c in met]],
                missing=[c.missing_text or "" for c in missing],
                references=collector.cite(references),
                evidence_items=collector.cite_evidence([
                    _status_evidence(mimic.id, lines, outcome),
                    *evidence_lines([lines[id(c)] for c in met]),
                ]),
                missing_evidence=collector.cite_evidence(
                    evidence_lines([lines[id(c)] for c in missing], missing=True)
                ),
            )
        )
    return results


def _staging(staging: StagingSystem, facts: CaseFacts) -> tuple[str, bool]:
    outcomes = evaluate_criteria(staging.markers, facts)
    met = [item.criterion.text for item in outcomes if item.truth is True]
    unknown = [item.criterion.text for item in outcomes if item.truth is None]
    if unknown:
        return (
            f"{staging.name}: cannot be computed ({len(met)} marker(s) met; unknown: "
            + "; ".join(unknown)
            + ")",
            False,
        )
    label = staging.stages[len(met)]
    detail = "; ".join(met) if met else "no marker met"
    return f"{staging.name}: {label} ({detail})", True


def _syndrome(
    syndrome: SyndromeKnowledge, facts: CaseFacts, plan: Prepared, collector: _Collector
) -> SyndromeResult:
    """The result with rank 0; :func:`rank` gives the place."""
    outcome = evaluate_rule_set(syndrome, syndrome.default_status, facts)
    facts.syndromes[syndrome.id] = outcome.status
    owner = syndrome.id
    lines = plan.lines[owner]
    in_favour, against = outcome.met_for, outcome.met_against
    references = list(syndrome.references) + outcome.rule_references
    for criterion in in_favour:
        references.extend(criterion.references)
    for criterion in against:
        references.extend(criterion.references)
    unverified = outcome.unverified()
    if outcome.rule_unverified:
        unverified.append(f"status rule: {outcome.reason}")
    notes: list[str] = []
    if outcome.status in ("established", "probable"):
        for staging in syndrome.staging:
            text, computed = _staging(staging, facts)
            notes.append(text)
            references.extend(staging.references)
            if computed and not staging.verified:
                unverified.append(f"{staging.name} (marked unverified)")
    if unverified:
        collector.unverified.extend(f"{syndrome.label}: {item}" for item in unverified)
    if outcome.deciding is not None:
        references.extend(outcome.deciding.references)
    missing = outcome.missing_criteria() if outcome.status != "excluded" else []
    return construct(
        SyndromeResult,
        id=owner,
        label=syndrome.label,
        status=outcome.status,
        rank=0,
        score=score(syndrome.prior, outcome),
        for_=[c.text for c in in_favour],
        against=[c.text for c in against],
        missing=[c.missing_text or "" for c in missing],
        references=collector.cite(references),
        unverified=unverified,
        status_reason=outcome.reason,
        notes=notes,
        for_evidence=collector.cite_evidence(evidence_lines([lines[id(c)] for c in in_favour])),
        against_evidence=collector.cite_evidence(evidence_lines([lines[id(c)] for c in against])),
        missing_evidence=collector.cite_evidence(
            evidence_lines([lines[id(c)] for c in missing], missing=True)
        ),
        status_evidence=collector.cite_evidence([_status_evidence(owner, lines, outcome)])[0],
    )


def _link(facts: CaseFacts, plan: Prepared, collector: _Collector) -> LinkResult:
    kb = facts.kb
    outcome = evaluate_rule_set(kb.link, kb.link.default_status, facts)
    facts.link = outcome.status
    lines = plan.lines["link"]
    # Only the findings behind the deciding rule: the link's criteria have no direction.
    deciding = outcome.met_in_rule()
    items = collector.cite_evidence(
        [_status_evidence("link", lines, outcome), *evidence_lines([lines[id(c)] for c in deciding])]
    )
    seen: set[str] = set()
    unique = []
    for item in items:
        if item.text not in seen:
            seen.add(item.text)
            unique.append(item)
    references = list(outcome.rule_references)
    for criterion in deciding:
        references.extend(criterion.references)
    collector.unverified.extend(f"link: {item}" for item in outcome.unverified())
    return construct(
        LinkResult,
        status=outcome.status,
        reasons=[item.text for item in unique],
        references=collector.cite(references),
        reason_evidence=unique,
    )


def _tests(facts: CaseFacts, plan: Prepared, collector: _Collector) -> list[TestRecommendation]:
    chosen: dict[str, tuple[int, int, TestRecommendation]] = {}
    for index, prepared_test in enumerate(plan.tests):
        rule = prepared_test.rule
        if rule.test in chosen:
            continue  # the first applicable rule for a test gives its priority and reason
        if prepared_test.when(facts) is not True:
            continue
        if prepared_test.done_when is not None and prepared_test.done_when(facts) is True:
            continue
        if not rule.verified:
            collector.unverified.append(f"test {rule.label}: {rule.note or 'marked unverified'}")
        qualified = prepared_test.qualified
        chosen[rule.test] = (
            PRIORITY_ORDER[rule.priority],
            index,
            construct(
                TestRecommendation,
                id=rule.test,
                label=rule.label,
                priority=rule.priority,
                reason=rule.reason,
                for_=list(rule.for_),
                references=collector.cite(list(rule.references)),
                rule=qualified,
                reason_evidence=evidence(
                    rule.reason, qualified, "test", list(rule.references), rule.verified
                ),
            ),
        )
    return [item for _, _, item in sorted(chosen.values(), key=lambda t: (t[0], t[1]))]


_LEADING = ("established", "probable")
_OPEN = ("possible", "probable", "undetermined")


def _waiting_for(
    plan: Prepared, ranked: list[SyndromeResult], tests: list[TestRecommendation]
) -> list[TestId]:
    """Tests that decide the leading syndrome (when not yet likely) or an open don't-miss one."""
    dont_miss = plan.dont_miss
    open_ids: set[str] = set()
    if ranked and ranked[0].status not in _LEADING:
        open_ids.update(r.id for r in ranked if r.status == ranked[0].status)
    open_ids.update(
        r.id for r in ranked if r.id in dont_miss and r.status in ("possible", "probable")
    )
    return [
        t.id for t in tests if t.priority in ("now", "next") and open_ids & set(t.for_)
    ]


def _treatment(
    facts: CaseFacts,
    plan: Prepared,
    ranked: list[SyndromeResult],
    tests: list[TestRecommendation],
    collector: _Collector,
) -> Treatment:
    kb = facts.kb.treatment
    indication, reasons, references = kb.default_indication, [kb.default_reason], []
    reason_items = [
        construct(
            Evidence, text=kb.default_reason, criterion="treatment.indication.default",
            kind="indication", references=[],
        )
    ]  # fmt: skip
    for item in plan.indications:
        if item.when(facts) is True:
            rule = item.rule
            indication, reasons, references = rule.indication, [rule.reason], list(rule.references)
            reason_items = [
                evidence(
                    rule.reason, item.criterion, "indication", list(rule.references), rule.verified
                )
            ]
            if not rule.verified:
                collector.unverified.append(f"indication: {rule.reason}")
            break
    waiting: list[TestId] = []
    if indication not in ("treat", "treat_other_cause"):
        waiting = _waiting_for(plan, ranked, tests)
        if waiting:
            labels = {t.id: t.label for t in tests}
            text = "Complete first: " + "; ".join(labels[w] for w in waiting) + "."
            reasons.append(text)
            reason_items.append(
                construct(Evidence, text=text, criterion="treatment.waiting", kind="indication")
            )
    options: list[TreatmentOption] = []
    leader = ranked[0] if ranked else None
    for result in ranked:
        confirmed = result.status in _LEADING
        # Options for a syndrome not yet likely are shown only for the leading one, as
        # "if confirmed": treatment waits for the diagnosis.
        tentative = not confirmed and result is leader and result.status in _OPEN
        if not confirmed and not tentative:
            continue
        for prepared_option in plan.options:
            option = prepared_option.rule
            if option.syndrome != result.id:
                continue
            if confirmed and result.status not in prepared_option.status_in:
                continue
            if prepared_option.when is not None and prepared_option.when(facts) is not True:
                continue
            if not option.verified:
                collector.unverified.append(
                    f"option {option.regimen}: {option.note or 'marked unverified'}"
                )
            options.append(
                construct(
                    TreatmentOption,
                    syndrome=option.syndrome,
                    regimen=option.regimen,
                    evidence=option.evidence,
                    references=collector.cite(list(option.references)),
                    warnings=list(option.warnings) if confirmed else [],
                    verified=option.verified,
                    rule=prepared_option.criterion,
                    status=result.status,
                    if_confirmed=not confirmed,
                )
            )
    warnings: list[str] = []
    for warning, when in plan.warnings:
        if when(facts) is True:
            warnings.append(warning.text)
            references.extend(warning.references)
            if not warning.verified:
                collector.unverified.append(f"warning: {warning.text}")
    return construct(
        Treatment,
        indication=indication,
        reasons=reasons,
        options=options,
        warnings=warnings,
        references=collector.cite(references),
        reason_evidence=reason_items,
        waiting_for=waiting,
    )


def _biomarkers(facts: CaseFacts, collector: _Collector) -> list[Biomarker]:
    results = []
    for marker in facts.kb.biomarkers:
        value = facts.value(marker.path)
        if value is None:
            continue
        results.append(
            construct(
                Biomarker,
                id=marker.id,
                label=marker.label,
                value=str(value),
                interpretation=marker.interpretation,
                references=collector.cite(list(marker.references)),
            )
        )
    return results


def _not_interpreted(case: CaseLike, kb: KnowledgeBase) -> list[str]:
    items = list(case.not_interpreted())
    for field in kb.uninterpreted:
        value = case.get(field.path)
        if value is not None:
            items.append(f"{field.path}: {value} ({field.reason})")
    return items


def _out_of_scope_syndromes(plan: Prepared, note: str) -> list[SyndromeResult]:
    return [
        construct(
            SyndromeResult,
            id=item.id,
            label=item.label,
            status="excluded",
            rank=index,
            score=0.0,
            against=[note],
            status_reason=note,
        )
        for index, item in enumerate(plan.syndromes, 1)
    ]


_RED_FLAG_STATUSES = ("established", "probable", "possible")


def _red_flags(plan: Prepared, ranked: list[SyndromeResult]) -> list[str]:
    """The "don't miss" syndromes (a knowledge-base flag) that this case leaves open."""
    flags = []
    for result in ranked:
        why = plan.dont_miss.get(result.id)
        if why and result.status in _RED_FLAG_STATUSES:
            flags.append(f"{result.label} is {result.status}: {why}")
    return flags


def evaluate_case(case: CaseLike, kb: KnowledgeBase | None = None) -> Assessment:
    """The assessment of ``case`` under ``kb`` (default: the bundled knowledge base)."""
    kb = kb or load_knowledge()
    plan = prepared(kb)
    facts = CaseFacts(case, kb)
    collector = _Collector()
    in_scope, scope_note, run = True, None, True
    for rule, when in plan.scope:
        if when(facts) is True:
            in_scope, scope_note, run = False, rule.note, rule.evaluate
            break
    mimics = _mimics(facts, plan, collector)
    if run:
        results = [_syndrome(item, facts, plan, collector) for item in plan.syndromes]
        ranked = rank(results, plan.position)
        link = _link(facts, plan, collector)
        tests = _tests(facts, plan, collector)
        treatment = _treatment(facts, plan, ranked, tests, collector)
    else:
        note = scope_note or "outside the scope of this tool"
        ranked = _out_of_scope_syndromes(plan, note)
        link = construct(LinkResult, status="undetermined", reasons=[note])
        tests = []
        treatment = construct(Treatment, indication="undetermined", reasons=[note])
    # Biomarkers before the reference list, so every reference a line cites (a
    # biomarker's too) is in the assessment's list and its link in a report resolves.
    biomarkers = _biomarkers(facts, collector)
    citations = plan.citations
    references = reference_list(
        [citations[ref] for ref in _unique(collector.references) if ref in citations]
    )
    case_id = case.get("id")
    return construct(
        Assessment,
        case_id=case_id if isinstance(case_id, str) else None,
        knowledge_version=kb.meta.version,
        knowledge_reviewed=kb.meta.last_reviewed.isoformat(),
        in_scope=in_scope,
        scope_note=scope_note,
        mimics=mimics,
        syndromes=ranked,
        link=link,
        tests=tests,
        treatment=treatment,
        biomarkers=biomarkers,
        red_flags=_red_flags(plan, ranked) if run else [],
        ranking=(
            ranking_note(plan.ranking_rule, ranked, tests)
            if run
            else construct(Ranking, rule=plan.ranking_rule)
        ),
        not_interpreted=_not_interpreted(case, kb),
        unverified=_unique(collector.unverified),
        references=references,
        disclaimer=kb.meta.disclaimer,
    )

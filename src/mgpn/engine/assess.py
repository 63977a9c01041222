"""Turn a case into an assessment (mgpn-assessment/1), stage by stage.

Order, and why: scope -> mimics -> syndromes (in the KB's order, so a syndrome may
use the ones before it) -> link (uses syndromes and mimics) -> tests and treatment
(use everything). The engine holds no medicine: every decision is a KB rule.
"""

from __future__ import annotations

from mgpn.assessment import (
    Assessment,
    Biomarker,
    Evidence,
    LinkResult,
    MimicResult,
    Ranking,
    Reference,
    SyndromeResult,
    TestId,
    TestRecommendation,
    Treatment,
    TreatmentOption,
)
from mgpn.engine.facts import CaseFacts, CaseLike
from mgpn.engine.logic import evaluate
from mgpn.engine.ranking import rank, ranking_note
from mgpn.engine.rules import (
    STATUS_ORDER,
    RuleSetOutcome,
    evaluate_criteria,
    evaluate_rule_set,
    score,
)
from mgpn.knowledge.ids import numbered as _numbered
from mgpn.knowledge.loader import load_knowledge
from mgpn.knowledge.schema import Criterion, KnowledgeBase, StagingSystem, SyndromeKnowledge

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
        return _unique(ids)


def _criterion_evidence(owner: str, criterion: Criterion) -> Evidence:
    return Evidence(
        text=criterion.text,
        criterion=f"{owner}.{criterion.id}",
        kind=criterion.effective_kind,
        references=list(criterion.references),
        verified=criterion.verified,
    )


def _missing_evidence(owner: str, criterion: Criterion) -> Evidence:
    item = _criterion_evidence(owner, criterion)
    return item.model_copy(update={"text": criterion.missing_text or criterion.text})


def _status_evidence(owner: str, outcome: RuleSetOutcome) -> Evidence:
    if outcome.deciding is not None:
        item = _criterion_evidence(owner, outcome.deciding)
        return item.model_copy(update={"text": outcome.reason})
    return Evidence(
        text=outcome.reason,
        criterion=f"{owner}.status.{outcome.rule_id}",
        kind="status",
        references=list(outcome.rule_references),
        verified=not outcome.rule_unverified,
    )


def _mimics(facts: CaseFacts, collector: _Collector) -> list[MimicResult]:
    results = []
    for mimic in facts.kb.mimics:
        outcome = evaluate_rule_set(mimic, mimic.default_status, facts)
        facts.mimics[mimic.id] = outcome.status
        evidence = [c.text for c in outcome.met("for")] + [c.text for c in outcome.met("against")]
        references = list(mimic.references) + outcome.rule_references
        for criterion in outcome.met("for") + outcome.met("against"):
            references.extend(criterion.references)
        unverified = outcome.unverified()
        if outcome.rule_unverified:
            unverified.append(f"status rule: {outcome.reason}")
        collector.unverified.extend(f"{mimic.label}: {item}" for item in unverified)
        met = outcome.met("for") + outcome.met("against")
        missing = outcome.missing_criteria() if outcome.status != "present" else []
        results.append(
            MimicResult(
                id=mimic.id,
                label=mimic.label,
                status=outcome.status,
                evidence=[outcome.reason, *evidence],
                missing=[c.missing_text or "" for c in missing],
                references=collector.cite(references),
                evidence_items=[
                    _status_evidence(mimic.id, outcome),
                    *[_criterion_evidence(mimic.id, c) for c in met],
                ],
                missing_evidence=[_missing_evidence(mimic.id, c) for c in missing],
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
    syndrome: SyndromeKnowledge, facts: CaseFacts, collector: _Collector
) -> SyndromeResult:
    outcome = evaluate_rule_set(syndrome, syndrome.default_status, facts)
    facts.syndromes[syndrome.id] = outcome.status
    references = list(syndrome.references) + outcome.rule_references
    for criterion in outcome.met("for") + outcome.met("against"):
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
    collector.unverified.extend(f"{syndrome.label}: {item}" for item in unverified)
    if outcome.deciding is not None:
        references.extend(outcome.deciding.references)
    in_favour, against = outcome.met("for"), outcome.met("against")
    missing = outcome.missing_criteria() if outcome.status != "excluded" else []
    owner = syndrome.id
    return SyndromeResult(
        id=syndrome.id,
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
        for_evidence=[_criterion_evidence(owner, c) for c in in_favour],
        against_evidence=[_criterion_evidence(owner, c) for c in against],
        missing_evidence=[_missing_evidence(owner, c) for c in missing],
        status_evidence=_status_evidence(owner, outcome),
    )


def _link(facts: CaseFacts, collector: _Collector) -> LinkResult:
    kb = facts.kb
    outcome = evaluate_rule_set(kb.link, kb.link.default_status, facts)
    facts.link = outcome.status
    # Only the findings behind the deciding rule: the link's criteria have no direction.
    deciding = outcome.met_in_rule()
    items = [_status_evidence("link", outcome)] + [_criterion_evidence("link", c) for c in deciding]
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
    return LinkResult(
        status=outcome.status,
        reasons=[item.text for item in unique],
        references=collector.cite(references),
        reason_evidence=unique,
    )


def _tests(facts: CaseFacts, collector: _Collector) -> list[TestRecommendation]:
    chosen: dict[str, tuple[int, int, TestRecommendation]] = {}
    ids = _numbered([rule.id or rule.test for rule in facts.kb.tests])
    for index, rule in enumerate(facts.kb.tests):
        if rule.test in chosen:
            continue  # the first applicable rule for a test gives its priority and reason
        if evaluate(rule.when, facts) is not True:
            continue
        if rule.done_when is not None and evaluate(rule.done_when, facts) is True:
            continue
        if not rule.verified:
            collector.unverified.append(f"test {rule.label}: {rule.note or 'marked unverified'}")
        qualified = f"tests.{ids[index]}"
        chosen[rule.test] = (
            PRIORITY_ORDER[rule.priority],
            index,
            TestRecommendation(
                id=rule.test,
                label=rule.label,
                priority=rule.priority,
                reason=rule.reason,
                for_=list(rule.for_),
                references=collector.cite(list(rule.references)),
                rule=qualified,
                reason_evidence=Evidence(
                    text=rule.reason,
                    criterion=qualified,
                    kind="test",
                    references=list(rule.references),
                    verified=rule.verified,
                ),
            ),
        )
    return [item for _, _, item in sorted(chosen.values(), key=lambda t: (t[0], t[1]))]


_LEADING = ("established", "probable")
_OPEN = ("possible", "probable", "undetermined")


def _waiting_for(
    facts: CaseFacts, ranked: list[SyndromeResult], tests: list[TestRecommendation]
) -> list[TestId]:
    """Tests that decide the leading syndrome (when not yet likely) or an open don't-miss one."""
    dont_miss = {s.id for s in facts.kb.syndromes if s.dont_miss}
    open_ids: set[str] = set()
    if ranked and ranked[0].status not in _LEADING:
        open_ids.update(r.id for r in ranked if r.status == ranked[0].status)
    open_ids.update(
        r.id for r in ranked if r.id in dont_miss and r.status in ("possible", "probable")
    )
    return [t.id for t in tests if t.priority in ("now", "next") and open_ids & set(t.for_)]


def _treatment(
    facts: CaseFacts,
    ranked: list[SyndromeResult],
    tests: list[TestRecommendation],
    collector: _Collector,
) -> Treatment:
    kb = facts.kb.treatment
    indication, reasons, references = kb.default_indication, [kb.default_reason], []
    reason_items = [
        Evidence(
            text=kb.default_reason,
            criterion="treatment.indication.default",
            kind="indication",
            references=[],
        )
    ]
    ids = _numbered([rule.id or rule.indication for rule in kb.indication_rules])
    for rule, ident in zip(kb.indication_rules, ids, strict=True):
        if evaluate(rule.when, facts) is True:
            indication, reasons, references = rule.indication, [rule.reason], list(rule.references)
            reason_items = [
                Evidence(
                    text=rule.reason,
                    criterion=f"treatment.indication.{ident}",
                    kind="indication",
                    references=list(rule.references),
                    verified=rule.verified,
                )
            ]
            if not rule.verified:
                collector.unverified.append(f"indication: {rule.reason}")
            break
    waiting: list[TestId] = []
    if indication not in ("treat", "treat_other_cause"):
        waiting = _waiting_for(facts, ranked, tests)
        if waiting:
            labels = {t.id: t.label for t in tests}
            text = "Complete first: " + "; ".join(labels[w] for w in waiting) + "."
            reasons.append(text)
            reason_items.append(
                Evidence(text=text, criterion="treatment.waiting", kind="indication")
            )
    options: list[TreatmentOption] = []
    option_ids = _numbered([o.id or o.syndrome for o in kb.options])
    leader = ranked[0] if ranked else None
    for result in ranked:
        confirmed = result.status in _LEADING
        # Options for a syndrome not yet likely are shown only for the leading one, as
        # "if confirmed": treatment waits for the diagnosis.
        tentative = not confirmed and result is leader and result.status in _OPEN
        if not confirmed and not tentative:
            continue
        for option, ident in zip(kb.options, option_ids, strict=True):
            if option.syndrome != result.id:
                continue
            if confirmed and result.status not in option.status_in:
                continue
            if option.when is not None and evaluate(option.when, facts) is not True:
                continue
            if not option.verified:
                collector.unverified.append(
                    f"option {option.regimen}: {option.note or 'marked unverified'}"
                )
            options.append(
                TreatmentOption(
                    syndrome=option.syndrome,
                    regimen=option.regimen,
                    evidence=option.evidence,
                    references=collector.cite(list(option.references)),
                    warnings=list(option.warnings) if confirmed else [],
                    verified=option.verified,
                    rule=f"treatment.option.{ident}",
                    status=result.status,
                    if_confirmed=not confirmed,
                )
            )
    warnings: list[str] = []
    for warning in kb.warnings:
        if evaluate(warning.when, facts) is True:
            warnings.append(warning.text)
            references.extend(warning.references)
            if not warning.verified:
                collector.unverified.append(f"warning: {warning.text}")
    return Treatment(
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
            Biomarker(
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


def _out_of_scope_syndromes(kb: KnowledgeBase, note: str) -> list[SyndromeResult]:
    return [
        SyndromeResult(
            id=item.id,
            label=item.label,
            status="excluded",
            rank=index,
            score=0.0,
            against=[note],
            status_reason=note,
        )
        for index, item in enumerate(kb.ordered_syndromes(), 1)
    ]


_RED_FLAG_STATUSES = ("established", "probable", "possible")


def _red_flags(kb: KnowledgeBase, ranked: list[SyndromeResult]) -> list[str]:
    """The "don't miss" syndromes (a knowledge-base flag) that this case leaves open."""
    flags = []
    for result in ranked:
        knowledge = kb.syndrome(result.id)
        if knowledge.dont_miss and result.status in _RED_FLAG_STATUSES:
            flags.append(f"{result.label} is {result.status}: {knowledge.dont_miss}")
    return flags


def evaluate_case(case: CaseLike, kb: KnowledgeBase | None = None) -> Assessment:
    """The assessment of ``case`` under ``kb`` (default: the bundled knowledge base)."""
    kb = kb or load_knowledge()
    facts = CaseFacts(case, kb)
    collector = _Collector()
    in_scope, scope_note, run = True, None, True
    for rule in kb.meta.scope:
        if evaluate(rule.when, facts) is True:
            in_scope, scope_note, run = False, rule.note, rule.evaluate
            break
    mimics = _mimics(facts, collector)
    if run:
        results = [_syndrome(item, facts, collector) for item in kb.ordered_syndromes()]
        ranked = rank(results, kb)
        link = _link(facts, collector)
        tests = _tests(facts, collector)
        treatment = _treatment(facts, ranked, tests, collector)
    else:
        note = scope_note or "outside the scope of this tool"
        ranked = _out_of_scope_syndromes(kb, note)
        link = LinkResult(status="undetermined", reasons=[note])
        tests = []
        treatment = Treatment(indication="undetermined", reasons=[note])
    references = [
        Reference(id=ref, citation=kb.references[ref].citation, url=kb.references[ref].url)
        for ref in _unique(collector.references)
        if ref in kb.references
    ]
    case_id = case.get("id")
    return Assessment(
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
        biomarkers=_biomarkers(facts, collector),
        red_flags=_red_flags(kb, ranked) if run else [],
        ranking=ranking_note(kb, ranked, tests)
        if run
        else Ranking(rule=" ".join(kb.meta.ranking.split())),
        not_interpreted=_not_interpreted(case, kb),
        unverified=_unique(collector.unverified),
        references=references,
        disclaimer=kb.meta.disclaimer,
    )

"""The knowledge base as the engine reads it per case, prepared once per process.

Why: everything here used to be re-derived for every case — the qualified ids written
into evidence (``poems.vegf_high``, ``tests.vegf_poems``), numbered rule ids, each
predicate's compiled closure, the syndromes in evaluation order, the ranking sentence.
The knowledge base is immutable, so it is done once and kept beside it (by identity).
This module holds no medicine: only ids, texts and references copied from the KB.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass

from mgpn.engine.compiled import Compiled
from mgpn.engine.compiled import for_case_facts as compiled
from mgpn.engine.output import Line
from mgpn.knowledge.ids import numbered
from mgpn.knowledge.schema import (
    Criterion,
    IndicationRule,
    KnowledgeBase,
    MimicKnowledge,
    ScopeRule,
    SyndromeKnowledge,
    TestRule,
    TreatmentOptionRule,
    WarningRule,
)


@dataclass(frozen=True)
class PreparedTest:
    rule: TestRule
    when: Compiled
    done_when: Compiled | None
    qualified: str  # tests.<id>


@dataclass(frozen=True)
class PreparedIndication:
    rule: IndicationRule
    when: Compiled
    criterion: str  # treatment.indication.<id>


@dataclass(frozen=True)
class PreparedOption:
    rule: TreatmentOptionRule
    when: Compiled | None
    criterion: str  # treatment.option.<id>
    status_in: frozenset[str]


@dataclass(frozen=True)
class Prepared:
    kb: KnowledgeBase
    scope: tuple[tuple[ScopeRule, Compiled], ...]
    mimics: tuple[MimicKnowledge, ...]
    syndromes: tuple[SyndromeKnowledge, ...]  # in evaluation order
    lines: dict[str, dict[int, Line]]  # owner -> id(criterion) -> line
    tests: tuple[PreparedTest, ...]
    indications: tuple[PreparedIndication, ...]
    options: tuple[PreparedOption, ...]
    warnings: tuple[tuple[WarningRule, Compiled], ...]
    ranking_rule: str  # meta.ranking on one line
    position: dict[str, int]  # syndrome id -> place in the KB's order
    citations: dict[str, tuple[str, str, str | None]]  # reference id -> (id, citation, url)
    dont_miss: dict[str, str]  # syndrome id -> why it must not be missed


def _lines(owner: str, criteria: list[Criterion]) -> dict[int, Line]:
    return {
        id(c): Line(
            c.text, f"{owner}.{c.id}", c.effective_kind, tuple(c.references), c.verified,
            c.missing_text or c.text,
        )
        for c in criteria
    }


def _prepare(kb: KnowledgeBase) -> Prepared:
    lines: dict[str, dict[int, Line]] = {m.id: _lines(m.id, m.criteria) for m in kb.mimics}
    lines.update({s.id: _lines(s.id, s.criteria) for s in kb.syndromes})
    lines["link"] = _lines("link", kb.link.criteria)
    test_ids = numbered([rule.id or rule.test for rule in kb.tests])
    treatment = kb.treatment
    indication_ids = numbered([rule.id or rule.indication for rule in treatment.indication_rules])
    option_ids = numbered([o.id or o.syndrome for o in treatment.options])
    return Prepared(
        kb=kb,
        scope=tuple((rule, compiled(rule.when)) for rule in kb.meta.scope),
        mimics=tuple(kb.mimics),
        syndromes=tuple(kb.ordered_syndromes()),
        lines=lines,
        tests=tuple(
            PreparedTest(
                rule, compiled(rule.when),
                None if rule.done_when is None else compiled(rule.done_when), f"tests.{ident}",
            )
            for rule, ident in zip(kb.tests, test_ids, strict=True)
        ),
        indications=tuple(
            PreparedIndication(rule, compiled(rule.when), f"treatment.indication.{ident}")
            for rule, ident in zip(treatment.indication_rules, indication_ids, strict=True)
        ),
        options=tuple(
            PreparedOption(
                option, None if option.when is None else compiled(option.when),
                f"treatment.option.{ident}", frozenset(option.status_in),
            )
            for option, ident in zip(treatment.options, option_ids, strict=True)
        ),
        warnings=tuple((warning, compiled(warning.when)) for warning in treatment.warnings),
        ranking_rule=" ".join(kb.meta.ranking.split()),
        position={ident: index for index, ident in enumerate(kb.meta.syndrome_order)},
        dont_miss={s.id: s.dont_miss for s in kb.syndromes if s.dont_miss},
        citations={ref: (ref, item.citation, item.url) for ref, item in kb.references.items()},
    )  # fmt: skip


# id(kb) -> prepared; the prepared form holds the kb, so its id is not reused meanwhile.
_PREPARED: dict[int, Prepared] = {}
_LIMIT = 64  # many knowledge bases are loaded only by tests


def prepared(kb: KnowledgeBase) -> Prepared:
    """``kb`` prepared for the engine (built on first use, then reused)."""
    found = _PREPARED.get(id(kb))
    if found is not None and found.kb is kb:
        return found
    if len(_PREPARED) >= _LIMIT:
        _PREPARED.clear()
    found = _PREPARED[id(kb)] = _prepare(kb)
    _out_of_collectors_sight()
    return found


_FROZEN = False


def _out_of_collectors_sight() -> None:
    """Once per process: what exists now (the knowledge base, its compiled rules) is moved
    out of the cyclic garbage collector's sight (``gc.freeze``).

    Why: a case allocates a few thousand short-lived objects, so the collector runs often,
    and each full collection walked the tens of thousands of knowledge-base objects that
    live as long as the process: about a fifth of an evaluation's time. Frozen objects
    are still freed by reference counting when dropped; only reference cycles that were
    already garbage at this moment stay in memory.
    """
    global _FROZEN
    if not _FROZEN:
        _FROZEN = True
        gc.freeze()


def forget() -> None:
    """Drop every prepared knowledge base (tests that swap the predicate compiler)."""
    _PREPARED.clear()

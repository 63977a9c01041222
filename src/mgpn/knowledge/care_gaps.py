"""Care-gap rules for population screening: their strict schema, loading and cross-checks.

The rules live in ``data/care_gaps.yaml``, beside the knowledge base and written in its
predicate language (:mod:`mgpn.knowledge.predicates`), so they name the same case paths,
thresholds, syndromes and references. The file is refused whole if anything in it is wrong:
a misspelt key, a threshold or reference the knowledge base does not have, an unknown case
path or syndrome.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mgpn.errors import KnowledgeError
from mgpn.knowledge.checks import iter_leaves
from mgpn.knowledge.loader import (
    DEFAULT_DIRECTORY,
    case_fields,
    load_knowledge,
    read_rule_document,
    read_rule_text,
)
from mgpn.knowledge.predicates import Predicate, SyndromeRef, walk
from mgpn.knowledge.schema import KnowledgeBase

CARE_GAPS_FILE = DEFAULT_DIRECTORY / "care_gaps.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Coding(_Strict):
    """A code the SQL pre-filter matches (system and code exactly as FHIR writes them)."""

    system: str
    code: str
    display: str
    anchor: bool = Field(
        default=True,
        description="dates the paraprotein: the first such record anchors the work-up window",
    )
    verified: bool = True
    note: str | None = None


class Population(_Strict):
    note: str
    conditions: list[Coding] = Field(min_length=1)
    observations: list[Coding] = Field(min_length=1)


class ClosingItem(_Strict):
    """One test or action that closes a gap, and how to tell it is done."""

    label: str
    when: Predicate


class CareGap(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: str = Field(description="a short name for the plots and tables")
    label: str = Field(description="the gap in words a clinician reads")
    when: Predicate
    closed_by: list[ClosingItem] = Field(default_factory=list)
    action: str | None = Field(
        default=None, description="what closes the gap when no result can show it is done"
    )
    engine_tests: list[str] = Field(default_factory=list)
    evidence: str
    window_months: int | None = Field(default=None, ge=1)
    window_note: str
    references: list[str] = Field(min_length=1)
    verified: bool = True
    note: str | None = None

    @model_validator(mode="after")
    def _closable(self) -> CareGap:
        if not self.closed_by and not self.action:
            raise ValueError(f"gap {self.id!r} needs closed_by items or an action that closes it")
        return self

    @property
    def closing_text(self) -> str:
        parts = [item.label for item in self.closed_by]
        if self.action:
            parts.append(self.action)
        return "; ".join(parts)


class CareGapRules(_Strict):
    version: str
    last_reviewed: dt.date
    reviewers: list[str] = Field(min_length=1)
    population: Population
    gaps: list[CareGap] = Field(min_length=1)

    def gap(self, gap_id: str) -> CareGap:
        for item in self.gaps:
            if item.id == gap_id:
                return item
        raise KeyError(gap_id)


def _predicates(gap: CareGap) -> list[Predicate]:
    return [gap.when, *(item.when for item in gap.closed_by)]


def check_care_gaps(rules: CareGapRules, kb: KnowledgeBase) -> list[str]:
    """Every reference to the knowledge base that does not resolve; empty when consistent."""
    problems: list[str] = []
    paths = case_fields()
    syndromes = {item.id for item in kb.syndromes}
    tests = {item.test for item in kb.tests}
    seen: set[str] = set()
    for gap in rules.gaps:
        where = f"care gap {gap.id}"
        if gap.id in seen:
            problems.append(f"{where}: the id is used twice")
        seen.add(gap.id)
        problems.extend(
            f"{where}: unknown reference {ref!r}"
            for ref in gap.references
            if ref not in kb.references
        )
        problems.extend(
            f"{where}: unknown engine test {test!r}"
            for test in gap.engine_tests
            if test not in tests
        )
        for predicate in _predicates(gap):
            for leaf in iter_leaves(predicate):
                name = leaf.threshold_name
                if name is not None and name not in kb.thresholds:
                    problems.append(f"{where}: unknown threshold {name!r}")
                field = leaf.path
                if paths is not None and field != "treatments[].regimen" and field not in paths:
                    problems.append(f"{where}: unknown case path {field!r}")
            for node in walk(predicate):
                if isinstance(node, SyndromeRef):
                    problems.extend(
                        f"{where}: unknown syndrome {ident!r}"
                        for ident in node.syndrome
                        if ident not in syndromes
                    )
    return problems


def read_care_gaps(path: Path, kb: KnowledgeBase) -> CareGapRules:
    """The care-gap rules in ``path``, validated against ``kb``; any problem refuses the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise KnowledgeError(f"{path}: missing care-gap file") from exc
    rules = read_rule_document(read_rule_text(text, str(path)), CareGapRules, str(path))
    problems = check_care_gaps(rules, kb)
    if problems:
        raise KnowledgeError(f"{path}: " + "; ".join(problems))
    return rules


@lru_cache(maxsize=4)
def load_care_gaps(path: str | None = None) -> CareGapRules:
    """The bundled care-gap rules (or those at ``path``), checked against the bundled KB."""
    return read_care_gaps(Path(path) if path else CARE_GAPS_FILE, load_knowledge())

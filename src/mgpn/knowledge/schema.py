"""The strict schema of the knowledge base (``src/mgpn/knowledge/data``).

Every model forbids unknown keys, so a misspelt key in a YAML file stops the
program at start-up instead of silently switching a rule off. Cross-file checks
(reference ids, threshold names, case paths, verified flags) live in
:mod:`mgpn.knowledge.checks`.
"""


import datetime as dt
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mgpn.assessment import (
    Indication,
    LinkStatus,
    MimicId,
    MimicStatus,
    SyndromeId,
    SyndromeStatus,
    TestId,
    TestPriority,
)
from mgpn.knowledge.predicates import Predicate

_LEADING: list[SyndromeStatus] = ["established", "probable"]

Confidence = Literal["SEED", "HIGH", "MOD", "LOW", "UNVERIFIED"]


class _Strict(BaseModel):
    # defer_build: validators are built on the first validation, so a process that takes
    # the knowledge base from the cache (mgpn.knowledge.disk_cache) never builds them.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class _Sourced(_Strict):
    """Anything a clinician must be able to trace: its references and whether it is verified."""

    references: list[str] = Field(min_length=1)
    verified: bool = True
    note: str | None = Field(default=None, description="who decided what, and why")


class ScopeRule(_Strict):
    id: str
    when: Predicate
    note: str
    evaluate: bool = Field(description="whether the rest of the assessment is still computed")


class Meta(_Strict):
    version: str
    last_reviewed: dt.date
    reviewers: list[str] = Field(min_length=1)
    intended_use: str
    disclaimer: str
    scoring: str = Field(description="how a syndrome's score is computed, in words")
    syndrome_order: list[SyndromeId] = Field(
        description="evaluation order; a syndrome's rules may only refer to syndromes before it"
    )
    ranking: str = Field(description="how syndromes are ordered, in words")
    sets: dict[str, list[str]] = Field(
        default_factory=dict,
        description="named sets of syndrome or mimic ids, used in rules instead of copied lists",
    )
    scope: list[ScopeRule] = Field(default_factory=list)


class Reference(_Strict):
    citation: str
    url: str | None = None
    confidence: Confidence
    note: str | None = None


class Threshold(_Sourced):
    value: float
    unit: str
    path: str | None = Field(default=None, description="the case field it applies to, if one")


CriterionKind = Literal[
    "mandatory", "major", "minor", "supportive", "atypical", "exclusion", "derived"
]
_AGAINST_KINDS = ("atypical", "exclusion")


class CriterionExample(_Strict):
    """A finding that meets (``expect: true``) or does not meet the criterion; run as a test.

    ``case`` maps dotted case paths to values written as in a case file ("12000 BTU");
    ``syndromes``/``mimics`` give the earlier results a criterion may refer to.
    """

    case: dict[str, Any] = Field(default_factory=dict)
    syndromes: dict[str, SyndromeStatus] = Field(default_factory=dict)
    mimics: dict[str, MimicStatus] = Field(default_factory=dict)
    expect: bool | None


class Criterion(_Sourced):
    """One finding of a criteria set.

    ``kind`` follows the published criteria sets: mandatory, major, minor and supportive
    findings count in favour; atypical findings lower support and are shown against, but
    never exclude; only ``exclusion`` criteria (``caps``) and unmet mandatory criteria
    (``caps_if_absent`` / ``caps_if_unknown``) may limit a status. ``settles`` marks a
    decisive finding: when met, the status is at least that (a cap still applies).
    """

    id: str
    text: str = Field(description="a sentence a clinician reads, shown when the criterion is met")
    when: Predicate
    direction: Literal["for", "against"] = "for"
    kind: CriterionKind | None = Field(
        default=None, description="default: supportive when for, atypical when against"
    )
    weight: float = Field(default=1.0, gt=0, le=10)
    missing_text: str | None = Field(
        default=None, description="what to ask for when the criterion cannot be decided"
    )
    evidence: str
    caps: SyndromeStatus | None = Field(
        default=None, description="exclusion: when met, the status is at most this"
    )
    caps_if_absent: SyndromeStatus | None = Field(
        default=None, description="mandatory: when known not met, the status is at most this"
    )
    caps_if_unknown: SyndromeStatus | None = Field(
        default=None, description="mandatory: while unknown, the status is at most this"
    )
    settles: SyndromeStatus | None = Field(
        default=None, description="decisive: when met, the status is at least this"
    )
    gating: bool = Field(
        default=False,
        description="when unknown and no status rule applies, the status is undetermined "
        "and this criterion's missing_text is asked for",
    )
    examples: list[CriterionExample] = Field(default_factory=list)

    @property
    def effective_kind(self) -> str:
        if self.kind is not None:
            return self.kind
        return "supportive" if self.direction == "for" else "atypical"

    @model_validator(mode="after")
    def _kind_fits(self) -> "Criterion":
        kind = self.effective_kind
        if kind in _AGAINST_KINDS and self.direction != "against":
            raise ValueError(f"criterion {self.id!r}: a {kind} criterion counts against")
        if kind not in _AGAINST_KINDS and kind != "derived" and self.direction != "for":
            raise ValueError(
                f"criterion {self.id!r}: a {kind} criterion counts in favour; a finding "
                "against is 'atypical' (lowers support) or 'exclusion' (caps the status)"
            )
        if (self.caps is not None) != (kind == "exclusion"):
            raise ValueError(f"criterion {self.id!r}: exactly the exclusion criteria carry caps")
        if (self.caps_if_absent or self.caps_if_unknown) and kind != "mandatory":
            raise ValueError(f"criterion {self.id!r}: only mandatory criteria cap when unmet")
        if self.gating and not self.missing_text:
            raise ValueError(f"criterion {self.id!r}: a gating criterion needs missing_text")
        return self


class StatusRule(_Sourced):
    id: str | None = Field(default=None, description="default: the status, numbered if repeated")
    status: str
    when: Predicate
    reason: str


class StagingSystem(_Sourced):
    id: str
    name: str
    markers: list[Criterion] = Field(min_length=1)
    stages: list[str] = Field(description="stage label for 0, 1, 2 ... markers met")

    @field_validator("stages")
    @classmethod
    def _one_label_per_count(cls, stages: list[str]) -> list[str]:
        if not stages:
            raise ValueError("stages needs at least one label")
        return stages


class RuleSet(_Strict):
    """Criteria and the ordered status rules over them (first true rule wins)."""

    criteria: list[Criterion] = Field(default_factory=list)
    status_rules: list[StatusRule] = Field(min_length=1)
    default_reason: str
    # Each kind of rule set answers with its own status vocabulary (the assessment contract).
    allowed_statuses: ClassVar[tuple[str, ...]] = ()

    @field_validator("status_rules")
    @classmethod
    def _statuses(cls, rules: list[StatusRule]) -> list[StatusRule]:
        for rule in rules:
            if rule.status not in cls.allowed_statuses:
                raise ValueError(
                    f"status {rule.status!r} is not one of {', '.join(cls.allowed_statuses)}"
                )
        return rules


class SyndromeKnowledge(RuleSet):
    id: SyndromeId
    label: str
    prior: float = Field(ge=-10, le=10, description="log-odds offset before any finding")
    default_status: SyndromeStatus
    references: list[str] = Field(min_length=1)
    note: str | None = None
    staging: list[StagingSystem] = Field(default_factory=list)
    dont_miss: str | None = Field(
        default=None,
        description="why this syndrome must not be missed; when it is possible or more likely, "
        "the assessment lists it among its red flags",
    )

    allowed_statuses: ClassVar[tuple[str, ...]] = SyndromeStatus.__args__  # type: ignore[attr-defined]


class MimicKnowledge(RuleSet):
    id: MimicId
    label: str
    default_status: MimicStatus = "not_assessed"
    references: list[str] = Field(min_length=1)
    note: str | None = None

    allowed_statuses: ClassVar[tuple[str, ...]] = MimicStatus.__args__  # type: ignore[attr-defined]


class LinkKnowledge(RuleSet):
    default_status: LinkStatus = "undetermined"

    allowed_statuses: ClassVar[tuple[str, ...]] = LinkStatus.__args__  # type: ignore[attr-defined]


class TestRule(_Sourced):
    id: str | None = Field(default=None, description="default: the test id, numbered if repeated")
    test: TestId
    label: str
    when: Predicate
    done_when: Predicate | None = Field(
        default=None,
        description="true when the result is already in the case; None = no case field holds it",
    )
    priority: TestPriority
    reason: str
    for_: list[SyndromeId | MimicId] = Field(default_factory=list, alias="for")


class IndicationRule(_Sourced):
    id: str | None = None
    indication: Indication
    when: Predicate
    reason: str


class TreatmentOptionRule(_Sourced):
    id: str | None = None
    syndrome: SyndromeId
    regimen: str
    evidence: str
    status_in: list[SyndromeStatus] = Field(default_factory=lambda: _LEADING.copy())
    when: Predicate | None = None
    warnings: list[str] = Field(default_factory=list)


class WarningRule(_Sourced):
    id: str
    when: Predicate
    text: str


class TreatmentKnowledge(_Strict):
    indication_rules: list[IndicationRule] = Field(min_length=1)
    default_indication: Indication = "undetermined"
    default_reason: str
    options: list[TreatmentOptionRule] = Field(default_factory=list)
    warnings: list[WarningRule] = Field(default_factory=list)


class BiomarkerKnowledge(_Sourced):
    id: str
    label: str
    path: str
    interpretation: str


class UninterpretedField(_Strict):
    path: str
    reason: str


class KnowledgeBase(_Strict):
    meta: Meta
    references: dict[str, Reference]
    thresholds: dict[str, Threshold]
    mimics: list[MimicKnowledge]
    syndromes: list[SyndromeKnowledge]
    link: LinkKnowledge
    tests: list[TestRule]
    treatment: TreatmentKnowledge
    biomarkers: list[BiomarkerKnowledge] = Field(default_factory=list)
    uninterpreted: list[UninterpretedField] = Field(default_factory=list)

    def syndrome(self, syndrome_id: str) -> SyndromeKnowledge:
        for item in self.syndromes:
            if item.id == syndrome_id:
                return item
        raise KeyError(syndrome_id)

    def ordered_syndromes(self) -> list[SyndromeKnowledge]:
        by_id = {item.id: item for item in self.syndromes}
        return [by_id[item] for item in self.meta.syndrome_order if item in by_id]

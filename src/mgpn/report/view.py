"""The report's view model: everything a renderer shows, already in display form.

Built in one step from an :class:`~mgpn.assessment.Assessment` (what the engine said),
the normalised case (``mgpn.case.dump_case`` output) and, when the case has visits,
an outcomes plot. Renderers (HTML, PDF, the web page) only format this object; they
never look at the case or the knowledge base themselves, and this module adds no
clinical judgement: labels, statuses and texts are the engine's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from mgpn.assessment import Assessment

_UNSAFE_ANCHOR = re.compile(r"[^A-Za-z0-9_-]+")


def reference_anchor(ref_id: str) -> str:
    """The HTML anchor of a reference in the report's reference list."""
    return "ref-" + _UNSAFE_ANCHOR.sub("-", ref_id).strip("-")


@dataclass(frozen=True)
class RefLink:
    """A citation marker in the text, pointing at the reference list."""

    id: str
    anchor: str


@dataclass(frozen=True)
class ReferenceRow:
    id: str
    anchor: str
    citation: str
    url: str | None


@dataclass(frozen=True)
class SummaryItem:
    label: str
    value: str


@dataclass(frozen=True)
class SummarySection:
    title: str
    items: tuple[SummaryItem, ...]


@dataclass(frozen=True)
class SyndromeRow:
    rank: int
    id: str
    label: str
    status: str
    score: float
    for_: tuple[str, ...]
    against: tuple[str, ...]
    missing: tuple[str, ...]
    unverified: tuple[str, ...]
    references: tuple[RefLink, ...]


@dataclass(frozen=True)
class MimicRow:
    id: str
    label: str
    status: str
    evidence: tuple[str, ...]
    missing: tuple[str, ...]
    references: tuple[RefLink, ...]


@dataclass(frozen=True)
class TestRow:
    id: str
    label: str
    priority: str
    reason: str
    for_: tuple[str, ...]
    references: tuple[RefLink, ...]


@dataclass(frozen=True)
class OptionRow:
    syndrome: str
    regimen: str
    evidence: str
    warnings: tuple[str, ...]
    verified: bool
    references: tuple[RefLink, ...]


@dataclass(frozen=True)
class TreatmentView:
    indication: str
    reasons: tuple[str, ...]
    options: tuple[OptionRow, ...]
    warnings: tuple[str, ...]
    references: tuple[RefLink, ...]


@dataclass(frozen=True)
class LinkView:
    status: str
    reasons: tuple[str, ...]
    references: tuple[RefLink, ...]


@dataclass(frozen=True)
class BiomarkerRow:
    label: str
    value: str | None
    interpretation: str
    references: tuple[RefLink, ...]


@dataclass(frozen=True)
class OutcomeRow:
    """One scale or marker between the baseline and the latest visit."""

    name: str
    baseline: str
    latest: str
    change: str
    direction: str


@dataclass(frozen=True)
class OutcomesView:
    """Follow-up over time (from ``mgpn.outcomes``): the plot, the changes, the warnings."""

    svg: str | None
    baseline: str | None
    latest: str | None
    rows: tuple[OutcomeRow, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportView:
    """One report, ready to render."""

    title: str
    case_id: str | None
    recorded: str | None
    assessed_at: datetime
    generated_at: datetime
    knowledge_version: str
    knowledge_reviewed: str | None
    disclaimer: str
    in_scope: bool
    scope_note: str | None
    summary: tuple[SummarySection, ...]
    syndromes: tuple[SyndromeRow, ...]
    mimics: tuple[MimicRow, ...]
    link: LinkView
    tests: tuple[TestRow, ...]
    treatment: TreatmentView
    biomarkers: tuple[BiomarkerRow, ...]
    red_flags: tuple[str, ...]
    not_interpreted: tuple[str, ...]
    unverified: tuple[str, ...]
    references: tuple[ReferenceRow, ...]
    outcomes: OutcomesView | None = None


def humanize(key: str) -> str:
    """``large_fiber_sensory_loss`` -> ``large fiber sensory loss`` (keeps ``GM1``, ``IgM``)."""
    return key.replace("_", " ")


def format_value(value: Any) -> str:
    """A case value as a short display string (quantities keep their censoring)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        if "value" in value:
            comparator = value.get("comparator") or ""
            unit = value.get("unit") or ""
            number = _number(value["value"])
            return f"{comparator}{number} {unit}".strip()
        return ", ".join(f"{humanize(str(k))}: {format_value(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _flatten(prefix: str, data: Mapping[str, Any]) -> list[SummaryItem]:
    items: list[SummaryItem] = []
    for key, value in data.items():
        if value is None or key == "extensions":
            continue
        label = f"{prefix}{humanize(str(key))}"
        if isinstance(value, Mapping) and "value" not in value:
            items.extend(_flatten(label + " ", value))
        else:
            shown = humanize(value) if isinstance(value, str) else format_value(value)
            items.append(SummaryItem(label=label, value=shown))
    return items


def summarize_case(case_data: Mapping[str, Any]) -> tuple[SummarySection, ...]:
    """The case as sections of label/value pairs: only what is known (absent stays out)."""
    sections: list[SummarySection] = []
    top = [
        SummaryItem(humanize(k), format_value(v))
        for k, v in case_data.items()
        if k in ("id", "recorded") and v is not None
    ]
    if top:
        sections.append(SummarySection("Case", tuple(top)))
    for key, value in case_data.items():
        if key in ("format", "id", "recorded", "extensions") or value is None:
            continue
        if isinstance(value, Mapping):
            items = _flatten("", value)
            if items:
                sections.append(SummarySection(humanize(key).capitalize(), tuple(items)))
        elif isinstance(value, Sequence) and not isinstance(value, str):
            rows = [
                SummaryItem(
                    f"{humanize(key)} {i + 1}",
                    format_value({k: v for k, v in row.items() if v is not None})
                    if isinstance(row, Mapping)
                    else format_value(row),
                )
                for i, row in enumerate(value)
            ]
            if rows:
                sections.append(SummarySection(humanize(key).capitalize(), tuple(rows)))
    return tuple(sections)


def _refs(ids: Sequence[str]) -> tuple[RefLink, ...]:
    return tuple(RefLink(id=r, anchor=reference_anchor(r)) for r in ids)


def build_view(
    assessment: Assessment,
    case_data: Mapping[str, Any],
    *,
    assessed_at: datetime,
    outcomes: OutcomesView | None = None,
    generated_at: datetime | None = None,
) -> ReportView:
    """Build the report's view model; ``assessed_at`` is when the engine produced it.

    ``outcomes`` is given when the case has follow-up visits.
    """
    a = assessment
    syndromes = tuple(
        SyndromeRow(
            rank=s.rank,
            id=s.id,
            label=s.label,
            status=s.status,
            score=s.score,
            for_=tuple(s.for_),
            against=tuple(s.against),
            missing=tuple(s.missing),
            unverified=tuple(s.unverified),
            references=_refs(s.references),
        )
        for s in sorted(a.syndromes, key=lambda s: s.rank)
    )
    mimics = tuple(
        MimicRow(m.id, m.label, m.status, tuple(m.evidence), tuple(m.missing), _refs(m.references))
        for m in a.mimics
    )
    tests = tuple(
        TestRow(t.id, t.label, t.priority, t.reason, tuple(t.for_), _refs(t.references))
        for t in a.tests
    )
    treatment = TreatmentView(
        indication=a.treatment.indication,
        reasons=tuple(a.treatment.reasons),
        options=tuple(
            OptionRow(
                o.syndrome,
                o.regimen,
                o.evidence,
                tuple(o.warnings),
                o.verified,
                _refs(o.references),
            )
            for o in a.treatment.options
        ),
        warnings=tuple(a.treatment.warnings),
        references=_refs(a.treatment.references),
    )
    case_id = a.case_id or _str_or_none(case_data.get("id"))
    return ReportView(
        title=f"Assessment of case {case_id}" if case_id else "Assessment",
        case_id=case_id,
        recorded=_str_or_none(case_data.get("recorded")),
        assessed_at=assessed_at,
        generated_at=generated_at or datetime.now(UTC),
        knowledge_version=a.knowledge_version,
        knowledge_reviewed=a.knowledge_reviewed,
        disclaimer=a.disclaimer,
        in_scope=a.in_scope,
        scope_note=a.scope_note,
        summary=summarize_case(case_data),
        syndromes=syndromes,
        mimics=mimics,
        link=LinkView(a.link.status, tuple(a.link.reasons), _refs(a.link.references)),
        tests=tests,
        treatment=treatment,
        biomarkers=tuple(
            BiomarkerRow(b.label, b.value, b.interpretation, _refs(b.references))
            for b in a.biomarkers
        ),
        red_flags=tuple(a.red_flags),
        not_interpreted=tuple(a.not_interpreted),
        unverified=tuple(a.unverified),
        references=tuple(
            ReferenceRow(r.id, reference_anchor(r.id), r.citation, r.url) for r in a.references
        ),
        outcomes=outcomes,
    )


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, (date, datetime)) else str(value)

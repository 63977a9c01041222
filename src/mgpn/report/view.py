"""The report's view model: everything a renderer shows, already in display form.

Built in one step from an :class:`~mgpn.assessment.Assessment` (what the engine said),
the normalised case (``mgpn.case.dump_case`` output) and, when the case has visits,
an outcomes plot. Renderers (HTML, PDF, the web page) only format this object; they
never look at the case or the knowledge base themselves, and this module adds no
clinical judgement: labels, statuses and texts are the engine's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from mgpn.assessment import Assessment
from mgpn.report.language import (
    choice_words,
    clinical_text,
    field_label,
    full_citation,
    short_citation,
    status_words,
)
from mgpn.report.numbers import lab_number
from mgpn.report.summary import Summary, build_summary, reference_anchor

__all__ = ["ReportDetails", "ReportView", "build_view", "reference_anchor"]


@dataclass(frozen=True)
class RefLink:
    """A citation marker in the text ("Svahn et al. 2018"), pointing at the reference list."""

    id: str
    anchor: str
    label: str = ""


@dataclass(frozen=True)
class ReferenceRow:
    id: str
    anchor: str
    citation: str
    url: str | None
    short: str = ""


@dataclass(frozen=True)
class ReportDetails:
    """Optional patient and clinician fields printed on a report (stored with the case, never logged).

    ``repr`` shows no values, so an accidental log line cannot leak them.
    """

    patient_name: str | None = field(default=None, repr=False)
    birth_date: str | None = field(default=None, repr=False)
    record_number: str | None = field(default=None, repr=False)
    author: str | None = field(default=None, repr=False)

    @property
    def any(self) -> bool:
        return any((self.patient_name, self.birth_date, self.record_number, self.author))

    def items(self) -> tuple[tuple[str, str], ...]:
        """(label, value) for the fields that are filled in."""
        pairs = (
            ("Patient", self.patient_name),
            ("Date of birth", self.birth_date),
            ("Record number", self.record_number),
            ("Author", self.author),
        )
        return tuple((label, value) for label, value in pairs if value)


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
    status_words: str
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
    status_words: str
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
    syndrome: str  # the syndrome's label
    regimen: str
    evidence: str
    warnings: tuple[str, ...]
    verified: bool
    references: tuple[RefLink, ...]


@dataclass(frozen=True)
class TreatmentView:
    indication: str
    indication_words: str
    reasons: tuple[str, ...]
    options: tuple[OptionRow, ...]
    warnings: tuple[str, ...]
    references: tuple[RefLink, ...]


@dataclass(frozen=True)
class LinkView:
    status: str
    words: str
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
    baseline_note: str = ""  # how the baseline was chosen ("last visit before rituximab ...")


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
    bottom_line: Summary
    outcomes: OutcomesView | None = None
    details: ReportDetails = ReportDetails()


def humanize(key: str) -> str:
    """``large_fiber_sensory_loss`` -> ``large fiber sensory loss`` (keeps ``GM1``, ``IgM``)."""
    return key.replace("_", " ")


def format_value(value: Any) -> str:
    """A case value as a short display string (quantities keep their censoring, lab rounding)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        if "value" in value:
            comparator = value.get("comparator") or ""
            unit = value.get("unit") or ""
            number = (
                lab_number(value["value"], unit)
                if isinstance(value["value"], (int, float))
                else str(value["value"])
            )
            return f"{comparator}{number} {unit}".strip()
        return ", ".join(f"{humanize(str(k))}: {format_value(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, float):
        return lab_number(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return choice_words(value)
    return str(value)


def _flatten(path: str, data: Mapping[str, Any], entered: Mapping[str, str]) -> list[SummaryItem]:
    items: list[SummaryItem] = []
    for key, value in data.items():
        if value is None or key == "extensions":
            continue
        here = f"{path}.{key}" if path else str(key)
        if isinstance(value, Mapping) and "value" not in value:
            items.extend(_flatten(here, value, entered))
            continue
        shown = format_value(value)
        typed = entered.get(here)
        if typed and typed.replace(" ", "") != shown.replace(" ", ""):
            shown = f"{typed} ({shown})"  # as entered, with the converted value beside it
        label = field_label(here) if "." in here else humanize(str(key))
        items.append(SummaryItem(label=label, value=shown))
    return items


def summarize_case(
    case_data: Mapping[str, Any], entered: Mapping[str, str] | None = None
) -> tuple[SummarySection, ...]:
    """The case as sections of label/value pairs: only what is known (absent stays out).

    ``entered`` maps a field path to the value as the user typed it (``"36 mmol/mol"``);
    it is shown first, with the converted value beside it.
    """
    typed = entered or {}
    sections: list[SummarySection] = []
    top = [
        SummaryItem(field_label(k), format_value(v))
        for k, v in case_data.items()
        if k in ("id", "recorded") and v is not None
    ]
    if top:
        sections.append(SummarySection("Case", tuple(top)))
    for key, value in case_data.items():
        # visits are shown as the course over time, not as a list of raw measurements
        if key in ("format", "id", "recorded", "extensions", "visits") or value is None:
            continue
        if isinstance(value, Mapping):
            items = _flatten(key, value, typed)
            if items:
                sections.append(SummarySection(humanize(key).capitalize(), tuple(items)))
        elif isinstance(value, Sequence) and not isinstance(value, str):
            rows = [
                SummaryItem(
                    f"{humanize(key).rstrip('s')} {i + 1}",
                    format_value({k: v for k, v in row.items() if v is not None})
                    if isinstance(row, Mapping)
                    else format_value(row),
                )
                for i, row in enumerate(value)
            ]
            if rows:
                sections.append(SummarySection(humanize(key).capitalize(), tuple(rows)))
    return tuple(sections)


def _texts(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(clinical_text(i) for i in items)


def build_view(
    assessment: Assessment,
    case_data: Mapping[str, Any],
    *,
    assessed_at: datetime,
    outcomes: OutcomesView | None = None,
    generated_at: datetime | None = None,
    details: ReportDetails | None = None,
    entered: Mapping[str, str] | None = None,
    deciding: Mapping[str, Sequence[str]] | None = None,
) -> ReportView:
    """Build the report's view model; ``assessed_at`` is when the engine produced it.

    ``outcomes`` is given when the case has follow-up visits; ``details`` are the
    optional patient and clinician fields; ``entered`` the values as typed (see
    :func:`summarize_case`); ``deciding`` links "what would change it" to fields
    (see :func:`mgpn.report.summary.build_summary`).
    """
    a = assessment
    citations = {r.id: r.citation for r in a.references}
    labels: dict[str, str] = {s.id: s.label for s in a.syndromes}

    def refs(ids: Sequence[str]) -> tuple[RefLink, ...]:
        return tuple(
            RefLink(id=r, anchor=reference_anchor(r), label=short_citation(r, citations.get(r, "")))
            for r in dict.fromkeys(ids)
        )

    syndromes = tuple(
        SyndromeRow(
            rank=s.rank,
            id=s.id,
            label=s.label,
            status=s.status,
            status_words=status_words("syndrome", s.status),
            score=s.score,
            for_=_texts(s.for_),
            against=_texts(s.against),
            missing=_texts(s.missing),
            unverified=_texts(s.unverified),
            references=refs(s.references),
        )
        for s in sorted(a.syndromes, key=lambda s: s.rank)
    )
    mimics = tuple(
        MimicRow(
            m.id,
            m.label,
            m.status,
            status_words("mimic", m.status),
            _texts(m.evidence),
            _texts(m.missing),
            refs(m.references),
        )
        for m in a.mimics
    )
    tests = tuple(
        TestRow(
            t.id,
            t.label,
            t.priority,
            clinical_text(t.reason),
            tuple(labels.get(x, choice_words(x)) for x in t.for_),
            refs(t.references),
        )
        for t in a.tests
    )
    treatment = TreatmentView(
        indication=a.treatment.indication,
        indication_words=status_words("indication", a.treatment.indication),
        reasons=_texts(a.treatment.reasons),
        options=tuple(
            OptionRow(
                labels.get(o.syndrome, choice_words(o.syndrome)),
                clinical_text(o.regimen),
                clinical_text(o.evidence),
                _texts(o.warnings),
                o.verified,
                refs(o.references),
            )
            for o in a.treatment.options
        ),
        warnings=_texts(a.treatment.warnings),
        references=refs(a.treatment.references),
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
        scope_note=clinical_text(a.scope_note) if a.scope_note else None,
        summary=summarize_case(case_data, entered),
        syndromes=syndromes,
        mimics=mimics,
        link=LinkView(
            a.link.status,
            status_words("link", a.link.status),
            _texts(a.link.reasons),
            refs(a.link.references),
        ),
        tests=tests,
        treatment=treatment,
        biomarkers=tuple(
            BiomarkerRow(b.label, b.value, clinical_text(b.interpretation), refs(b.references))
            for b in a.biomarkers
        ),
        red_flags=_texts(a.red_flags),
        not_interpreted=_texts(a.not_interpreted),
        unverified=_texts(a.unverified),
        references=tuple(
            ReferenceRow(
                r.id,
                reference_anchor(r.id),
                full_citation(r.id, r.citation),
                r.url,
                short_citation(r.id, r.citation),
            )
            for r in a.references
        ),
        bottom_line=build_summary(a, deciding=deciding),
        outcomes=outcomes,
        details=details or ReportDetails(),
    )


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, (date, datetime)) else str(value)

"""One patient, from their grouped export lines to open care gaps.

This is the one place that turns a patient's FHIR resources into a case: it calls the
FHIR -> case mapping of :mod:`mgpn.interop.fhir` (never a second copy of it), then the
engine, then the care-gap rules. Both screening engines (DuckDB and Spark) call
:func:`screen_patient` on each patient group, so they cannot disagree on medicine.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from mgpn.screening.gaps import GapFinding, leading_syndrome, open_gaps

#: Columns of the three tables every engine writes.
GAP_COLUMNS = (
    "patient", "gap_id", "gap", "kind", "findings", "evidence", "closing_test",
    "engine_proposes", "window", "references", "verified", "kb_version",
)  # fmt: skip
PATIENT_COLUMNS = (
    "patient", "leading_syndrome", "leading_status", "gaps", "in_scope", "resources_not_used",
)  # fmt: skip
ISSUE_COLUMNS = ("file", "line", "patient", "kind", "message")


@dataclass(frozen=True)
class SourcedLine:
    """One NDJSON line of the export and where it came from."""

    file: str
    line: int
    raw: str


@dataclass
class PatientResult:
    gaps: list[dict[str, Any]] = field(default_factory=list)
    patient: dict[str, Any] = field(default_factory=dict)
    issues: list[dict[str, Any]] = field(default_factory=list)


def _parse(line: SourcedLine) -> dict[str, Any] | None:
    try:
        value = json.loads(line.raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _date(resource: dict[str, Any]) -> dt.date | None:
    for key in ("effectiveDateTime", "issued", "onsetDateTime", "recordedDate", "authoredOn",
                "performedDateTime", "effectiveInstant"):  # fmt: skip
        value = resource.get(key)
        if isinstance(value, str) and len(value) >= 10:
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                return None
    return None


def _codes(resource: dict[str, Any]) -> set[tuple[str, str]]:
    concept = resource.get("code")
    codings = concept.get("coding") if isinstance(concept, dict) else None
    found: set[tuple[str, str]] = set()
    for coding in codings if isinstance(codings, list) else []:
        if isinstance(coding, dict):
            found.add((str(coding.get("system", "")), str(coding.get("code", ""))))
    return found


def paraprotein_anchor(
    resources: Iterable[dict[str, Any]], codes: frozenset[tuple[str, str]]
) -> dt.date | None:
    """The date of the patient's first paraprotein record (diagnosis or laboratory)."""
    dates = [d for r in resources if _codes(r) & codes and (d := _date(r)) is not None]
    return min(dates) if dates else None


def _within(resource: dict[str, Any], anchor: dt.date, months: int) -> bool:
    if resource.get("resourceType") not in ("Observation", "DiagnosticReport"):
        return True
    when = _date(resource)
    return when is not None and abs((when - anchor).days) <= months * 366 // 12


@dataclass(frozen=True)
class ScreenContext:
    """What every worker needs, built once per process."""

    as_of: dt.date | None = None

    def kb_version(self) -> str:
        from mgpn.knowledge.care_gaps import load_care_gaps
        from mgpn.knowledge.loader import load_knowledge

        return f"{load_knowledge().meta.version}+{load_care_gaps().version}"


def _row(patient: str, finding: GapFinding, version: str) -> dict[str, Any]:
    return {
        "patient": patient,
        "gap_id": finding.gap_id,
        "gap": finding.label,
        "kind": finding.kind,
        "findings": finding.findings,
        "evidence": finding.evidence,
        "closing_test": finding.closing_test,
        "engine_proposes": finding.engine_proposes,
        "window": finding.window,
        "references": finding.references,
        "verified": finding.verified,
        "kb_version": version,
    }


@cache
def _field_labels() -> dict[str, str]:
    from mgpn.case.catalog import field_catalog

    # The field's description up to its first aside: "heavy-chain isotype of the M-protein".
    return {item.path: (item.description or item.path).split(" (")[0] for item in field_catalog()}


def screen_patient(patient: str, lines: list[SourcedLine], context: ScreenContext) -> PatientResult:
    """Map, assess and screen one patient; problems become issue rows, never exceptions."""
    from mgpn.engine.assess import evaluate_case
    from mgpn.knowledge.care_gaps import load_care_gaps
    from mgpn.knowledge.loader import load_knowledge
    from mgpn.screening.mapping import map_patient

    kb, rules = load_knowledge(), load_care_gaps()
    version = context.kb_version()
    result = PatientResult()
    resources: list[dict[str, Any]] = []
    where: dict[tuple[str, str], SourcedLine] = {}
    for line in lines:
        resource = _parse(line)
        if resource is None:
            result.issues.append(_issue(line, patient, "malformed", "not a JSON object"))
            continue
        resources.append(resource)
        where[(str(resource.get("resourceType")), str(resource.get("id")))] = line
    mapped = map_patient(resources, context.as_of)
    for key, kind, message in mapped.problems:
        origin = where.get(key) or (lines[0] if lines else SourcedLine("", 0, ""))
        result.issues.append(_issue(origin, patient, kind, message))
    if mapped.case is None:
        result.patient = _patient_row(patient, "not assessed (mapping failed)", "none", 0, False, 0)
        return result
    assessment = evaluate_case(mapped.case, kb)
    windowed = None
    windows = [gap.window_months for gap in rules.gaps if gap.window_months]
    if windows:
        codes = frozenset(
            (c.system, c.code)
            for c in [*rules.population.conditions, *rules.population.observations]
            if c.anchor
        )
        anchor = paraprotein_anchor(resources, codes)
        if anchor is not None:
            kept = [r for r in resources if _within(r, anchor, max(windows))]
            windowed = map_patient(kept, context.as_of).case
    findings = open_gaps(
        rules, kb, mapped.case, assessment, windowed=windowed, field_labels=_field_labels()
    )
    result.gaps = [_row(patient, item, version) for item in findings]
    label, status = leading_syndrome(assessment)
    result.patient = _patient_row(
        patient, label, status, len(findings), assessment.in_scope, mapped.not_used
    )
    return result


def _issue(line: SourcedLine, patient: str, kind: str, message: str) -> dict[str, Any]:
    return {
        "file": line.file,
        "line": line.line,
        "patient": patient,
        "kind": kind,
        "message": message,
    }


def _patient_row(
    patient: str, label: str, status: str, gaps: int, in_scope: bool, not_used: int
) -> dict[str, Any]:
    return {
        "patient": patient,
        "leading_syndrome": label,
        "leading_status": status,
        "gaps": gaps,
        "in_scope": in_scope,
        "resources_not_used": not_used,
    }


def screen_group(
    groups: list[tuple[str, list[SourcedLine]]], as_of: dt.date | None
) -> list[PatientResult]:
    """A batch of patients (the unit of work a process or a Spark task gets)."""
    context = ScreenContext(as_of=as_of)
    return [screen_patient(patient, lines, context) for patient, lines in groups]

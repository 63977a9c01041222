"""FHIR R4 resources of one patient -> a case (mgpn-case/1) and a mapping report.

How values are chosen, and why:

* the case date (``as_of``) is given, or the Bundle's ``timestamp``, or the latest date
  of any clinical resource; values dated after it are not current (they may still be
  follow-up visits);
* for each case field the latest value dated on or before the case date is current;
  an undated value is used only when no dated one exists; every value passed over is
  listed in the report with the one that superseded it;
* fields a visit holds (scores, IgM, M-spike, anti-MAG, free light chains) that were
  measured on two or more dates become visits, one per date;
* a Condition confirmed (or with no verification status) sets the fields its code maps
  to; refuted sets yes/no fields to false only where the code map says so;
  entered-in-error, provisional and differential are not used;
* a value the case model refuses (an unknown unit, an implausible number) is taken out,
  and the report carries the model's own message naming the field and the fix.

Absent stays unknown: nothing is filled in for a field no resource speaks about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from mgpn.case.catalog import FieldDescriptor, field_catalog
from mgpn.case.loader import parse_case
from mgpn.case.model import CASE_FORMAT, NEUROTOXIC_DRUGS, Visit
from mgpn.errors import CaseError, FhirError, Issue
from mgpn.interop.fhir.codemap import CodeMap, ObservationCode, load_code_map
from mgpn.interop.fhir.report import FhirImport, MappingReport, UnusedItem, UsedItem
from mgpn.interop.fhir.values import (
    NotUsed,
    code_label,
    codings,
    concept_text,
    effective,
    field_value,
    immunofixation,
    interpretations,
    parse_date,
    period,
    reference_ranges,
)

# Case field -> the key a visit uses for it (Visit holds the function scales and markers).
_VISIT_MARKERS = {
    "paraprotein.igm": "igm",
    "paraprotein.m_spike": "m_spike",
    "antibodies.anti_mag": "anti_mag",
    "paraprotein.flc_kappa": "flc_kappa",
    "paraprotein.flc_lambda": "flc_lambda",
}
VISIT_KEYS: dict[str, str] = {
    **{
        f"function.{name}": name
        for name in Visit.model_fields
        if name not in ("date", "extensions", *_VISIT_MARKERS.values())
    },
    **_VISIT_MARKERS,
}
_USED_STATUSES = {"final", "amended", "corrected", "preliminary", "registered"}
_GENDERS = {"male": "male", "female": "female", "other": "other", "unknown": "unknown"}


@cache  # read-only after: every import looks fields up here (was rebuilt twice per import)
def _fields() -> dict[str, FieldDescriptor]:
    return {item.path: item for item in field_catalog() if "[]" not in item.path}


@dataclass
class _Candidate:
    """One value for one case field, with where it came from."""

    path: str
    value: Any
    when: dt.date | None
    order: int
    resource: str
    code: str
    display: str
    status: str
    raw_when: str | None = None
    interpretation: tuple[str, ...] = ()
    reference_range: tuple[str, ...] = ()
    note: str | None = None

    def used(self, path: str | None = None, note: str | None = None) -> UsedItem:
        return UsedItem(
            resource=self.resource,
            code=self.code,
            display=self.display,
            path=path or self.path,
            value=_shown(self.value),
            code_status=self.status,
            effective=self.raw_when,
            interpretation=self.interpretation,
            reference_range=self.reference_range,
            note=note or self.note,
        )


def _shown(value: Any) -> str:
    if isinstance(value, dict) and "value" in value:
        return f"{value.get('comparator', '')}{value['value']} {value.get('unit', '')}".strip()
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    return str(value).lower() if isinstance(value, bool) else str(value)


@dataclass
class _Reading:
    """Everything gathered from the resources before the case is assembled."""

    codemap: CodeMap
    candidates: list[_Candidate] = field(default_factory=list)
    treatments: list[tuple[dict[str, Any], _Candidate, list[str]]] = field(default_factory=list)
    unused: list[UnusedItem] = field(default_factory=list)
    used_extra: list[UsedItem] = field(default_factory=list)
    birth_date: tuple[dt.date, str, str] | None = None
    dates: list[dt.date] = field(default_factory=list)

    def skip(self, resource: str, code: str | None, reason: str) -> None:
        self.unused.append(UnusedItem(resource, code, reason))


def _ref(resource: dict[str, Any], index: int, full_url: str | None = None) -> str:
    kind = str(resource.get("resourceType") or "Resource")
    if resource.get("id"):
        return f"{kind}/{resource['id']}"
    return full_url or f"{kind}#{index}"


def _observation_entry(
    concept: Any, codemap: CodeMap, fields: dict[str, FieldDescriptor]
) -> tuple[ObservationCode | None, str, str, str]:
    """The code-map entry for an Observation's code: (entry, system|code, display, status)."""
    for system, code, display in codings(concept):
        entry = codemap.observations.get((system, code))
        if entry is not None:
            return entry, f"{system}|{code}", entry.display, entry.status
        if system == codemap.project and code in fields:
            generic = ObservationCode(
                system=system, code=code, path=code, status="verified",
                display=display or fields[code].description or code,
                source="project code system (the case format's own field)",
            )  # fmt: skip
            return generic, f"{system}|{code}", generic.display, "project"
    return None, code_label(concept), concept_text(concept), ""


def _read_observation(
    reading: _Reading,
    element: dict[str, Any],
    ref: str,
    when: tuple[dt.date | None, str | None],
    order: int,
    fields: dict[str, FieldDescriptor],
) -> bool:
    """Candidates from an Observation or one of its components; False if its code is unknown."""
    codemap = reading.codemap
    entry, code, display, status = _observation_entry(element.get("code"), codemap, fields)
    if entry is None:
        return False
    if entry.ignore is not None:
        reading.skip(ref, code, f"{display}: {entry.ignore}")
        return True
    context = {
        "when": when[0],
        "raw_when": when[1],
        "order": order,
        "resource": ref,
        "code": code,
        "display": display,
        "status": status,
        "interpretation": tuple(interpretations(element)),
        "reference_range": tuple(reference_ranges(element)),
    }
    try:
        if entry.read == "immunofixation":
            for path, value in immunofixation(element).items():
                reading.candidates.append(_Candidate(path=path, value=value, **context))  # type: ignore[arg-type]
            return True
        assert entry.path is not None
        value = field_value(element, fields[entry.path], codemap, entry.values)
    except NotUsed as exc:
        reading.skip(ref, code, f"{display}: {exc.reason}")
        return True
    reading.candidates.append(_Candidate(path=entry.path, value=value, **context))  # type: ignore[arg-type]
    return True


def _observation(
    reading: _Reading,
    resource: dict[str, Any],
    ref: str,
    order: int,
    fields: dict[str, FieldDescriptor],
) -> None:
    status = resource.get("status")
    if status is not None and status not in _USED_STATUSES:
        reading.skip(ref, code_label(resource.get("code")), f"status {status!r}: not a result")
        return
    when = effective(resource)
    if when[0] is not None:
        reading.dates.append(when[0])
    known = _read_observation(reading, resource, ref, when, order, fields)
    components = [c for c in resource.get("component") or [] if isinstance(c, dict)]
    known_component = False
    for index, component in enumerate(components):
        if _read_observation(reading, component, f"{ref} component {index}", when, order, fields):
            known_component = True
        elif known:
            reading.skip(
                f"{ref} component {index}",
                code_label(component.get("code")),
                "code not in the mapping",
            )
    if not known and not known_component:
        reading.skip(
            ref,
            code_label(resource.get("code")),
            f"code not in the mapping ({concept_text(resource.get('code')) or 'no text'}); "
            "add it to a site mapping file if it is a case finding",
        )


def _condition(reading: _Reading, resource: dict[str, Any], ref: str, order: int) -> None:
    codemap = reading.codemap
    verification = {code for _, code, _ in codings(resource.get("verificationStatus"))}
    clinical = {code for _, code, _ in codings(resource.get("clinicalStatus"))}
    label = code_label(resource.get("code"))
    if "entered-in-error" in verification:
        reading.skip(ref, label, "verificationStatus entered-in-error: ignored")
        return
    tentative = verification & {"provisional", "differential", "unconfirmed"}
    if tentative:
        reading.skip(
            ref, label, f"verificationStatus {sorted(tentative)[0]}: not confirmed, stays unknown"
        )
        return
    when, raw_when = effective(resource)
    if when is not None:
        reading.dates.append(when)
    for system, code, _display in codings(resource.get("code")):
        entry = codemap.conditions.get((system, code))
        if entry is None:
            continue
        if entry.ignore is not None:
            reading.skip(ref, f"{system}|{code}", f"{entry.display}: {entry.ignore}")
            return
        values = dict(entry.set or {})
        note = f"clinicalStatus {sorted(clinical)[0]}" if clinical else None
        if "refuted" in verification:
            if entry.refuted == "ignore":
                reading.skip(
                    ref,
                    f"{system}|{code}",
                    f"{entry.display} refuted: says nothing about {', '.join(values)}",
                )
                return
            values = {path: False for path, value in values.items() if value is True}
            note = "refuted diagnosis: recorded as absent"
        for path, value in values.items():
            reading.candidates.append(
                _Candidate(path=path, value=value, when=when, raw_when=raw_when, order=order,
                           resource=ref, code=f"{system}|{code}", display=entry.display,
                           status=entry.status, note=note)
            )  # fmt: skip
        return
    reading.skip(
        ref,
        label,
        f"condition not in the mapping ({concept_text(resource.get('code')) or 'no text'})",
    )


_MED_SKIP = {
    "MedicationRequest": {"cancelled", "entered-in-error", "draft", "unknown"},
    "MedicationStatement": {"not-taken", "entered-in-error", "unknown", "intended"},
    "MedicationAdministration": {"not-done", "entered-in-error", "unknown"},
    "Procedure": {"not-done", "entered-in-error", "preparation", "unknown"},
}


def _treatment(
    reading: _Reading,
    resource: dict[str, Any],
    ref: str,
    order: int,
    medications: dict[str, dict[str, Any]],
) -> None:
    codemap = reading.codemap
    kind = str(resource["resourceType"])
    status = resource.get("status")
    concept = (
        resource.get("code") if kind == "Procedure" else resource.get("medicationCodeableConcept")
    )
    if concept is None and isinstance(resource.get("medicationReference"), dict):
        target = str(resource["medicationReference"].get("reference") or "")
        concept = (medications.get(target) or {}).get("code")
    label = code_label(concept)
    if status in _MED_SKIP[kind]:
        reading.skip(ref, label, f"status {status!r}: not given")
        return
    if kind == "MedicationRequest" and resource.get("intent") in ("proposal", "plan"):
        reading.skip(ref, label, f"intent {resource['intent']!r}: proposed, not given")
        return
    regimen, how, code_status = None, "", "project"
    for system, code, _ in codings(concept):
        entry = codemap.medications.get((system, code))
        if entry is not None:
            regimen, how, code_status, label = (
                entry.drug,
                "by code",
                entry.status,
                f"{system}|{code}",
            )
            break
    text = concept_text(concept)
    if regimen is None and text:
        regimen = codemap.regimen_named(text)
        how = "by name"
    if regimen is None and text:
        regimen = codemap.single_drug_named(text)
        how = f"by the one drug named in {text!r}"
    if regimen is None:
        if kind == "Procedure" or not text:
            reading.skip(ref, label, f"not a treatment the case records ({text or 'no text'})")
            return
        regimen, how = text.strip(), "as its text"
    # Only a drug recognised by code or exact name counts as exposure; names inside a
    # combination's text are reported, not guessed (the regimen may be partly given).
    neurotoxic = [regimen] if regimen in NEUROTOXIC_DRUGS else []
    mentioned = [d for d in codemap.neurotoxic_named(text) if d not in neurotoxic]
    if mentioned:
        reading.skip(
            ref,
            label,
            f"the text names {', '.join(mentioned)}: not added to the neurotoxic "
            "drugs (give each drug its own medication resource)",
        )
    start, end = period(resource)
    for when in (start, end):
        if when is not None:
            reading.dates.append(when)
    item: dict[str, Any] = {"regimen": regimen}
    if start:
        item["start"] = start.isoformat()
    if end:
        item["end"] = end.isoformat()
    notes = [
        str(n.get("text"))
        for n in resource.get("note") or []
        if isinstance(n, dict) and n.get("text")
    ]
    if notes:
        item["notes"] = "; ".join(notes)
    candidate = _Candidate(
        path="treatments", value=regimen, when=start, order=order, resource=ref, code=label,
        display=text or regimen, status=code_status, raw_when=start.isoformat() if start else None,
        note=f"matched {how}",
    )  # fmt: skip
    reading.treatments.append((item, candidate, neurotoxic))


def _patient(reading: _Reading, resource: dict[str, Any], ref: str, order: int) -> None:
    gender = resource.get("gender")
    if gender in _GENDERS:
        reading.candidates.append(
            _Candidate(path="patient.sex", value=_GENDERS[gender], when=None, order=order,
                       resource=ref, code="Patient.gender", display="administrative gender",
                       status="verified")
        )  # fmt: skip
    birth = parse_date(resource.get("birthDate"))
    if birth is not None:
        reading.birth_date = (birth, str(resource["birthDate"]), ref)


def _subject(resource: dict[str, Any]) -> str | None:
    for key in ("subject", "patient"):
        value = resource.get(key)
        if isinstance(value, dict) and value.get("reference"):
            return str(value["reference"])
    return None


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    node = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _key(candidate: _Candidate) -> tuple[dt.date, int]:
    return (candidate.when or dt.date.min, candidate.order)


def _assemble(
    reading: _Reading,
    as_of: dt.date,
    case_id: str | None,
    excluded: set[int],
    excluded_treatments: set[int],
) -> tuple[dict[str, Any], dict[str, list[_Candidate]], list[UsedItem], list[UnusedItem]]:
    """The case mapping, where each of its values came from, and what was passed over."""
    data: dict[str, Any] = {"format": CASE_FORMAT, "recorded": as_of.isoformat()}
    if case_id is not None:
        data["id"] = case_id
    origin: dict[str, list[_Candidate]] = {}
    used: list[UsedItem] = list(reading.used_extra)
    unused: list[UnusedItem] = []
    fields = _fields()
    by_path: dict[str, list[_Candidate]] = {}
    for index, candidate in enumerate(reading.candidates):
        if index not in excluded:
            by_path.setdefault(candidate.path, []).append(candidate)
    visit_rows: dict[dt.date, dict[str, _Candidate]] = {}
    repeated = any(
        len({c.when for c in items if c.when is not None}) >= 2
        for path, items in by_path.items()
        if path in VISIT_KEYS
    )
    for path, items in by_path.items():
        items = sorted(items, key=_key)
        current_pool = [c for c in items if c.when is None or c.when <= as_of]
        later = [c for c in items if c.when is not None and c.when > as_of]
        in_visits = repeated and path in VISIT_KEYS
        if fields[path].kind == "list":
            chosen = [c for c in current_pool]
            merged: list[str] = []
            for c in chosen:
                merged.extend(v for v in c.value if v not in merged)
            _set(data, path, merged)
            origin[path] = chosen
            used.extend(c.used() for c in chosen)
        elif current_pool:
            dated = [c for c in current_pool if c.when is not None]
            current = dated[-1] if dated else current_pool[-1]
            _set(data, path, current.value)
            origin[path] = [current]
            used.append(current.used())
            for other in current_pool:
                if other is not current and not (in_visits and other.when is not None):
                    unused.append(UnusedItem(other.resource, other.code,
                                             f"{path}: superseded by {_shown(current.value)} "
                                             f"({current.raw_when or 'undated'}) from {current.resource}"))  # fmt: skip
        if in_visits:
            for c in items:
                if c.when is None:
                    continue
                row = visit_rows.setdefault(c.when, {})
                if path in row:
                    unused.append(UnusedItem(row[path].resource, row[path].code,
                                             f"{path} on {c.when}: superseded by {_shown(c.value)} from {c.resource}"))  # fmt: skip
                row[path] = c
        else:
            for c in later:
                unused.append(UnusedItem(c.resource, c.code,
                                         f"{path}: dated {c.raw_when}, after the case date {as_of}"))  # fmt: skip
    if visit_rows:
        visits = []
        for index, when in enumerate(sorted(visit_rows)):
            visit: dict[str, Any] = {"date": when.isoformat()}
            for path, c in visit_rows[when].items():
                visit[VISIT_KEYS[path]] = c.value
                origin.setdefault(f"visits[{index}].{VISIT_KEYS[path]}", []).append(c)
                used.append(c.used(path=f"visits[{when}].{VISIT_KEYS[path]}"))
            visits.append(visit)
        data["visits"] = visits
    if reading.birth_date is not None and "patient.age" not in by_path:
        birth, raw, ref = reading.birth_date
        if birth <= as_of:
            age = _age(birth, as_of)
            _set(data, "patient.age", float(age))
            note = (
                "birth year or month only: the age may be one year off" if len(raw) < 10 else None
            )
            used.append(UsedItem(ref, "Patient.birthDate", "birth date", "patient.age", str(age),
                                 "verified", raw, note=note))  # fmt: skip
        else:
            unused.append(
                UnusedItem(ref, "Patient.birthDate", f"born {raw}, after the case date {as_of}")
            )
    treatments = sorted(
        (row for row in reading.treatments if row[1].order not in excluded_treatments),
        key=lambda row: (row[0].get("start") or "", row[1].order),
    )
    kept: list[dict[str, Any]] = []
    neurotoxic: list[str] = list(data.get("history", {}).get("neurotoxic_drugs") or [])
    follow_up = any(when > as_of for when in visit_rows)
    for item, c, drugs in treatments:
        if c.when is not None and c.when > as_of and not follow_up:
            unused.append(
                UnusedItem(c.resource, c.code, f"started {c.when}, after the case date {as_of}")
            )
            continue
        origin.setdefault(f"treatments[{len(kept)}]", []).append(c)
        kept.append(item)
        used.append(c.used())
        for drug in drugs:
            if drug not in neurotoxic:
                neurotoxic.append(drug)
                used.append(
                    c.used(
                        path="history.neurotoxic_drugs",
                        note=f"{drug}: a neurotoxic drug in the medication record",
                    )
                )
    if kept:
        data["treatments"] = kept
    if neurotoxic:
        _set(data, "history.neurotoxic_drugs", neurotoxic)
    return data, origin, used, unused


def _default_as_of(reading: _Reading) -> tuple[dt.date, str]:
    today = dt.datetime.now(dt.UTC).date()
    dates = [d for d in reading.dates if d <= today]
    if dates:
        return max(dates), "the latest date in the resources"
    return today, "today (no resource carried a date)"


def resources_to_case(
    resources: Iterable[dict[str, Any]],
    *,
    as_of: dt.date | None = None,
    case_id: str | None = None,
    site_codes: str | None = None,
    source: str = "<FHIR resources>",
    _as_of_source: str | None = None,
) -> FhirImport:
    """The case held by FHIR R4 resources of one patient, and the mapping report.

    ``as_of`` is the case date (default: the latest date in the resources); ``site_codes``
    a site mapping file whose codes are read before the bundled ones. Raises
    :class:`~mgpn.errors.FhirError` when the input is not one patient's resources.
    """
    codemap = load_code_map(site_codes)
    reading = _Reading(codemap)
    fields = _fields()
    items = list(resources)
    patients = [
        (i, r)
        for i, r in enumerate(items)
        if isinstance(r, dict) and r.get("resourceType") == "Patient"
    ]
    if len(patients) > 1:
        raise FhirError(source, [Issue("Patient", f"{len(patients)} Patient resources found",
                                       expected="the resources of one patient",
                                       fix="give one patient's resources (split a population first)")])  # fmt: skip
    patient_refs: set[str] = set()
    if patients:
        _index, patient = patients[0]
        if patient.get("id"):
            patient_refs.add(f"Patient/{patient['id']}")
        full = patient.get("_fullUrl")
        if full:
            patient_refs.add(str(full))
    medications = {
        ref: r
        for r in items
        if isinstance(r, dict) and r.get("resourceType") == "Medication"
        for ref in (f"Medication/{r.get('id')}", str(r.get("_fullUrl") or ""))
    }
    subjects: set[str] = set()
    for order, resource in enumerate(items):
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            raise FhirError(source, [Issue(f"[{order}]", "not a FHIR resource",
                                           expected="a JSON object with resourceType",
                                           found=type(resource).__name__,
                                           fix="give FHIR R4 resources (JSON)")])  # fmt: skip
        ref = _ref(resource, order, resource.get("_fullUrl"))
        kind = resource["resourceType"]
        subject = _subject(resource)
        if subject is not None and kind != "Patient":
            if patient_refs and subject not in patient_refs:
                reading.skip(ref, None, f"about {subject}, not this patient")
                continue
            subjects.add(subject)
        if kind == "Patient":
            _patient(reading, resource, ref, order)
        elif kind == "Observation":
            _observation(reading, resource, ref, order, fields)
        elif kind == "Condition":
            _condition(reading, resource, ref, order)
        elif kind in _MED_SKIP:
            _treatment(reading, resource, ref, order, medications)
        elif kind == "Medication":
            continue  # read through the medication resources that point to it
        elif kind == "DiagnosticReport":
            reading.skip(ref, code_label(resource.get("code")),
                         "a report: its results are read from their own Observations; conclusion text is not read")  # fmt: skip
        else:
            reading.skip(ref, None, f"{kind} is not read")
    if not patient_refs and len(subjects) > 1:
        raise FhirError(source, [Issue("subject", f"resources about {len(subjects)} patients",
                                       expected="one patient", found=", ".join(sorted(subjects)),
                                       fix="give one patient's resources")])  # fmt: skip
    if as_of is None:
        as_of, as_of_source = _default_as_of(reading)
    else:
        as_of_source = _as_of_source or "given"
    return _build(reading, as_of, as_of_source, case_id, source)


def _build(
    reading: _Reading, as_of: dt.date, as_of_source: str, case_id: str | None, source: str
) -> FhirImport:
    """Assemble and validate; values the case model refuses are taken out and reported."""
    excluded: set[int] = set()
    excluded_treatments: set[int] = set()
    refused: list[UnusedItem] = []
    index_of = {id(c): i for i, c in enumerate(reading.candidates)}
    for _attempt in range(20):
        data, origin, used, unused = _assemble(
            reading, as_of, case_id, excluded, excluded_treatments
        )
        try:
            case = parse_case(data, source=source)
        except CaseError as exc:
            culprits: list[tuple[_Candidate, Issue]] = []
            for issue in exc.issues:
                found = [c for key, items in origin.items() if key == issue.path or issue.path.startswith(key + ".")
                         or issue.path.startswith(key + "[") for c in items]  # fmt: skip
                if not found:
                    raise FhirError(source, exc.issues) from None
                culprits.extend((c, issue) for c in found)
            for c, issue in culprits:
                if c.path == "treatments":
                    excluded_treatments.add(c.order)
                else:
                    excluded.add(index_of[id(c)])
                refused.append(
                    UnusedItem(c.resource, c.code, f"refused by the case format: {issue}")
                )
            continue
        report = MappingReport(
            as_of=as_of,
            as_of_source=as_of_source,
            used=used,
            unused=reading.unused + unused + refused,
            code_maps=reading.codemap.sources,
        )
        return FhirImport(case=case, report=report)
    raise FhirError(source, [Issue("", "too many refused values", fix="check the resources")])


def bundle_to_case(
    bundle: dict[str, Any],
    *,
    as_of: dt.date | None = None,
    case_id: str | None = None,
    site_codes: str | None = None,
    source: str = "<Bundle>",
) -> FhirImport:
    """The case held by a FHIR R4 Bundle of one patient (any Bundle type), and the report.

    The case date defaults to the Bundle's ``timestamp`` (when it was assembled), else the
    latest date in it; the case id to the Bundle identifier in the project's case-id system.
    """
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        found = bundle.get("resourceType") if isinstance(bundle, dict) else type(bundle).__name__
        raise FhirError(source, [Issue("resourceType", "not a FHIR Bundle", expected="Bundle",
                                       found=str(found), fix="give a Bundle (or use resources_to_case)")])  # fmt: skip
    resources: list[dict[str, Any]] = []
    for index, entry in enumerate(bundle.get("entry") or []):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            raise FhirError(source, [Issue(f"entry[{index}]", "an entry without a resource",
                                           fix="give each entry a resource")])  # fmt: skip
        if entry.get("fullUrl"):
            resource = {**resource, "_fullUrl": entry["fullUrl"]}
        resources.append(resource)
    as_of_source = None
    if as_of is None and parse_date(bundle.get("timestamp")) is not None:
        as_of, as_of_source = parse_date(bundle.get("timestamp")), "the Bundle's timestamp"
    if case_id is None:
        identifier = bundle.get("identifier")
        codemap = load_code_map(site_codes)
        if (
            isinstance(identifier, dict)
            and identifier.get("system") == codemap.systems["project_case_id"]
        ):
            case_id = str(identifier.get("value"))
    return resources_to_case(
        resources, as_of=as_of, case_id=case_id, site_codes=site_codes, source=source,
        _as_of_source=as_of_source,
    )  # fmt: skip

"""A case (mgpn-case/1) as a FHIR R4 collection Bundle: Patient, Observations, treatments.

The inverse of :func:`mgpn.interop.fhir.bundle_to_case`, for tests (every bundled example
must read back to the same assessment), for demonstrations and for sending a case to a
FHIR server. Each finding is an Observation coded with the project code (the case path)
and, where the code map has one, the standard code (LOINC) as well.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from mgpn.case.catalog import field_catalog
from mgpn.case.loader import dump_case
from mgpn.case.model import Case
from mgpn.interop.fhir.codemap import CodeMap, load_code_map
from mgpn.interop.fhir.mapping import VISIT_KEYS

_NAMESPACE = uuid.UUID("6f1c3e0a-52b5-4b8e-9d2e-8f0e6c3a1d11")
_PROCEDURES = {"plasma_exchange", "asct", "radiation"}


def _uuid(*parts: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, '|'.join(parts))}"


def _ucum(unit: str, codemap: CodeMap) -> str:
    reverse = {value: key for key, value in codemap.unit_aliases.items()}
    return {"BTU": "{BTU}", "mL/min/1.73m2": "mL/min/{1.73_m2}"}.get(unit, reverse.get(unit, unit))


def _value(kind: str, value: Any, codemap: CodeMap, unit: str | None) -> dict[str, Any]:
    if isinstance(value, dict) and "value" in value:
        quantity: dict[str, Any] = {
            "value": value["value"],
            "unit": value["unit"],
            "system": codemap.systems["ucum"],
            "code": _ucum(str(value["unit"]), codemap),
        }
        if value.get("comparator"):
            quantity["comparator"] = value["comparator"]
        return {"valueQuantity": quantity}
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if kind == "integer":
        return {"valueInteger": int(value)}
    if kind == "number":
        number: dict[str, Any] = {"value": value}
        if unit:
            number.update({"unit": unit, "system": codemap.systems["ucum"], "code": unit})
        return {"valueQuantity": number}
    return {
        "valueCodeableConcept": {
            "coding": [{"system": codemap.project_value, "code": str(value)}],
            "text": str(value),
        }
    }


def _flatten(data: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and "value" not in value and key != "extensions":
            out.extend(_flatten(value, f"{path}."))
        elif key != "extensions":
            out.append((path, value))
    return out


def case_to_bundle(case: Case, *, site_codes: str | None = None) -> dict[str, Any]:
    """A collection Bundle holding ``case`` (extensions are not exported: they are not findings)."""
    codemap = load_code_map(site_codes)
    kinds = {item.path: item for item in field_catalog()}
    data = dump_case(case)
    case_key = case.id or "case"
    patient_url = _uuid(case_key, "Patient")
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "id": uuid.uuid5(_NAMESPACE, case_key).hex[:16],
    }
    entries: list[dict[str, Any]] = [{"fullUrl": patient_url, "resource": patient}]
    recorded = case.recorded
    sex = case.patient.sex
    if sex is not None:
        patient["gender"] = sex
    age = case.patient.age
    age_as_birth = age is not None and recorded is not None and float(age).is_integer()
    if age_as_birth and age is not None and recorded is not None:
        try:
            patient["birthDate"] = recorded.replace(year=recorded.year - int(age)).isoformat()
        except ValueError:  # 29 February
            patient["birthDate"] = (
                recorded.replace(day=28, year=recorded.year - int(age))
            ).isoformat()
    seen: set[tuple[str, str, str]] = set()

    def observation(path: str, value: Any, when: dt.date | None) -> None:
        descriptor = kinds[path]
        key = (path, repr(value), when.isoformat() if when else "")
        if key in seen:
            return
        seen.add(key)
        coding = [
            {"system": codemap.project, "code": path, "display": descriptor.description or path}
        ]
        standard = codemap.export_code(path)
        if standard is not None:
            coding.insert(0, {"system": codemap.system_url(standard.system), "code": standard.code,
                              "display": standard.display})  # fmt: skip
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": coding, "text": descriptor.description or path},
            "subject": {"reference": patient_url},
        }
        if when is not None:
            resource["effectiveDateTime"] = when.isoformat()
        resource.update(_value(descriptor.kind, value, codemap, descriptor.unit))
        entries.append({"fullUrl": _uuid(case_key, *key), "resource": resource})

    for path, value in _flatten(
        {
            k: v
            for k, v in data.items()
            if k not in ("format", "id", "recorded", "visits", "treatments")
        }
    ):
        if path == "patient.sex" or (path == "patient.age" and age_as_birth):
            continue
        if isinstance(value, list) and kinds[path].kind == "list":
            if not value:
                observation(path, False, recorded)
            for item in value:
                observation(path, item, recorded)
            continue
        observation(path, value, recorded)
    by_visit_key = {key: path for path, key in VISIT_KEYS.items()}
    for visit in data.get("visits", []):
        when = dt.date.fromisoformat(visit["date"])
        for key, value in visit.items():
            if key in by_visit_key:
                observation(by_visit_key[key], value, when)
    for index, item in enumerate(data.get("treatments", [])):
        regimen = str(item["regimen"])
        span = {k: item[k] for k in ("start", "end") if k in item}
        resource: dict[str, Any]
        if regimen in _PROCEDURES:
            names = codemap.treatment_names.get(regimen) or (regimen,)
            resource = {"resourceType": "Procedure", "status": "completed",
                        "code": {"text": names[0]}, "subject": {"reference": patient_url}}  # fmt: skip
            if span:
                resource["performedPeriod"] = span
        else:
            resource = {"resourceType": "MedicationStatement",
                        "status": "completed" if "end" in item else "active",
                        "medicationCodeableConcept": {"text": regimen},
                        "subject": {"reference": patient_url}}  # fmt: skip
            if span:
                resource["effectivePeriod"] = span
        if item.get("notes"):
            resource["note"] = [{"text": item["notes"]}]
        entries.append({"fullUrl": _uuid(case_key, "treatment", str(index)), "resource": resource})
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    if case.id:
        bundle["identifier"] = {"system": codemap.systems["project_case_id"], "value": case.id}
    if recorded is not None:
        bundle["timestamp"] = f"{recorded.isoformat()}T00:00:00Z"
    return bundle

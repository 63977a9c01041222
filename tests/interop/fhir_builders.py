"""Small builders of FHIR R4 resources for the interop tests (plain dicts, as parsed JSON)."""

from __future__ import annotations

from typing import Any

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
PATIENT = {"resourceType": "Patient", "id": "p1", "gender": "male", "birthDate": "1955-06-01"}


def obs(
    code: str,
    when: str | None = None,
    system: str = LOINC,
    rid: str | None = None,
    **value: Any,
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": system, "code": code}]},
        "subject": {"reference": "Patient/p1"},
    }
    if rid:
        resource["id"] = rid
    if when:
        resource["effectiveDateTime"] = when
    resource.update(value)
    return resource


def qty(number: float, unit: str, comparator: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"value": number, "unit": unit, "system": UCUM, "code": unit}
    if comparator:
        out["comparator"] = comparator
    return out


def condition(
    system: str, code: str, verification: str | None = None, rid: str | None = None
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "code": {"coding": [{"system": system, "code": code}]},
        "subject": {"reference": "Patient/p1"},
        "recordedDate": "2024-01-01",
    }
    if rid:
        resource["id"] = rid
    if verification:
        resource["verificationStatus"] = {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                    "code": verification,
                }
            ]
        }
    return resource

"""An assessment as FHIR R4: a Bundle of GuidanceResponse, RiskAssessment, ServiceRequest, DetectedIssue.

* ``GuidanceResponse`` carries the whole assessment (JSON in a Parameters resource), the
  knowledge-base version as the module's canonical version, and the disclaimer; its
  status is ``data-requested`` when tests are proposed (more data may change the result).
* ``RiskAssessment`` has one prediction per syndrome; the status (established, probable,
  possible, ...) is a *qualitative* risk. The support score is not a probability and is
  never written as ``probabilityDecimal``.
* ``ServiceRequest`` (status ``draft``, intent ``proposal``) for each next test, with a
  LOINC code where the code map has one equivalent code, always with the project test
  code and the test's words.
* ``DetectedIssue`` for each treatment caution and each "don't miss" red flag.

Plain dicts (JSON), built from the assessment only: the renderer re-derives no medicine.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from typing import Any

from mgpn.assessment import Assessment
from mgpn.interop.fhir.codemap import CodeMap, load_code_map

_NAMESPACE = uuid.UUID("0b7f3a52-6d0e-4c8f-a7a1-3e5b9c2d4f60")


def _urn(*parts: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, '|'.join(parts))}"


def _code(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def orderable_code(test_id: str, label: str, codemap: CodeMap) -> dict[str, Any]:
    """The orderable code of a proposed test: LOINC where one is mapped, the project code always."""
    coding = []
    mapped = codemap.tests.get(test_id)
    if mapped is not None:
        coding.append(
            {
                "system": codemap.system_url(mapped.system),
                "code": mapped.code,
                "display": mapped.display,
            }
        )
    coding.append({"system": codemap.systems["project_test"], "code": test_id, "display": label})
    return {"coding": coding, "text": label}


def service_request(
    test_id: str, label: str, reason: str, subject: str, codemap: CodeMap | None = None
) -> dict[str, Any]:
    """A proposed (not ordered) test, as a CDS card suggestion or a Bundle entry creates it."""
    codemap = codemap or load_code_map()
    return {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "proposal",
        "code": orderable_code(test_id, label, codemap),
        "subject": {"reference": subject},
        "reasonCode": [{"text": reason}],
        "note": [
            {
                "text": "Proposed by decision support; it supports, and does not replace, clinical judgment."
            }
        ],
    }


def assessment_bundle(
    assessment: Assessment,
    *,
    subject: str | None = None,
    when: dt.datetime | None = None,
    codemap: CodeMap | None = None,
) -> dict[str, Any]:
    """A collection Bundle holding ``assessment``; ``subject`` is a Patient reference.

    Without ``subject`` a Patient with no identifying data is included so that every
    resource has the subject FHIR requires.
    """
    codemap = codemap or load_code_map()
    a = assessment
    key = a.case_id or "case"
    moment = (when or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    entries: list[dict[str, Any]] = []
    if subject is None:
        subject = _urn(key, "Patient")
        entries.append(
            {
                "fullUrl": subject,
                "resource": {"resourceType": "Patient", "id": uuid.uuid5(_NAMESPACE, key).hex[:16]},
            }
        )
    disclaimer = {"text": a.disclaimer}
    parameters_url = _urn(key, "Parameters")
    payload = json.dumps(a.to_json_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8")
    parameters = {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "assessment", "valueAttachment": {
                "contentType": "application/json", "data": base64.b64encode(payload).decode("ascii"),
                "title": "mgpn-assessment/1"}},
            {"name": "knowledge-version", "valueString": a.knowledge_version},
            {"name": "in-scope", "valueBoolean": a.in_scope},
        ],
    }  # fmt: skip
    tests_with_codes = [t for t in a.tests if t.id in codemap.tests]
    guidance: dict[str, Any] = {
        "resourceType": "GuidanceResponse",
        "identifier": [{"system": codemap.systems["project_case_id"], "value": key}],
        "moduleCanonical": f"{codemap.systems['project_knowledge']}|{a.knowledge_version}",
        "status": "data-requested" if a.tests else "success",
        "subject": {"reference": subject},
        "occurrenceDateTime": moment,
        "outputParameters": {"reference": parameters_url},
        "note": [disclaimer] + ([{"text": a.scope_note}] if a.scope_note else []),
    }
    if tests_with_codes:
        guidance["dataRequirement"] = [
            {"type": "Observation", "codeFilter": [{"path": "code", "code": [orderable_code(t.id, t.label, codemap)["coding"][0]]}]}
            for t in tests_with_codes
        ]  # fmt: skip
    predictions = [
        {
            "outcome": _code(codemap.systems["project_syndrome"], s.id, s.label),
            "qualitativeRisk": _code(codemap.systems["project_status"], s.status, s.status),
            **({"rationale": s.status_reason} if s.status_reason else {}),
        }
        for s in a.syndromes
    ]
    risk: dict[str, Any] = {
        "resourceType": "RiskAssessment",
        "status": "preliminary",
        "subject": {"reference": subject},
        "occurrenceDateTime": moment,
        "method": {"text": f"mgpn knowledge base {a.knowledge_version}: rule-based status per syndrome "
                           "(the support score is a weighting of findings, not a probability)"},
        "note": [disclaimer],
    }  # fmt: skip
    if predictions:
        risk["prediction"] = predictions
    entries += [
        {"fullUrl": _urn(key, "GuidanceResponse"), "resource": guidance},
        {"fullUrl": parameters_url, "resource": parameters},
        {"fullUrl": _urn(key, "RiskAssessment"), "resource": risk},
    ]
    for test in a.tests:
        request = service_request(test.id, test.label, test.reason, subject, codemap)
        entries.append(
            {"fullUrl": _urn(key, "ServiceRequest", test.id, test.label), "resource": request}
        )
    issues = [("treatment-caution", "Treatment caution", text) for text in a.treatment.warnings]
    issues += [("dont-miss", "Do not miss", text) for text in a.red_flags]
    for code, display, text in issues:
        entries.append({
            "fullUrl": _urn(key, "DetectedIssue", code, text),
            "resource": {
                "resourceType": "DetectedIssue",
                "status": "preliminary",
                "code": _code(codemap.systems["project_issue"], code, display),
                "patient": {"reference": subject},
                "identifiedDateTime": moment,
                "detail": text,
            },
        })  # fmt: skip
    return {"resourceType": "Bundle", "type": "collection", "timestamp": moment, "entry": entries}

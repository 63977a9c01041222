"""Assessment -> FHIR R4: every resource validates against fhir.resources' R4B models."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from mgpn.case import load_case
from mgpn.engine import evaluate
from mgpn.interop.fhir.output import assessment_bundle

fhir_r4b = pytest.importorskip("fhir.resources.R4B")

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "mgpn" / "examples"
CASES = [*sorted(p.name for p in EXAMPLES.glob("*.y*ml")), "poems-suspected.json"]


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


@pytest.mark.parametrize("example", CASES)
def test_every_resource_validates_against_r4b(example: str) -> None:
    bundle = assessment_bundle(evaluate(load_case(EXAMPLES / example)))
    for entry in bundle["entry"]:
        resource = entry["resource"]
        fhir_r4b.get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    fhir_r4b.get_fhir_model_class("Bundle").model_validate(bundle)


@pytest.mark.parametrize("example", CASES)
def test_contents_follow_the_assessment(example: str) -> None:
    assessment = evaluate(load_case(EXAMPLES / example))
    bundle = assessment_bundle(assessment, subject="Patient/p1")
    assert _resources(bundle, "Patient") == []  # the caller's patient is referenced, not copied
    (risk,) = _resources(bundle, "RiskAssessment")
    assert [p["outcome"]["coding"][0]["code"] for p in risk["prediction"]] == [
        s.id for s in assessment.syndromes
    ]
    assert [p["qualitativeRisk"]["coding"][0]["code"] for p in risk["prediction"]] == [
        s.status for s in assessment.syndromes
    ]
    assert "probability" not in json.dumps(risk).replace("not a probability", "")
    requests = _resources(bundle, "ServiceRequest")
    assert [r["code"]["coding"][-1]["code"] for r in requests] == [t.id for t in assessment.tests]
    assert all(
        r["intent"] == "proposal" and r["subject"]["reference"] == "Patient/p1" for r in requests
    )
    issues = _resources(bundle, "DetectedIssue")
    assert [i["detail"] for i in issues] == assessment.treatment.warnings + assessment.red_flags
    (guidance,) = _resources(bundle, "GuidanceResponse")
    assert guidance["moduleCanonical"].endswith("|" + assessment.knowledge_version)
    (parameters,) = _resources(bundle, "Parameters")
    data = next(p for p in parameters["parameter"] if p["name"] == "assessment")["valueAttachment"][
        "data"
    ]
    assert json.loads(base64.b64decode(data)) == assessment.to_json_dict()
    assert assessment.disclaimer in json.dumps(guidance)


def test_a_proposed_anti_mag_is_loinc_coded() -> None:
    case = load_case(EXAMPLES / "anti-mag-neuropathy.yaml").model_copy(deep=True)
    case.antibodies.anti_mag = None
    assessment = evaluate(case)
    assert "anti_mag" in [t.id for t in assessment.tests]
    request = next(
        r
        for r in _resources(assessment_bundle(assessment), "ServiceRequest")
        if r["code"]["coding"][-1]["code"] == "anti_mag"
    )
    assert request["code"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "39087-2",
        "display": "Myelin associated glycoprotein IgM Ab",
    }

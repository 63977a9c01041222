"""FHIR R4 -> case: codes, units, dates, visits, conditions, medications, the report."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from mgpn.case import Quantity, load_case
from mgpn.engine import evaluate
from mgpn.errors import FhirError, MappingError
from mgpn.interop.fhir import (
    PROJECT_SYSTEM,
    bundle_to_case,
    case_to_bundle,
    resources_to_case,
)
from mgpn.interop.fhir.codemap import load_code_map, raw_entries
from tests.interop.fhir_builders import LOINC, PATIENT, condition, obs, qty

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "mgpn" / "examples"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
SCT = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def loinc_check_digit_ok(code: str) -> bool:
    """LOINC's mod-10 check: double the odd positions from the right, add all digits."""
    body, check = code.split("-")
    digits = [int(c) for c in reversed(body)]
    odd = int("".join(str(d) for d in reversed(digits[0::2]))) * 2
    even = "".join(str(d) for d in reversed(digits[1::2]))
    total = sum(int(c) for c in even + str(odd))
    return (10 - total % 10) % 10 == int(check)


def test_check_digit_algorithm_rejects_the_known_bad_codes() -> None:
    assert loinc_check_digit_ok("33944-0") and loinc_check_digit_ok("39087-2")
    assert not loinc_check_digit_ok("33944-9")  # a lambda FLC typo seen in public tables
    assert not loinc_check_digit_ok("32730-5")


def test_every_loinc_code_in_the_map_has_a_valid_check_digit() -> None:
    entries = raw_entries()
    loinc = [e.code for e in entries.observations if e.system == "loinc"]
    assert len(loinc) > 20
    assert [code for code in loinc if not loinc_check_digit_ok(code)] == []


def test_every_entry_carries_display_source_and_status() -> None:
    entries = raw_entries()
    for entry in [*entries.observations, *entries.conditions, *entries.medications]:
        assert (
            entry.display
            and entry.source
            and entry.status in ("verified", "secondary", "unverified")
        )


def _one(resources: list[dict], **kw: object):
    return resources_to_case([PATIENT, *resources], **kw)  # type: ignore[arg-type]


def test_units_go_through_the_case_conversions() -> None:
    result = _one(
        [
            obs("2472-9", "2024-05-01", valueQuantity=qty(2.5, "g/L")),
            obs("39087-2", "2024-05-01", valueQuantity=qty(70000, "{BTU}", ">")),
        ]
    )
    assert result.case.paraprotein.igm == Quantity(value=250.0, unit="mg/dL")
    assert result.case.antibodies.anti_mag == Quantity(value=70000, unit="BTU", comparator=">")


def test_a_refused_unit_is_reported_with_the_field_and_the_rest_is_kept() -> None:
    result = _one(
        [
            obs("2472-9", "2024-05-01", rid="igm", valueQuantity=qty(2.5, "mmol/L")),
            obs("3016-3", "2024-05-01", valueQuantity=qty(1.9, "mIU/L")),
        ]
    )
    assert result.case.paraprotein.igm is None
    assert result.case.history.tsh == Quantity(value=1.9, unit="mIU/L")
    reasons = [u.reason for u in result.report.unused if u.resource == "Observation/igm"]
    assert reasons and "paraprotein.igm" in reasons[0] and "mmol/L" in reasons[0]


def test_a_bare_number_is_not_guessed_into_a_unit() -> None:
    result = _one([obs("2472-9", "2024-05-01", rid="x", valueQuantity={"value": 250})])
    assert result.case.paraprotein.igm is None
    assert any("no unit" in u.reason for u in result.report.unused if u.resource == "Observation/x")


def test_interpretation_reference_range_and_effective_are_kept() -> None:
    result = _one(
        [
            obs(
                "3016-3",
                "2024-05-01T08:30:00Z",
                valueQuantity=qty(9.5, "mIU/L"),
                interpretation=[{"coding": [{"code": "H"}]}],
                referenceRange=[{"low": {"value": 0.4}, "high": {"value": 4.0, "unit": "mIU/L"}}],
            )
        ]
    )
    item = next(u for u in result.report.used if u.path == "history.tsh")
    assert item.effective == "2024-05-01T08:30:00Z"
    assert item.interpretation == ("H",)
    assert item.reference_range == (">= 0.4, <= 4.0 mIU/L",)
    assert item.code == f"{LOINC}|3016-3" and item.code_status == "verified"


def test_the_value_current_at_the_case_date_is_used() -> None:
    values = [("2023-01-01", 6.1), ("2024-01-01", 7.4), ("2025-01-01", 8.0)]
    resources = [
        obs("4548-4", when, rid=f"a{i}", valueQuantity=qty(v, "%"))
        for i, (when, v) in enumerate(values)
    ]
    result = _one(resources, as_of=dt.date(2024, 6, 1))
    assert result.case.history.hba1c == Quantity(value=7.4, unit="%")
    assert result.case.recorded == dt.date(2024, 6, 1)
    reasons = {u.resource: u.reason for u in result.report.unused}
    assert (
        "superseded" in reasons["Observation/a0"]
        and "after the case date" in reasons["Observation/a2"]
    )
    latest = _one(resources)  # default: the latest date in the resources
    assert latest.case.history.hba1c == Quantity(value=8.0, unit="%")


def test_repeated_scores_become_visits_and_project_codes_carry_incat() -> None:
    resources = [
        obs("function.mrs", "2023-01-10", system=PROJECT_SYSTEM, valueInteger=1),
        obs("function.mrs", "2024-01-10", system=PROJECT_SYSTEM, valueInteger=2),
        obs("function.incat_leg", "2024-01-10", system=PROJECT_SYSTEM, valueInteger=2),
        obs("2472-9", "2023-01-10", valueQuantity=qty(1300, "mg/dL")),
    ]
    case = _one(resources).case
    assert [v.date for v in case.visits] == [dt.date(2023, 1, 10), dt.date(2024, 1, 10)]
    assert [v.mrs for v in case.visits] == [1, 2]
    assert case.visits[0].igm == Quantity(value=1300, unit="mg/dL")
    assert case.function.mrs == 2 and case.function.incat_leg == 2


def test_a_single_score_is_the_current_value_not_a_visit() -> None:
    case = _one([obs("function.mrs", "2024-01-10", system=PROJECT_SYSTEM, valueInteger=3)]).case
    assert case.function.mrs == 3 and case.visits == []


def test_absent_stays_unknown() -> None:
    case = _one([obs("3016-3", "2024-05-01", valueQuantity=qty(1.9, "mIU/L"))]).case
    assert case.antibodies.anti_mag is None and case.history.diabetes is None
    assert case.neuropathy.present is None and case.history.neurotoxic_drugs is None
    assert case.patient.sex == "male" and case.patient.age == 68.0


def test_results_from_value_or_interpretation() -> None:
    case = _one(
        [
            obs("5117-7", "2024-05-01", valueCodeableConcept={"text": "Positive"}),
            obs("56888-1", "2024-05-01", interpretation=[{"coding": [{"code": "NEG"}]}]),
            obs("51703-7", "2024-05-01", rid="gm1", valueQuantity=qty(40, "[IU]")),
        ]
    ).case
    assert case.antibodies.cryoglobulins == "positive_untyped"
    assert case.history.hiv == "negative"
    assert case.antibodies.gangliosides.GM1 is None  # a titre without the laboratory's call


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IgM kappa monoclonal protein", {"isotype": "IgM", "light_chain": "kappa"}),
        ("IgG-lambda and IgM-kappa", {"isotype": "biclonal", "light_chain": "both"}),
        ("Free lambda light chain only", {"isotype": "light_chain_only", "light_chain": "lambda"}),
        ("No monoclonal protein detected", {"isotype": "none"}),
    ],
)
def test_immunofixation_words(text: str, expected: dict[str, str]) -> None:
    case = _one([obs("25700-6", "2024-05-01", valueString=text)]).case
    for key, value in expected.items():
        assert getattr(case.paraprotein, key) == value


def test_conditions_confirmed_refuted_and_in_error() -> None:
    case = _one([condition(SCT, "44054006", "refuted"), condition(ICD, "C88.0")]).case
    assert case.history.diabetes is False  # refuted type 2 diabetes: assessed, absent
    assert case.paraprotein.clone == "WM"
    result = _one(
        [
            condition(ICD, "D47.2", "entered-in-error", rid="c1"),
            condition(ICD, "D47.2", "refuted", rid="c2"),
            condition(ICD, "E11.42", "provisional", rid="c3"),
        ]
    )
    assert result.case.paraprotein.clone is None and result.case.history.diabetes is None
    reasons = {u.resource: u.reason for u in result.report.unused}
    assert "entered-in-error" in reasons["Condition/c1"]
    assert "refuted" in reasons["Condition/c2"]
    assert "not confirmed" in reasons["Condition/c3"]


def test_medications_become_treatments_and_neurotoxic_exposure() -> None:
    result = _one(
        [
            {
                "resourceType": "MedicationStatement",
                "id": "m1",
                "status": "active",
                "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": "358258"}]},
                "effectivePeriod": {"start": "2024-02-01"},
                "subject": {"reference": "Patient/p1"},
            },
            {
                "resourceType": "MedicationStatement",
                "id": "m2",
                "status": "not-taken",
                "medicationCodeableConcept": {"text": "thalidomide"},
                "subject": {"reference": "Patient/p1"},
            },
            {
                "resourceType": "Procedure",
                "id": "pr",
                "status": "completed",
                "code": {"text": "Plasmapheresis"},
                "performedDateTime": "2024-03-01",
                "subject": {"reference": "Patient/p1"},
            },
        ],
        as_of=dt.date(2024, 6, 1),
    )
    case = result.case
    assert [t.regimen for t in case.treatments] == ["bortezomib", "plasma_exchange"]
    assert case.history.neurotoxic_drugs == ["bortezomib"]
    assert "unverified" in " ".join(result.report.unverified_codes())
    assert any(
        u.resource == "MedicationStatement/m2" and "not-taken" in u.reason
        for u in result.report.unused
    )


def test_every_resource_is_accounted_for() -> None:
    resources = [
        PATIENT,
        obs("3016-3", "2024-05-01", rid="t", valueQuantity=qty(1.9, "mIU/L")),
        obs("99999-9", "2024-05-01", rid="unknown", valueString="x"),
        {"resourceType": "Encounter", "id": "e1", "subject": {"reference": "Patient/p1"}},
        obs(
            "3016-3",
            "2024-05-01",
            rid="other",
            valueQuantity=qty(1, "mIU/L"),
            subject={"reference": "Patient/p2"},
        ),
    ]
    result = resources_to_case(resources)
    seen = {u.resource for u in result.report.used} | {u.resource for u in result.report.unused}
    assert {"Observation/t", "Observation/unknown", "Encounter/e1", "Observation/other"} <= seen
    reasons = {u.resource: u.reason for u in result.report.unused}
    assert "not in the mapping" in reasons["Observation/unknown"]
    assert "not this patient" in reasons["Observation/other"]


def test_two_patients_are_refused() -> None:
    with pytest.raises(FhirError, match="2 Patient"):
        resources_to_case([PATIENT, {**PATIENT, "id": "p2"}])


def test_not_a_bundle_is_refused() -> None:
    with pytest.raises(FhirError, match="not a FHIR Bundle"):
        bundle_to_case({"resourceType": "Patient"})


def test_site_mapping_file_adds_local_codes(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(
        "observations:\n"
        "  - {system: 'http://lab.example/codes', code: MAGX, path: antibodies.anti_mag,\n"
        "     status: verified, display: 'anti-MAG (local)', source: 'our laboratory catalogue'}\n",
        encoding="utf-8",
    )
    result = _one(
        [
            obs(
                "MAGX",
                "2024-05-01",
                system="http://lab.example/codes",
                valueQuantity=qty(12000, "{BTU}"),
            )
        ],
        site_codes=str(site),
    )
    assert result.case.antibodies.anti_mag == Quantity(value=12000, unit="BTU")


def test_a_site_file_with_a_wrong_path_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(
        "observations:\n  - {system: x, code: y, path: labs.plateletz, status: verified, display: d, source: s}\n",
        encoding="utf-8",
    )
    with pytest.raises(MappingError, match=r"labs\.plateletz"):
        load_code_map(site)


@pytest.mark.parametrize(
    "example", [*sorted(p.name for p in EXAMPLES.glob("*.y*ml")), "poems-suspected.json"]
)
def test_round_trip_bundle_of_each_example_evaluates_the_same(example: str) -> None:
    case = load_case(EXAMPLES / example)
    bundle = json.loads(json.dumps(case_to_bundle(case)))
    back = bundle_to_case(bundle)
    assert evaluate(back.case).to_json_dict() == evaluate(case).to_json_dict()
    assert back.case.id == case.id and back.case.recorded == case.recorded


@pytest.mark.shared
def test_round_trip_of_the_public_vignettes(shared_dir: Path) -> None:
    checked = 0
    for path in sorted((shared_dir / "cases").glob("*.yaml")):
        if path.name == "expectations.yaml":
            continue
        case = load_case(path)
        back = bundle_to_case(json.loads(json.dumps(case_to_bundle(case))), as_of=case.recorded)
        assert evaluate(back.case).to_json_dict() == evaluate(case).to_json_dict(), path.name
        checked += 1
    assert checked > 10


def test_the_project_system_constants_match_the_code_map() -> None:
    from mgpn.interop.fhir import PROJECT_VALUE_SYSTEM

    assert load_code_map().project == PROJECT_SYSTEM
    assert load_code_map().project_value == PROJECT_VALUE_SYSTEM


@pytest.mark.parametrize(
    ("text", "regimen", "neurotoxic"),
    [
        ("Bortezomib 3.5 MG Injection", "bortezomib", ["bortezomib"]),
        ("Rituximab 10 MG/ML Injectable Solution", "rituximab", None),
        ("rituximab/hyaluronidase", "rituximab/hyaluronidase", None),
        ("Dexamethasone and vincristine", "Dexamethasone and vincristine", None),
        ("bortezomib-lenalidomide-dexamethasone", "bortezomib-lenalidomide-dexamethasone", None),
        ("Thalidomide 50 MG Oral Capsule", "thalidomide", ["thalidomide"]),
    ],
)
def test_a_single_drug_product_is_recognised_a_combination_is_not(
    text: str, regimen: str, neurotoxic: list[str] | None
) -> None:
    result = _one([{"resourceType": "MedicationRequest", "id": "m", "status": "active", "intent": "order",
                    "medicationCodeableConcept": {"text": text}, "authoredOn": "2024-01-01",
                    "subject": {"reference": "Patient/p1"}}], as_of=dt.date(2024, 6, 1))  # fmt: skip
    assert [t.regimen for t in result.case.treatments] == [regimen]
    assert result.case.history.neurotoxic_drugs == neurotoxic

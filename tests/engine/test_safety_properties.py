"""Safety rules of the assessment, checked as properties over every case we have.

Cases: the public vignettes (when ../shared is present), the bundled examples, and
generated cases (Hypothesis, from the case catalogue). Each property is a rule from issue 14
that no assessment may break, whatever the knowledge base says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from mgpn.assessment import Assessment
from mgpn.case import load_case, parse_case
from mgpn.engine import evaluate
from mgpn.knowledge import load_knowledge
from mgpn.knowledge.lookup import lookup
from tests.strategies import case_documents

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "src" / "mgpn" / "examples"
PUBLIC = ROOT / ".." / "shared" / "cases"
LYMPHOMA_OR_WM = {"WM", "smoldering_WM", "other_lymphoma", "CLL", "marginal_zone"}
MALIGNANT = LYMPHOMA_OR_WM | {"myeloma", "smoldering_myeloma", "plasmacytoma"}
LEADING = ("established", "probable")


def _files() -> list[Path]:
    files = [f for f in sorted(EXAMPLES.glob("*.yaml")) if not f.name.startswith("cohort-")]
    files += [f for f in sorted(EXAMPLES.glob("*.json")) if not f.name.startswith("cohort-")]
    if PUBLIC.is_dir():
        files += [f for f in sorted(PUBLIC.glob("*.yaml")) if f.name != "expectations.yaml"]
    return files


def check_safety(a: Assessment, case: Any) -> None:
    kb = load_knowledge()
    if not a.in_scope and a.scope_note and "neuropathy.present" in a.scope_note:
        return
    status = {s.id: s.status for s in a.syndromes}
    dont_miss = {s.id for s in kb.syndromes if s.dont_miss}
    tests = [t.id for t in a.tests]
    treatment = a.treatment

    # 1. A don't-miss syndrome still open blocks "treat the other cause".
    if any(status[i] in ("possible", "probable") for i in dont_miss):
        assert treatment.indication != "treat_other_cause"

    # 2. "treat" only with an established or probable syndrome; options otherwise "if confirmed".
    if treatment.indication == "treat":
        assert any(s.status in LEADING for s in a.syndromes if s.id != "coincidental")
    for option in treatment.options:
        assert option.if_confirmed == (status[option.syndrome] not in LEADING)

    # 3. Immunotherapy-first syndromes are never told "treat the paraprotein".
    leader = a.syndromes[0]
    if treatment.indication == "treat" and leader.id in ("mmn", "cidp_mgus"):
        reason = " ".join(treatment.reasons).lower()
        assert (
            "treatment of the clone" not in reason
            and "paraprotein-directed therapy is rec" not in reason
        )

    # 4. MRI of the neuraxis before any lumbar puncture when a lymphoma or WM is known.
    clone = case.get("paraprotein.clone")
    if "lumbar_puncture" in tests and clone in LYMPHOMA_OR_WM:
        done = case.get("imaging.mri_neuraxis") is not None
        assert done or (
            "mri_neuraxis" in tests and tests.index("mri_neuraxis") < tests.index("lumbar_puncture")
        )

    # 5. Nothing already answered is proposed again.
    answered = {
        "vegf": case.get("labs.vegf_serum") is not None or case.get("labs.vegf_plasma") is not None,
        "anti_mag": case.get("antibodies.anti_mag") is not None,
        "echocardiogram": case.get("imaging.lv_wall_thickness") is not None
        or case.get("systemic.cardiac_involvement") is True,
        "hematology_referral": clone in MALIGNANT,
        "fat_pad_biopsy": case.get("pathology.fat_pad") is not None,
        "bone_imaging": case.get("systemic.sclerotic_bone_lesions") is not None,
        "ncs_emg": case.get("electrodiagnosis.pattern") is not None,
        "mri_neuraxis": case.get("imaging.mri_neuraxis") is not None,
    }
    for test_id, done in answered.items():
        if done:
            assert test_id not in tests, test_id

    # 6. The amyloid screen for every paraprotein with a neuropathy, until done.
    isotype = case.get("paraprotein.isotype")
    if isotype not in (None, "none") and status["al_amyloidosis"] != "excluded":
        if case.get("paraprotein.flc_kappa") is None or case.get("paraprotein.flc_lambda") is None:
            assert "serum_flc" in tests
        if (
            case.get("labs.urine_protein_24h") is None
            and case.get("systemic.renal_involvement") is not True
        ):
            assert "urine_protein" in tests
        heart_known = (
            case.get("labs.nt_probnp") is not None or case.get("labs.troponin_t") is not None
        )
        if not heart_known and case.get("systemic.cardiac_involvement") is not True:
            assert "cardiac_biomarkers" in tests

    # 7. Every line names the rule behind it, and that rule can be looked up.
    for s in a.syndromes:
        assert len(s.for_evidence) == len(s.for_) and len(s.against_evidence) == len(s.against)
        assert len(s.missing_evidence) == len(s.missing)
        for item in [*s.for_evidence, *s.against_evidence, *s.missing_evidence]:
            assert lookup(kb, item.criterion) is not None, item.criterion
        assert s.status_evidence is not None and lookup(kb, s.status_evidence.criterion) is not None
    for t in a.tests:
        assert t.rule is not None and lookup(kb, t.rule) is not None
    for option in treatment.options:
        assert option.rule is not None and lookup(kb, option.rule) is not None
    assert len(treatment.reason_evidence) == len(treatment.reasons)
    assert len(a.link.reason_evidence) == len(a.link.reasons)

    # 8. Undetermined always says what is missing (or why).
    for s in a.syndromes:
        if s.status == "undetermined":
            assert s.missing or s.status_reason


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.stem)
def test_safety_rules_hold_for_every_known_case(path: Path) -> None:
    case = load_case(path)
    check_safety(evaluate(case), case)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=case_documents())
def test_safety_rules_hold_for_generated_cases(document: dict[str, Any]) -> None:
    case = parse_case(document, source="generated")
    check_safety(evaluate(case), case)


def test_neurotoxic_regimen_acronyms_are_recognised() -> None:
    from tests.engine.helpers import make_case

    for regimen in ("R-CHOP", "VRd", "dara-VCd", "CyBorD"):
        case = make_case(treatments=[{"regimen": regimen, "start": "2025-01-01"}])
        assert evaluate(case).mimic("neurotoxic_drugs").status == "present", regimen

"""The bundled vignettes of atypical presentations (src/mgpn/examples), one per syndrome.

Each expectation is derived from the published criteria as the knowledge base writes them
(see the vignette's header), not from what the engine happened to print.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mgpn.assessment import Assessment
from mgpn.case import load_case
from mgpn.engine import evaluate

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "mgpn" / "examples"


def _assess(name: str) -> Assessment:
    return evaluate(load_case(EXAMPLES / f"{name}.yaml"))


def test_kappa_poems_is_established_by_the_2019_rule() -> None:
    a = _assess("kappa-poems")
    poems = a.syndrome("poems")
    assert a.syndromes[0].id == "poems" and poems.status == "established"
    assert "poems.kappa" in {e.criterion for e in poems.against_evidence}  # atypical, shown
    assert a.syndrome("cidp_mgus").status in ("unlikely", "excluded")
    assert a.treatment.indication == "treat"


def test_anti_mag_without_detectable_m_protein_stays_probable() -> None:
    a = _assess("anti-mag-without-m-protein")
    assert a.syndromes[0].id == "anti_mag"
    assert a.syndrome("anti_mag").status == "probable"
    assert {"immunofixation", "serum_flc"} <= {t.id for t in a.tests}
    # No paraprotein to target: the reason must not recommend clone-directed treatment.
    assert a.treatment.indication == "treat"
    assert "without a detectable paraprotein" in a.treatment.reasons[0]


def test_mmn_with_igm_and_anti_gm1_is_probable_and_treated_with_immunotherapy() -> None:
    a = _assess("mmn-igm-anti-gm1")
    mmn = a.syndrome("mmn")
    assert a.syndromes[0].id == "mmn" and mmn.status == "probable"
    assert a.treatment.indication == "treat"
    assert "immunotherapy" in a.treatment.reasons[0]
    assert any("IVIG" in o.regimen for o in a.treatment.options)
    assert any("Corticosteroids are not recommended" in w for w in a.treatment.warnings)


def test_neurolymphomatosis_proven_by_biopsy_is_established() -> None:
    a = _assess("neurolymphomatosis-biopsy")
    assert a.syndromes[0].id == "neurolymphomatosis"
    assert a.syndrome("neurolymphomatosis").status == "established"
    assert a.mimic("neurotoxic_drugs").status == "present"  # R-CHOP contains vincristine
    assert a.syndrome("coincidental").status not in ("probable", "established")
    assert a.treatment.indication == "treat"
    assert "hematology_referral" not in {t.id for t in a.tests}


def test_bing_neel_with_mri_and_csf_is_established() -> None:
    a = _assess("bing-neel-mri-csf")
    assert a.syndromes[0].id == "bing_neel" and a.syndromes[0].status == "established"
    assert "lumbar_puncture" not in {t.id for t in a.tests}
    assert a.treatment.indication == "treat"


def test_cidp_with_igg_lambda_and_poems_set_aside_is_established() -> None:
    a = _assess("cidp-igg-lambda-poems-excluded")
    assert a.syndrome("poems").status in ("unlikely", "excluded")
    assert a.syndromes[0].id == "cidp_mgus" and a.syndromes[0].status == "established"
    assert not {"vegf", "bone_imaging"} & {t.id for t in a.tests}
    assert a.treatment.indication == "treat"
    assert any("IVIG" in o.regimen for o in a.treatment.options)


def test_coincidental_with_a_proven_other_cause() -> None:
    a = _assess("coincidental-alcohol")
    assert a.syndromes[0].id == "coincidental" and a.syndromes[0].status == "probable"
    assert a.link.status in ("unlikely", "uncertain")
    assert a.treatment.indication == "treat_other_cause"


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"course": "acute", "onset_months": 0.5}, "unlikely"),
        ({"course": "subacute", "onset_months": 1.5}, "possible"),
        ({"course": "relapsing", "onset_months": 14}, "established"),
    ],
)
def test_cidp_time_course(changes: dict[str, object], status: str) -> None:
    from tests.engine.helpers import make_case

    case = make_case(
        paraprotein={"isotype": "IgG", "light_chain": "kappa", "clone": "MGUS"},
        neuropathy={
            "weakness": "proximal_and_distal",
            "sensory_loss": True,
            "symmetry": "symmetric",
            "reflexes": "absent",
            **changes,
        },
        electrodiagnosis={"performed": True, "pattern": "demyelinating", "conduction_block": True},
        systemic={"sclerotic_bone_lesions": False},
        labs={"vegf_plasma": "50 pg/mL"},
    )
    assert evaluate(case).syndrome("cidp_mgus").status == status

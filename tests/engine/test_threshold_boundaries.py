"""Boundary pairs for every named threshold: just under and at/over, on the real knowledge base.

Each row names the threshold, the criterion that uses it, the case section and field, and the
two values; the criterion must be False on one side and True on the other.
"""

from __future__ import annotations

from typing import Any

import pytest

from mgpn.knowledge import load_knowledge
from tests.engine.helpers import criterion_truth, make_case

# threshold, owner, criterion, section, field, value giving False, value giving True, extra sections
PAIRS: list[tuple[str, str, str, str, str, Any, Any, dict[str, Any]]] = [
    (
        "anti_mag_high_btu",
        "anti_mag",
        "titre_high",
        "antibodies",
        "anti_mag",
        "69999 BTU",
        "70000 BTU",
        {},
    ),
    (
        "anti_mag_high_btu",
        "anti_mag",
        "titre_high",
        "antibodies",
        "anti_mag",
        "<70000 BTU",
        ">70000 BTU",
        {},
    ),
    (
        "anti_mag_medium_btu",
        "anti_mag",
        "titre_medium",
        "antibodies",
        "anti_mag",
        "9999 BTU",
        "10000 BTU",
        {},
    ),
    (
        "anti_mag_lab_positive_btu",
        "anti_mag",
        "titre_positive",
        "antibodies",
        "anti_mag",
        "1499 BTU",
        "1500 BTU",
        {},
    ),
    (
        "anti_mag_lab_negative_below_btu",
        "anti_mag",
        "titre_negative",
        "antibodies",
        "anti_mag",
        "1000 BTU",
        "999 BTU",
        {},
    ),
    (
        "tli_mag_below",
        "anti_mag",
        "distal_latency",
        "electrodiagnosis",
        "terminal_latency_index",
        0.26,
        0.25,
        {"electrodiagnosis": {"disproportionate_distal_latency": False}},
    ),
    (
        "tli_cmt1_at_least",
        "hereditary",
        "tli_cmt1",
        "electrodiagnosis",
        "terminal_latency_index",
        0.31,
        0.32,
        {},
    ),
    ("hba1c_diabetes_percent", "diabetes", "hba1c_diabetic", "history", "hba1c", 6.4, 6.5, {}),
    (
        "hba1c_prediabetes_percent",
        "diabetes",
        "hba1c_prediabetic",
        "history",
        "hba1c",
        5.6,
        5.7,
        {},
    ),
    (
        "b12_deficient_below_pg_ml",
        "b12_deficiency",
        "b12_low",
        "history",
        "b12",
        "180 pg/mL",
        "179 pg/mL",
        {},
    ),
    (
        "b12_replete_at_least_pg_ml",
        "b12_deficiency",
        "b12_replete",
        "history",
        "b12",
        "349 pg/mL",
        "350 pg/mL",
        {},
    ),
    (
        "mma_elevated_above_nmol_l",
        "b12_deficiency",
        "mma_high",
        "history",
        "methylmalonic_acid",
        "271 nmol/L",
        "272 nmol/L",
        {},
    ),
    (
        "al_ntprobnp_heart_ng_l",
        "al_amyloidosis",
        "heart",
        "labs",
        "nt_probnp",
        "332 ng/L",
        "333 ng/L",
        {"imaging": {"lv_wall_thickness": "10 mm"}, "systemic": {"cardiac_involvement": False}},
    ),
    (
        "al_lv_wall_mm",
        "al_amyloidosis",
        "heart",
        "imaging",
        "lv_wall_thickness",
        "12 mm",
        "13 mm",
        {"labs": {"nt_probnp": "100 ng/L"}, "systemic": {"cardiac_involvement": False}},
    ),
    (
        "al_urine_protein_g_24h",
        "al_amyloidosis",
        "kidney",
        "labs",
        "urine_protein_24h",
        "0.5 g/24h",
        "0.6 g/24h",
        {"systemic": {"renal_involvement": False}, "labs": {"egfr": "90 mL/min/1.73m2"}},
    ),
    (
        "egfr_reduced_ml_min",
        "al_amyloidosis",
        "kidney",
        "labs",
        "egfr",
        "60 mL/min/1.73m2",
        "59 mL/min/1.73m2",
        {"systemic": {"renal_involvement": False}, "labs": {"urine_protein_24h": "0.1 g/24h"}},
    ),
    (
        "hb_polycythaemia_male_g_dl",
        "poems",
        "polycythaemia",
        "labs",
        "hemoglobin",
        "16.5 g/dL",
        "16.6 g/dL",
        {"patient": {"sex": "male"}, "labs": {"hematocrit": "40 %"}},
    ),
    (
        "hb_polycythaemia_female_g_dl",
        "poems",
        "polycythaemia",
        "labs",
        "hemoglobin",
        "16.0 g/dL",
        "16.1 g/dL",
        {"patient": {"sex": "female"}, "labs": {"hematocrit": "40 %"}},
    ),
    (
        "hct_polycythaemia_male_percent",
        "poems",
        "polycythaemia",
        "labs",
        "hematocrit",
        "49 %",
        "49.5 %",
        {"patient": {"sex": "male"}, "labs": {"hemoglobin": "14 g/dL"}},
    ),
    (
        "hct_polycythaemia_female_percent",
        "poems",
        "polycythaemia",
        "labs",
        "hematocrit",
        "48 %",
        "48.5 %",
        {"patient": {"sex": "female"}, "labs": {"hemoglobin": "14 g/dL"}},
    ),
    (
        "cidp_min_duration_months",
        "cidp_mgus",
        "chronic_course",
        "neuropathy",
        "onset_months",
        1.9,
        2,
        {"neuropathy": {"course": "chronic_progressive"}},
    ),
    ("al_alp_x_uln", "al_amyloidosis", "liver", "labs", "alkaline_phosphatase_x_uln", 1.5, 1.6, {}),
    (
        "vegf_serum_poems_pg_ml",
        "poems",
        "vegf_high",
        "labs",
        "vegf_serum",
        "1920 pg/mL",
        "1921 pg/mL",
        {"labs": {"vegf_plasma": "100 pg/mL"}},
    ),
    (
        "vegf_plasma_poems_pg_ml",
        "poems",
        "vegf_high",
        "labs",
        "vegf_plasma",
        "200 pg/mL",
        "201 pg/mL",
        {"labs": {"vegf_serum": "500 pg/mL"}},
    ),
    (
        "platelets_thrombocytosis",
        "poems",
        "thrombocytosis",
        "labs",
        "platelets",
        "449 10*9/L",
        "450 10*9/L",
        {},
    ),
    (
        "mmn_min_duration_months",
        "mmn",
        "duration_over_1_month",
        "neuropathy",
        "onset_months",
        1,
        2,
        {"neuropathy": {"course": "chronic_progressive"}},
    ),
    (
        "notermans_slow_onset_months",
        "link",
        "notermans_probable",
        "neuropathy",
        "onset_months",
        24,
        25,
        {
            "neuropathy": {
                "course": "chronic_progressive",
                "symmetry": "symmetric",
                "distribution": "length_dependent",
                "sensory_loss": False,
            }
        },
    ),
    (
        "notermans_fast_onset_months",
        "link",
        "notermans_unlikely",
        "neuropathy",
        "onset_months",
        13,
        12,
        {
            "neuropathy": {
                "course": "subacute",
                "symmetry": "asymmetric",
                "other_cranial_nerves": True,
                "sensory_loss": True,
            }
        },
    ),
]


@pytest.mark.parametrize(
    ("threshold", "owner", "criterion", "section", "field", "false_value", "true_value", "extra"),
    PAIRS,
    ids=[f"{row[0]}:{row[5]}|{row[6]}" for row in PAIRS],
)
def test_boundary_pair(
    threshold: str,
    owner: str,
    criterion: str,
    section: str,
    field: str,
    false_value: Any,
    true_value: Any,
    extra: dict[str, Any],
) -> None:
    assert threshold in load_knowledge().thresholds

    def case_with(value: Any) -> Any:
        sections = {name: dict(content) for name, content in extra.items()}
        sections.setdefault(section, {})[field] = value
        return make_case(**sections)

    assert criterion_truth(owner, criterion, case_with(false_value)) is False
    assert criterion_truth(owner, criterion, case_with(true_value)) is True


def test_every_threshold_has_a_boundary_pair() -> None:
    covered = {row[0] for row in PAIRS} | {
        "igm_plasmapheresis_mg_dl",
        "mrs_treat_at_least",
        "mrs_consider",
        "mayo2012_dflc_mg_l",
        "mayo2012_troponin_t_ng_l",
        "mayo2012_ntprobnp_ng_l",
    }  # the last six are tested end to end in test_clinical_rules.py
    assert set(load_knowledge().thresholds) <= covered


def test_censored_titre_between_strata_stays_unknown() -> None:
    case = make_case(antibodies={"anti_mag": "<20000 BTU"})
    assert criterion_truth("anti_mag", "titre_medium", case) is None

"""The medicine on hand-written cases (not the public vignettes): one behaviour per test."""

from __future__ import annotations

from mgpn.engine import evaluate
from tests.engine.helpers import criterion_truth, make_case

IGM_DEMYELINATING = {
    "paraprotein": {"isotype": "IgM", "light_chain": "kappa", "clone": "MGUS"},
    "neuropathy": {
        "present": True,
        "course": "chronic_progressive",
        "symmetry": "symmetric",
        "distribution": "length_dependent",
        "sensory_loss": True,
        "weakness": "distal",
    },
    "electrodiagnosis": {
        "performed": True,
        "pattern": "demyelinating",
        "disproportionate_distal_latency": True,
    },
}


def _with(base: dict, **changes: dict) -> dict:
    merged = {name: dict(section) for name, section in base.items()}
    for name, section in changes.items():
        merged.setdefault(name, {}).update(section)
    return merged


# --- anti-MAG ------------------------------------------------------------------------------
def test_low_positive_anti_mag_titre_is_at_most_probable() -> None:
    # The review calls low titres non-specific; intermediate titres occur in CIDP.
    a = evaluate(make_case(**_with(IGM_DEMYELINATING, antibodies={"anti_mag": "2000 BTU"})))
    result = a.syndrome("anti_mag")
    assert result.status == "probable"
    assert any("also seen in CIDP" in text for text in result.against)  # low titre flagged
    assert "anti_mag.titre_low_positive" in {e.criterion for e in result.against_evidence}


def test_diagnostic_titre_boundary_decides_established() -> None:
    at = evaluate(make_case(**_with(IGM_DEMYELINATING, antibodies={"anti_mag": "10000 BTU"})))
    below = evaluate(make_case(**_with(IGM_DEMYELINATING, antibodies={"anti_mag": "9999 BTU"})))
    assert at.syndrome("anti_mag").status == "established"
    assert below.syndrome("anti_mag").status == "probable"


def test_anti_mag_without_detectable_m_protein_is_not_vetoed() -> None:
    case = _with(
        IGM_DEMYELINATING,
        antibodies={"anti_mag": ">70000 BTU"},
        paraprotein={"isotype": "none", "light_chain": None, "clone": None},
    )
    result = evaluate(make_case(**case)).syndrome("anti_mag")
    assert result.status == "probable"
    assert any("no M-protein" in text for text in result.against)


def test_borderline_anti_mag_titre_is_only_possible() -> None:
    a = evaluate(make_case(**_with(IGM_DEMYELINATING, antibodies={"anti_mag": "1200 BTU"})))
    assert a.syndrome("anti_mag").status == "possible"


def test_negative_anti_mag_excludes_and_is_not_retested() -> None:
    a = evaluate(make_case(**_with(IGM_DEMYELINATING, antibodies={"anti_mag": "negative"})))
    assert a.syndrome("anti_mag").status == "excluded"
    assert "anti_mag" not in {t.id for t in a.tests}
    assert {"ganglioside_panel", "sgpg"} <= {t.id for t in a.tests}


def test_anti_mag_with_axonal_autonomic_picture_needs_more_work_up() -> None:
    case = make_case(
        **_with(
            IGM_DEMYELINATING,
            antibodies={"anti_mag": ">70000 BTU"},
            electrodiagnosis={"pattern": "axonal", "disproportionate_distal_latency": False},
            neuropathy={"autonomic": ["orthostatic_hypotension"]},
        )
    )
    # Atypical features lower support and are listed against; they never veto.
    result = evaluate(case).syndrome("anti_mag")
    assert result.status == "probable"
    assert {"anti_mag.axonal", "anti_mag.prominent_autonomic"} <= {
        e.criterion for e in result.against_evidence
    }


def test_untested_igm_neuropathy_asks_for_ncs_and_anti_mag() -> None:
    a = evaluate(make_case(paraprotein={"isotype": "IgM"}))
    assert {"ncs_emg", "anti_mag"} <= {t.id for t in a.tests}
    assert not [s for s in a.syndromes if s.status == "established"]


# --- treatment rule (seed) -----------------------------------------------------------------
def _anti_mag_case(**function: object) -> dict:
    return _with(IGM_DEMYELINATING, antibodies={"anti_mag": ">70000 BTU"}, function=function)


def test_mrs_boundary_pair_decides_treatment() -> None:
    assert evaluate(make_case(**_anti_mag_case(mrs=2))).treatment.indication == "treat"
    assert (
        evaluate(make_case(**_anti_mag_case(mrs=1, progressing=True))).treatment.indication
        == "consider"
    )
    assert (
        evaluate(make_case(**_anti_mag_case(mrs=1, progressing=False))).treatment.indication
        == "observe"
    )


def test_missing_mrs_leaves_indication_undetermined_with_reason() -> None:
    treatment = evaluate(make_case(**_anti_mag_case())).treatment
    assert treatment.indication == "undetermined"
    assert "Rankin" in treatment.reasons[0]


def test_igm_flare_and_plasmapheresis_warnings() -> None:
    low = evaluate(make_case(**_with(_anti_mag_case(mrs=2), paraprotein={"igm": "3999 mg/dL"})))
    high = evaluate(make_case(**_with(_anti_mag_case(mrs=2), paraprotein={"igm": "4000 mg/dL"})))
    assert any("flare" in w for w in low.treatment.warnings)
    assert not any(">=4000" in w for w in low.treatment.warnings)
    assert any("plasmapheresis" in w for w in high.treatment.warnings)


def test_end_organ_damage_treats_regardless_of_mrs() -> None:
    case = make_case(
        paraprotein={"isotype": "IgA", "light_chain": "lambda"},
        pathology={"fat_pad": "amyloid", "amyloid_type": "AL_lambda"},
        function={"mrs": 0},
    )
    assert evaluate(case).treatment.indication == "treat"


# --- amyloid -------------------------------------------------------------------------------
def test_untyped_amyloid_is_probable_and_asks_for_typing() -> None:
    a = evaluate(
        make_case(
            paraprotein={"isotype": "IgG", "light_chain": "lambda"},
            pathology={"fat_pad": "amyloid"},
        )
    )
    assert a.syndrome("al_amyloidosis").status == "probable"
    assert "amyloid_typing" in {t.id for t in a.tests}
    assert a.mimic("attr_amyloidosis").status == "possible"


def test_attr_typing_excludes_al_and_names_the_mimic() -> None:
    a = evaluate(
        make_case(
            paraprotein={"isotype": "IgG", "light_chain": "kappa"},
            pathology={"fat_pad": "amyloid", "amyloid_type": "ATTR"},
        )
    )
    assert a.syndrome("al_amyloidosis").status == "excluded"
    assert a.mimic("attr_amyloidosis").status == "present"
    assert "ttr_genetics" in {t.id for t in a.tests}


def test_link_reasons_are_the_findings_behind_the_deciding_rule() -> None:
    a = evaluate(
        make_case(
            paraprotein={"isotype": "IgG", "light_chain": "lambda"},
            electrodiagnosis={"pattern": "axonal"},
            pathology={"fat_pad": "amyloid", "amyloid_type": "AL_lambda"},
        )
    )
    assert a.link.status == "established"
    assert "a classic paraprotein syndrome is established" in a.link.reasons
    assert not any("axonal" in reason for reason in a.link.reasons)


def test_btk_warning_for_igm_al() -> None:
    a = evaluate(
        make_case(
            paraprotein={"isotype": "IgM"},
            pathology={"fat_pad": "amyloid", "amyloid_type": "AL_kappa"},
        )
    )
    assert any("BTK" in w for w in a.treatment.warnings)
    assert any("bendamustine" in o.regimen.lower() for o in a.treatment.options)


def test_mayo_2012_stage_needs_all_markers() -> None:
    base = {
        "paraprotein": {
            "isotype": "light_chain_only",
            "light_chain": "lambda",
            "flc_kappa": "10 mg/L",
            "flc_lambda": "300 mg/L",
        },
        "pathology": {"amyloid_type": "AL_lambda"},
    }
    partial = evaluate(make_case(**base)).syndrome("al_amyloidosis")
    assert any("cannot be computed" in note for note in partial.notes)
    full = _with(base, labs={"troponin_t": "24 ng/L", "nt_probnp": "1799 ng/L"})
    assert any(
        "stage II " in note for note in evaluate(make_case(**full)).syndrome("al_amyloidosis").notes
    )
    higher = _with(full, labs={"nt_probnp": "1800 ng/L"})
    assert any(
        "stage III " in note
        for note in evaluate(make_case(**higher)).syndrome("al_amyloidosis").notes
    )


# --- POEMS ---------------------------------------------------------------------------------
POEMS_BASE = {
    "paraprotein": {"isotype": "IgA", "light_chain": "lambda"},
    "electrodiagnosis": {"pattern": "demyelinating"},
    "systemic": {"sclerotic_bone_lesions": True},
}


def test_poems_needs_a_minor_criterion_and_thyroid_alone_is_not_one() -> None:
    thyroid = make_case(**_with(POEMS_BASE, systemic={"endocrinopathy": ["thyroid"]}))
    gonadal = make_case(**_with(POEMS_BASE, systemic={"endocrinopathy": ["gonadal"]}))
    assert evaluate(thyroid).syndrome("poems").status == "probable"
    assert evaluate(gonadal).syndrome("poems").status == "established"


def test_serum_and_plasma_vegf_are_judged_separately() -> None:
    serum = make_case(labs={"vegf_serum": "500 pg/mL"})
    plasma = make_case(labs={"vegf_plasma": "500 pg/mL"})
    # Serum and plasma are alternative measurements with their own thresholds: a measured
    # serum value below its threshold decides "not raised" though plasma was not measured.
    assert criterion_truth("poems", "vegf_high", serum) is False
    assert criterion_truth("poems", "vegf_high", plasma) is True
    assert criterion_truth("poems", "vegf_high", make_case()) is None


def test_thrombocytosis_relies_on_an_unverified_number_and_says_so() -> None:
    a = evaluate(make_case(**_with(POEMS_BASE, labs={"platelets": "600 10*9/L"})))
    assert a.syndrome("poems").status == "established"
    assert any("thrombocytosis" in item for item in a.unverified)


# --- CANOMAD, MMN, CIDP ------------------------------------------------------------------------
def test_canomad_needs_disialosyl_antibodies_to_be_established() -> None:
    findings = {
        "paraprotein": {"isotype": "IgM"},
        "neuropathy": {"sensory_ataxia": True, "ophthalmoplegia": True},
    }
    untested = evaluate(make_case(**findings))
    assert untested.syndrome("canomad").status == "probable"
    assert "ganglioside_panel" in {t.id for t in untested.tests}
    tested = evaluate(
        make_case(**_with(findings, antibodies={"gangliosides": {"GD1b": "positive"}}))
    )
    assert tested.syndrome("canomad").status == "established"
    assert any("largely ineffective" in w for w in tested.treatment.warnings)


def test_mmn_is_capped_by_sensory_loss() -> None:
    findings = {
        "paraprotein": {"isotype": "IgM"},
        "neuropathy": {
            "symmetry": "asymmetric",
            "distribution": "multifocal",
            "weakness": "focal",
            "sensory_loss": True,
        },
        "electrodiagnosis": {"conduction_block": True},
    }
    result = evaluate(make_case(**findings)).syndrome("mmn")
    assert result.status == "unlikely"  # exclusion criterion: at most unlikely
    assert result.status_evidence is not None
    assert result.status_evidence.criterion == "mmn.sensory_loss"
    motor = _with(
        findings, neuropathy={"sensory_loss": False, "bulbar": False, "reflexes": "reduced"}
    )
    a = evaluate(make_case(**motor))
    assert a.syndrome("mmn").status == "established"
    assert any("Corticosteroids are not recommended" in w for w in a.treatment.warnings)


def test_cidp_with_igg_mgus_waits_for_poems_to_be_set_aside() -> None:
    findings = {
        "paraprotein": {"isotype": "IgG", "light_chain": "lambda"},
        "neuropathy": {"weakness": "proximal_and_distal", "sensory_loss": True},
        "electrodiagnosis": {"pattern": "demyelinating"},
    }
    a = evaluate(make_case(**findings))
    assert a.syndrome("cidp_mgus").status in ("probable", "possible")
    assert {"vegf", "bone_imaging"} <= {t.id for t in a.tests}


# --- mimics and absent findings ------------------------------------------------------------
def test_absent_history_is_not_assessed_and_asked_for() -> None:
    a = evaluate(make_case(paraprotein={"isotype": "IgG"}))
    assert a.mimic("diabetes").status == "not_assessed"
    assert {"hba1c", "b12_mma"} <= {t.id for t in a.tests}
    known = evaluate(
        make_case(paraprotein={"isotype": "IgG"}, history={"diabetes": False, "hba1c": 5.2})
    )
    assert known.mimic("diabetes").status == "excluded"
    assert "hba1c" not in {t.id for t in known.tests}


def test_neurotoxic_drug_found_in_a_treatment_regimen() -> None:
    case = make_case(
        paraprotein={"isotype": "IgG"},
        treatments=[{"regimen": "dara-cybord", "start": "2025-01-01"}],
    )
    assert evaluate(case).mimic("neurotoxic_drugs").status == "present"


def test_brisk_reflexes_raise_myelopathy() -> None:
    a = evaluate(make_case(paraprotein={"isotype": "IgA"}, neuropathy={"reflexes": "brisk"}))
    assert a.mimic("myelopathy").status == "possible"


def test_mimic_present_makes_coincidence_lead_and_treat_other_cause() -> None:
    case = make_case(
        paraprotein={"isotype": "IgG"},
        history={"diabetes": True},
        electrodiagnosis={"pattern": "axonal"},
        function={"mrs": 2},
    )
    a = evaluate(case)
    assert a.syndromes[0].id == "coincidental"
    assert a.link.status == "unlikely"
    assert a.treatment.indication == "treat_other_cause"


# --- tests' reasons ------------------------------------------------------------------------
def test_cryoglobulin_reason_mentions_warm_handling() -> None:
    case = make_case(
        paraprotein={"isotype": "IgM"},
        neuropathy={"symmetry": "asymmetric", "neuropathic_pain": True},
    )
    tests = {t.id: t for t in evaluate(case).tests}
    assert "37 °C" in tests["cryoglobulins"].reason


def test_mri_of_the_neuraxis_comes_before_lumbar_puncture() -> None:
    case = make_case(paraprotein={"isotype": "IgM", "clone": "WM"}, systemic={"cns_signs": True})
    tests = {t.id: t for t in evaluate(case).tests}
    assert "mri_neuraxis" in tests and "lumbar_puncture" not in tests
    after = make_case(
        paraprotein={"isotype": "IgM", "clone": "WM"},
        systemic={"cns_signs": True},
        imaging={"mri_neuraxis": "leptomeningeal_enhancement"},
    )
    tests = {t.id: t for t in evaluate(after).tests}
    assert "lumbar_puncture" in tests and "mri_neuraxis" not in tests
    assert "MRI of the neuraxis first" in tests["lumbar_puncture"].reason


# --- scope and biomarkers ------------------------------------------------------------------
def test_no_neuropathy_is_out_of_scope() -> None:
    a = evaluate(make_case(neuropathy={"present": False}, paraprotein={"isotype": "IgG"}))
    assert a.in_scope is False and "neuropathy.present is false" in (a.scope_note or "")


def test_no_paraprotein_is_flagged_but_still_evaluated() -> None:
    a = evaluate(make_case(paraprotein={"isotype": "none"}))
    assert a.in_scope is False
    # No M-protein on immunofixation is not an exclusion of POEMS (the clone can be found in
    # a bone lesion; a Castleman variant exists); it caps POEMS at probable.
    assert a.syndrome("poems").status in ("undetermined", "unlikely")
    assert "immunofixation" in {t.id for t in a.tests}


def test_research_biomarkers_never_change_a_status() -> None:
    base = _anti_mag_case(mrs=2)
    without = evaluate(make_case(**base))
    with_markers = evaluate(make_case(**_with(base, labs={"il6": "50 pg/mL", "il10": "40 pg/mL"})))
    assert [(s.id, s.status, s.score) for s in without.syndromes] == [
        (s.id, s.status, s.score) for s in with_markers.syndromes
    ]
    assert {b.id for b in with_markers.biomarkers} == {"il6", "il10"}
    assert all(b.research_only for b in with_markers.biomarkers)
    assert "rituximab" in with_markers.biomarkers[0].interpretation


def test_uninterpreted_values_are_listed_not_judged() -> None:
    a = evaluate(make_case(history={"tsh": 9.5}))
    assert a.mimic("hypothyroidism").status == "not_assessed"
    assert any(item.startswith("history.tsh") for item in a.not_interpreted)


# --- drug timing (issue 14) ----------------------------------------------------------------
def test_a_neurotoxic_regimen_started_after_onset_is_only_possible() -> None:
    base = {
        "recorded": "2025-06-01",
        "paraprotein": {"isotype": "IgG", "light_chain": "kappa", "clone": "myeloma"},
        "neuropathy": {
            "onset_months": 12,
            "symmetry": "symmetric",
            "distribution": "length_dependent",
            "sensory_loss": True,
        },
        "electrodiagnosis": {"performed": True, "pattern": "axonal"},
    }
    after = make_case(**base, treatments=[{"regimen": "VRd", "start": "2025-03-01"}])
    before = make_case(**base, treatments=[{"regimen": "VRd", "start": "2024-01-01"}])
    undated = make_case(
        **{**base, "recorded": None}, treatments=[{"regimen": "VRd", "start": "2025-03-01"}]
    )
    assert evaluate(after).mimic("neurotoxic_drugs").status == "possible"
    assert evaluate(before).mimic("neurotoxic_drugs").status == "present"
    assert evaluate(undated).mimic("neurotoxic_drugs").status == "present"  # timing unknown
    assert evaluate(after).syndrome("coincidental").status != "probable"

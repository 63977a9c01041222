"""An IgM neuropathy without a specific syndrome is a diagnosis by exclusion."""

from __future__ import annotations

from typing import Any

from mgpn.case import parse_case
from mgpn.engine import evaluate


def _igm_axonal(history: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": "mgpn-case/1",
        "paraprotein": {"isotype": "IgM", "light_chain": "kappa"},
        "history": history,
        "neuropathy": {
            "present": True,
            "course": "subacute",
            "onset_months": 3,
            "symmetry": "symmetric",
            "distribution": "length_dependent",
            "sensory_loss": True,
            "weakness": "distal",
        },
        "electrodiagnosis": {"performed": True, "pattern": "axonal"},
        "antibodies": {"anti_mag": "negative"},
        "function": {"mrs": 2, "progressing": True},
    }


def test_with_a_neurotoxic_drug_the_coincidental_reading_ranks_first() -> None:
    assessment = evaluate(parse_case(_igm_axonal({"neurotoxic_drugs": ["vincristine"]})))
    assert assessment.mimic("neurotoxic_drugs").status == "present"
    assert assessment.syndrome("igm_neuropathy_unclassified").status == "possible"
    assert assessment.syndromes[0].id == "coincidental"
    assert assessment.treatment.indication == "treat_other_cause"


def test_without_another_cause_the_unclassified_igm_neuropathy_stays_probable() -> None:
    assessment = evaluate(parse_case(_igm_axonal({"neurotoxic_drugs": [], "diabetes": False})))
    assert assessment.syndrome("igm_neuropathy_unclassified").status == "probable"

"""Red flags: "don't miss" syndromes (a knowledge-base flag) are listed while they stay open."""

from __future__ import annotations

from mgpn.case import parse_case
from mgpn.engine import evaluate

_AL_RED_FLAGS = {
    "format": "mgpn-case/1",
    "paraprotein": {"isotype": "light_chain_only", "light_chain": "lambda"},
    "neuropathy": {
        "present": True,
        "course": "chronic_progressive",
        "small_fiber_features": True,
        "neuropathic_pain": True,
        "autonomic": ["orthostatic_hypotension"],
        "carpal_tunnel": True,
    },
    "electrodiagnosis": {"performed": True, "pattern": "axonal"},
    "systemic": {"weight_loss": True},
}


def test_open_amyloidosis_is_a_red_flag() -> None:
    assessment = evaluate(parse_case(_AL_RED_FLAGS))
    assert assessment.syndrome("al_amyloidosis").status in ("possible", "probable")
    assert any("amyloidosis" in flag for flag in assessment.red_flags)


def test_amyloid_typed_attr_is_no_longer_an_al_red_flag() -> None:
    case = {**_AL_RED_FLAGS, "pathology": {"fat_pad": "amyloid", "amyloid_type": "ATTR"}}
    assessment = evaluate(parse_case(case))
    assert assessment.syndrome("al_amyloidosis").status in ("unlikely", "excluded")
    assert not any("AL (or AH/ALH)" in flag for flag in assessment.red_flags)


def test_out_of_scope_case_has_no_red_flags() -> None:
    assessment = evaluate(parse_case({"format": "mgpn-case/1", "neuropathy": {"present": False}}))
    assert assessment.red_flags == []

"""The care-gap rules: a strict schema checked against the knowledge base, and their logic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mgpn.case.loader import parse_case
from mgpn.engine.assess import evaluate_case
from mgpn.errors import KnowledgeError
from mgpn.knowledge.care_gaps import CARE_GAPS_FILE, load_care_gaps, read_care_gaps
from mgpn.knowledge.loader import load_knowledge
from mgpn.screening.gaps import open_gaps


def _gaps(data: dict[str, Any]) -> dict[str, str]:
    case = parse_case({"format": "mgpn-case/1", **data})
    kb = load_knowledge()
    found = open_gaps(load_care_gaps(), kb, case, evaluate_case(case, kb))
    return {item.gap_id: item.closing_test for item in found}


IGM_DEMYELINATING = {
    "paraprotein": {"isotype": "IgM", "light_chain": "kappa"},
    "neuropathy": {"present": True},
    "electrodiagnosis": {"pattern": "demyelinating"},
}


def test_bundled_rules_load_and_cite_known_references() -> None:
    rules = load_care_gaps()
    kb = load_knowledge()
    assert len(rules.gaps) >= 6
    for gap in rules.gaps:
        assert gap.references and all(ref in kb.references for ref in gap.references)
        assert gap.closing_text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw["gaps"][0].update(colour="red"), "colour"),
        (lambda raw: raw["gaps"][0].update(references=["cit:nowhere"]), "unknown reference"),
        (
            lambda raw: raw["gaps"][4]["when"]["all"][1].update(at_least="no_such_threshold"),
            "unknown threshold",
        ),
        (
            lambda raw: raw["gaps"][3]["when"]["all"][1].update(syndrome=["poem"]),
            "unknown syndrome",
        ),
        (
            lambda raw: raw["gaps"][1]["when"]["all"][1].update(path="neuropathy.presnt"),
            "unknown case path",
        ),
        (lambda raw: raw["gaps"][5].pop("action"), "closed_by items or an action"),
    ],
)
def test_a_broken_rule_file_is_refused_whole(tmp_path: Path, change: Any, message: str) -> None:
    raw = yaml.safe_load(CARE_GAPS_FILE.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "care_gaps.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=message):
        read_care_gaps(path, load_knowledge())


def test_igm_demyelinating_neuropathy_without_anti_mag_is_a_gap() -> None:
    assert "anti-MAG" in _gaps(IGM_DEMYELINATING)["anti_mag_test"]


def test_an_anti_mag_result_closes_it() -> None:
    closed = {**IGM_DEMYELINATING, "antibodies": {"anti_mag": "800 BTU"}}
    assert "anti_mag_test" not in _gaps(closed)


def test_an_unknown_neuropathy_raises_no_gap() -> None:
    # absent means unknown, never negative: nothing is claimed about an unrecorded neuropathy
    unknown = {"paraprotein": {"isotype": "IgM", "light_chain": "kappa"}}
    assert _gaps(unknown) == {}


def test_the_amyloid_screen_lists_only_its_missing_parts() -> None:
    partial = {
        **IGM_DEMYELINATING,
        "paraprotein": {
            "isotype": "IgM",
            "light_chain": "kappa",
            "flc_kappa": "20 mg/L",
            "flc_lambda": "15 mg/L",
        },
        "labs": {"nt_probnp": "120 ng/L"},
    }
    closing = _gaps(partial)["amyloid_screen"]
    assert "urine protein" in closing
    assert "free light chains" not in closing and "NT-proBNP" not in closing


def test_rituximab_above_the_plasmapheresis_threshold() -> None:
    base = {
        "paraprotein": {"isotype": "IgM", "igm": "4500 mg/dL"},
        "treatments": [{"regimen": "rituximab"}],
    }
    assert "plasmapheresis" in _gaps(base)["plasmapheresis_before_rituximab"]
    below = {**base, "paraprotein": {"isotype": "IgM", "igm": "3900 mg/dL"}}
    assert "plasmapheresis_before_rituximab" not in _gaps(below)
    exchanged = {**base, "treatments": [{"regimen": "plasma_exchange"}, {"regimen": "rituximab"}]}
    assert "plasmapheresis_before_rituximab" not in _gaps(exchanged)


def test_lambda_clone_with_demyelinating_neuropathy_needs_vegf_and_bone_imaging() -> None:
    case = {
        "paraprotein": {"isotype": "IgG", "light_chain": "lambda"},
        "neuropathy": {"present": True},
        "electrodiagnosis": {"pattern": "demyelinating"},
    }
    gaps = _gaps(case)
    assert {"vegf_before_cidp", "poems_bone_imaging"} <= set(gaps)
    kappa = {**case, "paraprotein": {"isotype": "IgG", "light_chain": "kappa"}}
    assert not {"vegf_before_cidp", "poems_bone_imaging"} & set(_gaps(kappa))


def test_a_neurotoxic_drug_with_a_known_neuropathy_asks_for_a_review() -> None:
    case = {"paraprotein": {"isotype": "IgG"}, "neuropathy": {"present": True},
            "history": {"neurotoxic_drugs": ["bortezomib"]}}  # fmt: skip
    assert "Review" in _gaps(case)["neurotoxic_drug_with_neuropathy"]

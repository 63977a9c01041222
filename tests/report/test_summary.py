"""The summary view model: built once from the assessment, the same on every face."""

from __future__ import annotations

import json
from pathlib import Path

from mgpn.assessment import Assessment
from mgpn.case import load_case, parse_case
from mgpn.engine import evaluate
from mgpn.report.deciding import deciding_fields
from mgpn.report.summary import MAX_TESTS, build_summary

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "mgpn" / "examples"


def test_the_summary_of_a_hand_written_assessment(assessment: Assessment) -> None:
    summary = build_summary(assessment)
    assert [s.id for s in summary.leading] == ["anti_mag"]  # rank 1; "unlikely" stays out
    assert summary.leading[0].status_words == "established"
    assert summary.headline == "Anti-MAG neuropathy: established"
    assert summary.cause.words == "Yes (established)"
    assert summary.indication.code == "treat"
    assert summary.indication.words == "Treatment recommended"
    assert summary.indication.reason == "mRS 2 and progressing"
    assert [t.label for t in summary.next_tests] == ["MYD88 L265P"]
    assert summary.next_tests[0].citations[0].short == "Sarosiek, Doughty, Castillo 2025, ref. 10"
    assert summary.disclaimer.startswith("Decision support only")
    json.dumps(summary.to_dict())  # plain data for CDS cards and APIs
    assert summary.lines()[0] == summary.headline


def test_coexisting_strong_syndromes_lead_together_and_tests_are_capped(
    assessment: Assessment,
) -> None:
    data = assessment.model_dump(by_alias=True)
    data["syndromes"][0]["status"] = "probable"  # coincidental, rank 2
    data["tests"] = [dict(data["tests"][0], id=i) for i in ("myd88", "vegf", "hba1c", "tsh")]
    summary = build_summary(Assessment.model_validate(data))
    assert [s.id for s in summary.leading] == ["anti_mag", "coincidental"]
    assert len(summary.next_tests) == MAX_TESTS == 3


def test_what_would_change_it_links_to_the_fields_that_answer_it() -> None:
    case = load_case(EXAMPLES / "anti-mag-neuropathy.yaml")
    data = case.model_dump(mode="json", exclude_none=True)
    data["antibodies"] = {}
    without_titre = evaluate(parse_case(data, source="test"))
    summary = build_summary(without_titre, deciding=deciding_fields())
    fields = {path for item in summary.would_change for path in item.fields}
    assert "antibodies.anti_mag" in fields  # the titre decides anti-MAG neuropathy


def test_the_summary_carries_the_red_flags_in_words() -> None:
    assessment = evaluate(load_case(EXAMPLES / "al-amyloid-red-flags.yaml"))
    summary = build_summary(assessment)
    assert summary.red_flags and len(summary.red_flags) == len(assessment.red_flags)
    assert all("seed" not in flag.lower() for flag in summary.red_flags)

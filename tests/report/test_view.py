"""The report's view model: built from the assessment and the case, nothing added."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mgpn.assessment import Assessment
from mgpn.report.view import build_view, format_value, reference_anchor, summarize_case


def test_syndromes_are_ordered_by_the_engines_rank(
    assessment: Assessment, case_data: dict[str, Any], assessed_at: datetime
) -> None:
    view = build_view(assessment, case_data, assessed_at=assessed_at)
    assert [s.id for s in view.syndromes] == ["anti_mag", "coincidental"]
    assert view.syndromes[0].for_ == ("IgM paraprotein", "anti-MAG >70000 BTU")
    assert view.syndromes[0].missing == ("nerve biopsy",)


def test_view_carries_version_dates_and_disclaimer_from_the_assessment(
    assessment: Assessment, case_data: dict[str, Any], assessed_at: datetime
) -> None:
    view = build_view(assessment, case_data, assessed_at=assessed_at)
    assert view.knowledge_version == "9.9-test"
    assert view.assessed_at == assessed_at
    assert view.recorded == "2025-03-14"
    assert view.disclaimer.startswith("Decision support only")


def test_reference_markers_point_at_the_reference_list(
    assessment: Assessment, case_data: dict[str, Any], assessed_at: datetime
) -> None:
    view = build_view(assessment, case_data, assessed_at=assessed_at)
    anchors = {r.anchor for r in view.references}
    cited = {r.anchor for s in view.syndromes for r in s.references}
    assert cited <= anchors
    assert reference_anchor("doi:10.1/x y") == "ref-doi-10-1-x-y"


def test_case_summary_shows_only_known_fields_with_censoring_kept(
    case_data: dict[str, Any],
) -> None:
    sections = {s.title: {i.label: i.value for i in s.items} for s in summarize_case(case_data)}
    assert sections["Antibodies"]["Anti-MAG titre"] == ">70000 BTU"  # as a clinician says it
    assert sections["Antibodies"]["IgM anti-GM1"] == "negative"
    assert sections["Neuropathy"] == {
        "Peripheral neuropathy present": "yes",
        "Sensory ataxia": "yes",
        "Tremor": "no",
    }
    assert "Labs" not in sections  # absent section: nothing is shown, nothing is assumed
    assert sections["Treatments"]["treatment 1"] == "regimen: rituximab, start: 2025-04-01"


def test_values_are_shown_as_entered_and_rounded_as_a_laboratory_would() -> None:
    data = {"history": {"hba1c": {"value": 5.44398847104, "unit": "%"}}}
    plain = {i.label: i.value for s in summarize_case(data) for i in s.items}
    assert plain["HbA1c"] == "5.4 %"
    typed = {i.label: i.value for s in summarize_case(data, {"history.hba1c": "36 mmol/mol"})
             for i in s.items}  # fmt: skip
    assert typed["HbA1c"] == "36 mmol/mol (5.4 %)"


def test_format_value_keeps_numbers_readable() -> None:
    assert format_value({"value": 0.6, "unit": "g/dL"}) == "0.6 g/dL"
    assert format_value({"value": 1450.0, "unit": "mg/dL"}) == "1450 mg/dL"
    assert format_value(["bortezomib", "other drug"]) == "bortezomib, other drug"

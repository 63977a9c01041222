"""Follow-up in the report reads right: treatment baseline, partial visits, cited warnings."""

from __future__ import annotations

from tests.outcomes.builders import case_with

from mgpn.report.language import cite_references
from mgpn.report.outcomes import outcomes_view


def test_the_baseline_of_a_treatment_response_is_the_last_visit_before_it() -> None:
    case = case_with(
        [
            {"date": "2023-01-10", "mrs": 1, "igm": "1200 mg/dL"},
            {"date": "2024-01-20", "mrs": 3, "igm": "1450 mg/dL"},
            {"date": "2025-03-01", "mrs": 2, "igm": "900 mg/dL"},
        ],
        [{"regimen": "rituximab", "start": "2024-02-01"}],
    )
    view = outcomes_view(case)
    assert view is not None
    assert view.baseline == "2024-01-20"  # not the first visit of 2023
    assert "last visit before rituximab started 2024-02-01" in view.baseline_note
    mrs = next(r for r in view.rows if r.name == "modified Rankin Scale")
    assert (mrs.baseline, mrs.latest, mrs.change) == ("3", "2", "-1")


def test_without_a_visit_before_the_treatment_the_first_visit_is_used_and_said() -> None:
    case = case_with(
        [{"date": "2024-03-01", "mrs": 3}, {"date": "2025-03-01", "mrs": 2}],
        [{"regimen": "rituximab", "start": "2024-02-01"}],
    )
    view = outcomes_view(case)
    assert view is not None and view.baseline == "2024-03-01"
    assert "no visit before the treatment started" in view.baseline_note


def test_a_visit_that_measured_only_some_scales_keeps_the_earlier_values_visible() -> None:
    case = case_with(
        [
            {"date": "2024-01-10", "mrs": 2, "incat_sensory_sum": 9},
            {"date": "2024-07-10", "mrs": 2, "incat_sensory_sum": 8},
            {"date": "2025-01-10", "mrs": 1},  # the sensory sum score was not measured
        ]
    )
    view = outcomes_view(case)
    assert view is not None
    iss = next(r for r in view.rows if "sensory" in r.name.lower())
    assert iss.latest.startswith("not measured")
    assert "last: 8 on 2024-07-10" in iss.latest  # shown, not carried into the change
    assert iss.change == "not known"


def test_warnings_cite_short_citations_not_ids() -> None:
    text = cite_references(
        "IgM rose [seed, pmid:15493038].",
        {"pmid:15493038": "Ghobrial IM et al. IgM flare. Cancer 2004;101:2593."},
    )
    assert text == "IgM rose (Sarosiek, Doughty, Castillo 2025; Ghobrial et al. 2004)."

"""Adding a visit (the web page's form) goes through the case model's checks."""

from __future__ import annotations

import pytest

from mgpn.errors import CaseError
from mgpn.outcomes import add_visit, summarize

from .builders import two_visits


def test_a_visit_is_added_in_date_order_and_counts_in_the_summary() -> None:
    case = two_visits({"mrs": 3}, {"mrs": 2}, first="2024-01-10", second="2025-03-10")
    later = add_visit(case, {"date": "2025-09-01", "mrs": 1, "igm": "9 g/L"})
    earlier = add_visit(case, {"date": "2024-06-01", "mrs": 3})
    assert [str(v.date) for v in earlier.visits] == ["2024-01-10", "2024-06-01", "2025-03-10"]
    result = summarize(later)
    assert str(result.latest) == "2025-09-01" and result.scales["mrs"].latest == 1
    assert result.markers["igm"].latest == 900  # 9 g/L in mg/dL
    assert len(case.visits) == 2  # the original is unchanged


def test_a_visit_on_an_existing_date_is_refused_naming_the_field() -> None:
    case = two_visits({"mrs": 3}, {"mrs": 2}, first="2024-01-10", second="2025-03-10")
    with pytest.raises(CaseError) as caught:
        add_visit(case, {"date": "2025-03-10", "mrs": 1})
    assert any(issue.path.endswith(".date") for issue in caught.value.issues)


def test_a_misspelled_scale_is_refused_not_dropped() -> None:
    case = two_visits({"mrs": 3}, {"mrs": 2})
    with pytest.raises(CaseError) as caught:
        add_visit(case, {"date": "2025-06-01", "mrs_score": 1})
    assert any("mrs_score" in issue.path for issue in caught.value.issues)

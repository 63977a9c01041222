"""Small builders of case files with visits, for the outcomes tests."""

from __future__ import annotations

from typing import Any

from mgpn.case import Case, parse_case


def case_with(visits: list[dict[str, Any]], treatments: list[dict[str, Any]] | None = None) -> Case:
    """A valid mgpn-case/1 case holding only these visits and treatments."""
    data: dict[str, Any] = {"format": "mgpn-case/1", "id": "test-case", "visits": visits}
    if treatments is not None:
        data["treatments"] = treatments
    return parse_case(data, source="test")


def two_visits(
    before: dict[str, Any],
    after: dict[str, Any],
    first: str = "2024-01-10",
    second: str = "2025-03-10",
) -> Case:
    """A baseline and a latest visit, 14 months apart unless told otherwise."""
    return case_with([{"date": first, **before}, {"date": second, **after}])

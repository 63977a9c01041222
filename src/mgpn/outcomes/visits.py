"""Add a follow-up visit to a case, for the web page's "add a visit" form.

The case is rebuilt through the case model, so the new visit passes the same
checks as a case file (units, ranges, one visit per date) and a bad one is refused
with a :class:`mgpn.errors.CaseError` naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mgpn.case import Case, dump_case, parse_case

__all__ = ["add_visit"]


def add_visit(case: Case, visit: Mapping[str, Any], source: str = "new visit") -> Case:
    """A new case with ``visit`` added in date order (the original is left unchanged)."""
    data = dump_case(case)
    visits: list[dict[str, Any]] = [dict(v) for v in data.get("visits", [])]
    visits.append(dict(visit))
    # Dates are ISO strings after dump_case; a date object sorts the same way as text.
    # An unreadable date sorts last and is then refused by the case model by name.
    visits.sort(key=lambda v: str(v.get("date", "9999")))
    data["visits"] = visits
    return parse_case(data, source=source)

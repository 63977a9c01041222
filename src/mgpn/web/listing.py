"""The clinical columns of the case list, taken from a stored assessment (never re-derived).

Computed once when a version is saved and kept in ``cases.summary``, so the list reads
one small row per case. Words only: a raw status id never reaches the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The assessment's status and indication ids (shared/spec/assessment-format.md) in words.
SYNDROME_STATUS_WORDS = {
    "established": "established",
    "probable": "probable",
    "possible": "possible",
    "unlikely": "unlikely",
    "excluded": "excluded",
    "undetermined": "cannot be decided yet",
}
INDICATION_WORDS = {
    "treat": "treatment indicated",
    "consider": "consider treatment",
    "observe": "observe",
    "treat_other_cause": "treat the other cause",
    "undetermined": "not decided yet",
}


def _words(table: Mapping[str, str], value: object) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return table.get(value, value.replace("_", " "))


def list_summary(case: Mapping[str, Any], assessment: Mapping[str, Any]) -> dict[str, Any]:
    """``leading``, ``status``, ``indication`` (words) and ``last_visit`` (ISO date) or None."""
    syndromes = [s for s in assessment.get("syndromes") or () if isinstance(s, Mapping)]
    leading = min(syndromes, key=lambda s: s.get("rank") or 10_000, default=None)
    treatment = assessment.get("treatment")
    indication = treatment.get("indication") if isinstance(treatment, Mapping) else None
    dates = [
        str(v.get("date"))
        for v in case.get("visits") or ()
        if isinstance(v, Mapping) and v.get("date") is not None
    ]
    return {
        "leading": str(leading.get("label") or "") or None if leading else None,
        "status": _words(SYNDROME_STATUS_WORDS, leading.get("status")) if leading else None,
        "indication": _words(INDICATION_WORDS, indication),
        "last_visit": max(dates) if dates else None,
    }

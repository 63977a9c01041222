"""Properties over random follow-ups: summaries never contradict their own numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mgpn.outcomes import load_scales, summarize

from .builders import case_with

KB = load_scales()
_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "mrs": st.integers(0, 6),
    "incat_arm": st.integers(0, 5),
    "incat_leg": st.integers(0, 5),
    "incat_sensory_sum": st.integers(0, 20),
    "mrc_sum": st.integers(0, 60),
    "i_rods": st.integers(0, 100),
}


@st.composite
def follow_ups(draw: st.DrawFn) -> list[dict[str, Any]]:
    days = draw(st.lists(st.integers(0, 2000), min_size=0, max_size=5, unique=True))
    visits = []
    for offset in sorted(days):
        visit: dict[str, Any] = {
            "date": (dt.date(2020, 1, 1) + dt.timedelta(days=offset)).isoformat()
        }
        for name, values in _FIELDS.items():
            value = draw(st.none() | values)  # absent = not measured
            if value is not None:
                visit[name] = value
        visits.append(visit)
    return visits


@settings(max_examples=40, deadline=None)
@given(follow_ups())
def test_direction_and_responders_agree_with_the_numbers(visits: list[dict[str, Any]]) -> None:
    result = summarize(case_with(visits))
    for scale_id, change in result.scales.items():
        if change.change is None:
            assert change.direction is None
            continue
        threshold = change.mcid if change.mcid is not None else 1
        gain = change.change if change.better == "higher" else -change.change
        expected = (
            "improved" if gain >= threshold else "worsened" if gain <= -threshold else "stable"
        )
        assert change.direction == expected, scale_id
    for answer in result.responder:
        rule = next(r for r in KB.responders if r.id == answer.id)
        if answer.value is True:
            assert len(answer.scales_improved) >= rule.min_scales
        if answer.value is None:
            assert answer.scales_not_measured

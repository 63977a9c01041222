"""Boundary pairs for every scale's MCID and direction, through ``summarize``.

For each scale: a change exactly at the threshold counts, one step short does not,
in both directions. The threshold is the MCID, or one unit where none is known
(shared/spec/outcomes-format.md). Explicit pairs pin the numbers themselves.
"""

from __future__ import annotations

import pytest

from mgpn.outcomes import load_scales, summarize
from mgpn.outcomes.scales import Scale

from .builders import two_visits

# A mid-range starting value for each visit field, so changes stay inside the range.
START = {
    "mrs": 3,
    "incat_arm": 2,
    "incat_leg": 2,
    "incat_sensory_sum": 10,
    "mrc_sum": 50,
    "i_rods": 50,
    "walk_10m": 12,
}


def _visits(scale: Scale, delta: float) -> tuple[dict[str, float], dict[str, float]]:
    before = {name: START[name] for name in scale.fields}
    after = dict(before)
    moved = before[scale.fields[-1]] + delta  # the sum moves by delta
    # Integer fields refuse 2.0; continuous ones keep a tenth without binary noise.
    after[scale.fields[-1]] = int(moved) if _step(scale) == 1 else round(moved, 6)
    return before, after


def _direction(scale: Scale, delta: float) -> str | None:
    before, after = _visits(scale, delta)
    return summarize(two_visits(before, after)).scales[scale.id].direction


def _threshold(scale: Scale) -> float:
    return scale.mcid.value if scale.mcid else 1.0


def _step(scale: Scale) -> float:
    # Integer-scored scales move in whole points; the I-RODS centile and the walk time
    # are continuous, so "just short" is a tenth below.
    return 0.1 if scale.id in {"i_rods", "walk_10m"} else 1.0


SCALES = load_scales().summary_scales


@pytest.mark.parametrize("scale", SCALES, ids=lambda s: s.id)
def test_improvement_at_the_threshold_counts_and_just_short_does_not(scale: Scale) -> None:
    sign = 1 if scale.better == "higher" else -1
    threshold = _threshold(scale)
    assert _direction(scale, sign * threshold) == "improved"
    assert _direction(scale, sign * (threshold - _step(scale))) == "stable"


@pytest.mark.parametrize("scale", SCALES, ids=lambda s: s.id)
def test_worsening_at_the_threshold_counts_and_just_short_does_not(scale: Scale) -> None:
    sign = -1 if scale.better == "higher" else 1
    threshold = _threshold(scale)
    assert _direction(scale, sign * threshold) == "worsened"
    assert _direction(scale, sign * (threshold - _step(scale))) == "stable"


@pytest.mark.parametrize(
    ("before", "after", "scale_id", "expected"),
    [
        ({"incat_arm": 1, "incat_leg": 2}, {"incat_arm": 1, "incat_leg": 1}, "incat", "improved"),
        ({"incat_arm": 1, "incat_leg": 2}, {"incat_arm": 1, "incat_leg": 2}, "incat", "stable"),
        ({"incat_arm": 1, "incat_leg": 2}, {"incat_arm": 2, "incat_leg": 2}, "incat", "worsened"),
        ({"mrc_sum": 50}, {"mrc_sum": 52}, "mrc_sum", "improved"),
        ({"mrc_sum": 50}, {"mrc_sum": 51}, "mrc_sum", "stable"),
        ({"mrc_sum": 50}, {"mrc_sum": 48}, "mrc_sum", "worsened"),
        ({"mrc_sum": 50}, {"mrc_sum": 49}, "mrc_sum", "stable"),
        ({"i_rods": 50}, {"i_rods": 54}, "i_rods", "improved"),
        ({"i_rods": 50}, {"i_rods": 53}, "i_rods", "stable"),
        ({"i_rods": 50}, {"i_rods": 46}, "i_rods", "worsened"),
        ({"mrs": 2}, {"mrs": 1}, "mrs", "improved"),
        ({"mrs": 2}, {"mrs": 3}, "mrs", "worsened"),
        ({"walk_10m": 10}, {"walk_10m": 9}, "walk_10m", "improved"),
        ({"walk_10m": 10}, {"walk_10m": 10.5}, "walk_10m", "stable"),
    ],
)
def test_pinned_pairs(
    before: dict[str, float], after: dict[str, float], scale_id: str, expected: str
) -> None:
    assert summarize(two_visits(before, after)).scales[scale_id].direction == expected


def test_direction_is_null_when_the_latest_visit_did_not_measure_the_scale() -> None:
    result = summarize(two_visits({"mrc_sum": 50, "mrs": 2}, {"mrs": 2}))
    mrc = result.scales["mrc_sum"]
    assert (mrc.baseline, mrc.latest, mrc.change, mrc.direction) == (50, None, None, None)
    assert any("MRC sum was not measured at the latest visit" in n for n in result.notes)


def test_incat_total_needs_both_arm_and_leg() -> None:
    # Half a score is not a score: leg alone gives no INCAT total.
    result = summarize(two_visits({"incat_leg": 2}, {"incat_leg": 1}))
    assert "incat" not in result.scales


def test_the_text_view_says_what_each_grade_means() -> None:
    text = summarize(
        two_visits(
            {"mrs": 2, "incat_arm": 0, "incat_leg": 3}, {"mrs": 1, "incat_arm": 0, "incat_leg": 2}
        )
    ).render_text()
    assert "slight disability" in text  # mRS 2
    assert "usually uses bilateral support" in text  # INCAT leg 3
    assert "unilateral support" in text  # INCAT leg 2
    assert "supports, and does not replace, clinical judgment" in text


def test_unverified_mcid_is_flagged_in_json_and_text() -> None:
    result = summarize(two_visits({"mrc_sum": 50}, {"mrc_sum": 53}))
    assert result.to_json_dict()["scales"]["mrc_sum"]["mcid_verified"] is False
    assert "NOT VERIFIED" in result.render_text()

"""Responder definitions: yes, no, and null when too little was measured."""

from __future__ import annotations

from typing import Any

import pytest

from mgpn.outcomes import summarize

from .builders import case_with, two_visits


def _answer(before: dict[str, Any], after: dict[str, Any], rule: str) -> bool | None:
    results = {r.id: r for r in summarize(two_visits(before, after)).responder}
    return results[rule].value


BASE = {"incat_arm": 1, "incat_leg": 2, "incat_sensory_sum": 8, "mrc_sum": 50}


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # two of the three scales improve by at least one point -> responder
        ({"incat_arm": 1, "incat_leg": 1, "incat_sensory_sum": 7, "mrc_sum": 50}, True),
        # only one scale improves, the other two measured and unchanged -> not a responder
        ({"incat_arm": 1, "incat_leg": 1, "incat_sensory_sum": 8, "mrc_sum": 50}, False),
        # MRC improves by exactly one point: counts for this definition (1 point)
        ({"incat_arm": 1, "incat_leg": 1, "incat_sensory_sum": 8, "mrc_sum": 51}, True),
        # one improved, two not measured at the latest visit -> cannot tell
        ({"incat_arm": 1, "incat_leg": 1}, None),
    ],
)
def test_seed_definition_two_scales_one_point(after: dict[str, Any], expected: bool | None) -> None:
    assert _answer(BASE, after, "two_scales_one_point") is expected


def test_seed_definition_is_false_when_even_the_unmeasured_could_not_make_two() -> None:
    # INCAT measured and unchanged, MRC measured and unchanged, ISS missing: at most 1 of 3.
    before = {"incat_arm": 1, "incat_leg": 2, "mrc_sum": 50}
    assert _answer(before, dict(before), "two_scales_one_point") is False


def test_seed_definition_null_when_nothing_was_measured() -> None:
    assert _answer({"mrs": 2}, {"mrs": 1}, "two_scales_one_point") is None


@pytest.mark.parametrize(
    ("leg_before", "leg_after", "expected"),
    [(2, 1, True), (2, 2, False), (None, 1, None)],
)
def test_incat_leg_definition(
    leg_before: int | None, leg_after: int, expected: bool | None
) -> None:
    before = {} if leg_before is None else {"incat_leg": leg_before}
    assert _answer(before, {"incat_leg": leg_after}, "incat_leg_one_point") is expected


@pytest.mark.parametrize(("leg_after", "expected"), [(0, True), (1, False)])
def test_rimag_two_point_incat_boundary(leg_after: int, expected: bool) -> None:
    before = {"incat_arm": 1, "incat_leg": 2}
    after = {"incat_arm": 1, "incat_leg": leg_after}
    assert _answer(before, after, "incat_two_points") is expected


def test_a_single_visit_answers_null_for_every_definition() -> None:
    result = summarize(case_with([{"date": "2024-01-10", **BASE}]))
    assert [r.value for r in result.responder] == [None] * len(result.responder)
    assert any("Fewer than two time points" in w for w in result.warnings)


def test_each_definition_reports_its_reference() -> None:
    refs = {r.id: r.reference for r in summarize(two_visits(BASE, BASE)).responder}
    assert refs["two_scales_one_point"] == "seed:25"
    assert "pmid:19334068" in refs["incat_leg_one_point"]
    assert "pmid:23667063" in refs["incat_two_points"]

"""Property: on any small cohort (tiny groups, ties, blanks, missing columns) the
analysis completes, and every pairwise p it reports equals scipy's."""

from __future__ import annotations

import math

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mgpn.cohort import NotComputed, analyze_cohort, validate_frame

GROUPS = ["igm_pnp", "mmn", "control", "cidp"]

participants = st.lists(
    st.tuples(
        st.sampled_from(GROUPS),
        st.one_of(st.none(), st.booleans()),
        # few distinct values, so ties are common
        st.one_of(st.none(), st.sampled_from([0.5, 1.0, 1.0, 2.0, 3.5, 8.0])),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=40, deadline=None)
@given(participants)
def test_any_small_cohort_is_analysed_or_stated_not_computed(
    rows: list[tuple[str, bool | None, float | None]],
) -> None:
    frame = pl.DataFrame(
        {
            "id": [str(i) for i in range(len(rows))],
            "group": [g for g, _, _ in rows],
            "anti_mag": [m for _, m, _ in rows],
            "x": [v for _, _, v in rows],
        },
        schema={"id": pl.String, "group": pl.String, "anti_mag": pl.Boolean, "x": pl.Float64},
    )
    analysis = analyze_cohort(validate_frame(frame))
    result = analysis.markers["x"]
    samples = {
        g: [v for gg, _, v in rows if gg == g and v is not None]
        for g in ("igm_pnp", "mmn", "control")
    }
    samples["anti_mag"] = [v for g, m, v in rows if g == "igm_pnp" and m is True and v is not None]
    for pair in result.pairwise:
        if pair.not_computed:
            assert pair.U is None and pair.p is None
            continue
        expected = stats.mannwhitneyu(samples[pair.a], samples[pair.b], alternative="two-sided")
        assert pair.p is not None and math.isclose(pair.p, expected.pvalue, rel_tol=1e-12)
        assert pair.p_adjusted is not None and pair.p_adjusted >= pair.p
    assert isinstance(analysis.severity["x"], NotComputed)  # no odss column: stated
    assert analysis.to_json()  # no NaN or infinity reaches the JSON

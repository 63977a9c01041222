"""Every statistic in the JSON equals scipy/statsmodels/scikit-posthocs run here,
independently, on the same values; degenerate samples are stated, not crashed on."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scikit_posthocs
from scipy import stats
from statsmodels.stats.multitest import multipletests
from typer.testing import CliRunner

from mgpn.cli.main import app
from mgpn.cohort import analyze_cohort, load_cohort

Row = dict[str, Any]

# The fixture, as plain lists: (group, anti_mag, il6, odss, odss_followup, rituximab)
# with ties (2.0, 3.5 repeated) and blanks (None) on purpose.
PARTICIPANTS: list[tuple[str, bool | None, float | None, int | None, int | None, bool | None]] = [
    ("igm_pnp", True, 4.1, 2, 3, True),
    ("igm_pnp", True, 3.5, 4, 4, False),
    ("igm_pnp", False, 2.0, 1, 2, True),
    ("igm_pnp", True, 6.2, 5, 7, True),
    ("igm_pnp", False, 3.5, 3, 3, False),
    ("igm_pnp", None, 9.0, 6, 6, False),
    ("igm_pnp", False, None, 2, None, None),
    ("igm_pnp", True, 5.1, 3, 4, None),
    ("igm_pnp", False, 2.8, 1, 1, True),
    ("mmn", None, 2.0, None, None, None),
    ("mmn", None, 1.4, None, None, None),
    ("mmn", None, 2.2, None, None, None),
    ("mmn", None, 3.5, None, None, None),
    ("mmn", None, 1.1, None, None, None),
    ("control", None, 1.0, None, None, None),
    ("control", None, 2.0, None, None, None),
    ("control", None, 1.5, None, None, None),
    ("control", None, 0.8, None, None, None),
    ("control", None, 2.0, None, None, None),
    ("control", None, None, None, None, None),
    ("control", None, 1.2, None, None, None),
]


def rows() -> list[Row]:
    return [
        {
            "id": f"P{i}",
            "group": group,
            "anti_mag": None if mag is None else str(mag).lower(),
            "il6_pg_ml": il6,
            "odss": odss,
            "odss_followup": follow,
            "rituximab_response": None if rtx is None else str(rtx).lower(),
            "site": "Utrecht",  # an unknown text column: kept and reported
        }
        for i, (group, mag, il6, odss, follow, rtx) in enumerate(PARTICIPANTS)
    ]


def il6(group: str, anti_mag: bool | None = None) -> np.ndarray:
    return np.array(
        [
            v
            for g, mag, v, *_ in PARTICIPANTS
            if g == group and v is not None and (anti_mag is None or mag is anti_mag)
        ]
    )


def analysis_json(path: Path, *extra: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["cohort", "analyze", str(path), "--format", "json", *extra])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


@pytest.fixture
def document(cohort_csv: Callable[[Sequence[Row]], Path]) -> dict[str, Any]:
    return analysis_json(cohort_csv(rows()))


def marker(document: dict[str, Any]) -> dict[str, Any]:
    markers = document["markers"]
    assert isinstance(markers, dict)
    result: dict[str, Any] = markers["il6_pg_ml"]
    return result


def test_counts_and_format(document: dict[str, Any]) -> None:
    assert document["format"] == "mgpn-cohort-analysis/1"
    assert document["n"] == len(PARTICIPANTS)
    assert document["groups"] == {"igm_pnp": 9, "anti_mag": 4, "mmn": 5, "control": 7}
    assert document["other_columns"] == ["site"]
    assert "not for individual patient decisions" in str(document["disclaimer"])


def test_group_quartiles_equal_numpy(document: dict[str, Any]) -> None:
    by_group = marker(document)["by_group"]
    assert isinstance(by_group, dict)
    samples = {
        "igm_pnp": il6("igm_pnp"),
        "anti_mag": il6("igm_pnp", True),
        "mmn": il6("mmn"),
        "control": il6("control"),
    }
    for name, values in samples.items():
        q1, median, q3 = np.percentile(values, [25, 50, 75])
        assert by_group[name]["n"] == values.size
        assert by_group[name]["median"] == pytest.approx(median, rel=1e-12)
        assert by_group[name]["q1"] == pytest.approx(q1, rel=1e-12)
        assert by_group[name]["q3"] == pytest.approx(q3, rel=1e-12)


def test_reference_limit_and_fraction_above(document: dict[str, Any]) -> None:
    result = marker(document)
    limit = np.percentile(il6("control"), 97.5)
    assert result["reference_limit"] == pytest.approx(limit, rel=1e-12)
    by_group = result["by_group"]
    assert isinstance(by_group, dict)
    expected = np.mean(il6("igm_pnp") > limit)
    assert by_group["igm_pnp"]["above_reference"] == pytest.approx(expected, rel=1e-12)


def test_kruskal_equals_scipy(document: dict[str, Any]) -> None:
    kruskal = marker(document)["kruskal"]
    expected = stats.kruskal(il6("igm_pnp"), il6("mmn"), il6("control"))
    assert kruskal == {
        "H": pytest.approx(expected.statistic, rel=1e-12),
        "p": pytest.approx(expected.pvalue, rel=1e-12),
        "groups": ["igm_pnp", "mmn", "control"],
    }


def test_pairwise_mann_whitney_with_holm_equals_scipy_statsmodels(
    document: dict[str, Any],
) -> None:
    samples = {
        "igm_pnp": il6("igm_pnp"),
        "anti_mag": il6("igm_pnp", True),
        "mmn": il6("mmn"),
        "control": il6("control"),
    }
    pairs = [
        ("igm_pnp", "mmn"),
        ("igm_pnp", "control"),
        ("mmn", "control"),
        ("anti_mag", "control"),
        ("anti_mag", "mmn"),
    ]
    tests = [stats.mannwhitneyu(samples[a], samples[b], alternative="two-sided") for a, b in pairs]
    adjusted = multipletests([t.pvalue for t in tests], method="holm")[1]
    pairwise = marker(document)["pairwise"]
    assert isinstance(pairwise, list)
    assert [(p["a"], p["b"]) for p in pairwise] == pairs
    for got, test, p_adj in zip(pairwise, tests, adjusted, strict=True):
        assert got["U"] == pytest.approx(test.statistic, rel=1e-12)
        assert got["p"] == pytest.approx(test.pvalue, rel=1e-12)
        assert got["p_adjusted"] == pytest.approx(p_adj, rel=1e-12)
        assert got["method"] == "mann-whitney two-sided"


def test_dunn_equals_scikit_posthocs(document: dict[str, Any]) -> None:
    dunn = marker(document)["dunn"]
    assert isinstance(dunn, dict)
    frame_values = [il6("igm_pnp"), il6("mmn"), il6("control")]
    matrix = scikit_posthocs.posthoc_dunn(frame_values, p_adjust="holm").to_numpy()
    assert dunn["p_adjust"] == "holm"
    got = {(p["a"], p["b"]): p["p_adjusted"] for p in dunn["pairs"]}
    assert got[("igm_pnp", "mmn")] == pytest.approx(matrix[0, 1], rel=1e-12)
    assert got[("igm_pnp", "control")] == pytest.approx(matrix[0, 2], rel=1e-12)
    assert got[("mmn", "control")] == pytest.approx(matrix[1, 2], rel=1e-12)


def test_spearman_severity_and_progression_equal_scipy(document: dict[str, Any]) -> None:
    igm = [p for p in PARTICIPANTS if p[0] == "igm_pnp"]
    sev = [(v, o) for _, _, v, o, _, _ in igm if v is not None and o is not None]
    prog = [
        (v, f - o) for _, _, v, o, f, _ in igm if v is not None and o is not None and f is not None
    ]
    for key, pairs in (("severity", sev), ("progression", prog)):
        expected = stats.spearmanr([a for a, _ in pairs], [b for _, b in pairs])
        got = document[key]["il6_pg_ml"]
        assert got["n"] == len(pairs)
        assert got["spearman_rho"] == pytest.approx(expected.statistic, rel=1e-12)
        assert got["p"] == pytest.approx(expected.pvalue, rel=1e-12)


def test_rituximab_responders_vs_nonresponders_equals_scipy(document: dict[str, Any]) -> None:
    igm = [p for p in PARTICIPANTS if p[0] == "igm_pnp" and p[2] is not None]
    responders = [p[2] for p in igm if p[5] is True]
    others = [p[2] for p in igm if p[5] is False]
    expected = stats.mannwhitneyu(responders, others, alternative="two-sided")
    got = document["rituximab"]["il6_pg_ml"]
    assert got["U"] == pytest.approx(expected.statistic, rel=1e-12)
    assert got["p"] == pytest.approx(expected.pvalue, rel=1e-12)
    assert (got["n_responders"], got["n_nonresponders"]) == (len(responders), len(others))


def test_tiny_group_is_not_computed_with_reason(
    cohort_csv: Callable[[Sequence[Row]], Path],
) -> None:
    tiny = [r for r in rows() if r["group"] != "mmn"] + [
        {"id": "M1", "group": "mmn", "il6_pg_ml": 1.0},
        {"id": "M2", "group": "mmn", "il6_pg_ml": 2.0},
    ]
    result = marker(analysis_json(cohort_csv(tiny)))
    pairwise = {(p["a"], p["b"]): p for p in result["pairwise"]}
    assert "fewer than 3" in pairwise[("igm_pnp", "mmn")]["not_computed"]
    assert "U" not in pairwise[("igm_pnp", "mmn")]
    # Holm runs over the pairs that could be tested only, and says which.
    computed = [p for p in pairwise.values() if "p" in p]
    expected = multipletests([p["p"] for p in computed], method="holm")[1]
    assert [p["p_adjusted"] for p in computed] == pytest.approx(list(expected), rel=1e-12)
    kruskal = result["kruskal"]
    assert kruskal["groups"] == ["igm_pnp", "control"]
    assert "mmn" in kruskal["excluded"]
    expected_h = stats.kruskal(il6("igm_pnp"), il6("control"))
    assert kruskal["H"] == pytest.approx(expected_h.statistic, rel=1e-12)


def test_all_blank_marker_and_all_ties_are_stated(
    cohort_csv: Callable[[Sequence[Row]], Path],
) -> None:
    data = [dict(r, blank_marker=None, tied_marker=2.5) for r in rows()]
    document = analysis_json(cohort_csv(data))
    blank = document["markers"]["blank_marker"]
    assert blank["by_group"]["igm_pnp"] == {"n": 0, "not_computed": "no values in this group"}
    assert "no values" in blank["reference_limit"]["not_computed"]
    assert "not_computed" in blank["kruskal"]
    assert all("not_computed" in p for p in blank["pairwise"])
    assert "not_computed" in document["severity"]["blank_marker"]
    tied = document["markers"]["tied_marker"]
    assert "tied" in tied["kruskal"]["not_computed"]
    assert "tied" in tied["dunn"]["not_computed"]
    assert "same value" in document["severity"]["tied_marker"]["not_computed"]


def test_markers_option_restricts_the_analysis(
    cohort_csv: Callable[[Sequence[Row]], Path],
) -> None:
    data = [dict(r, il10_pg_ml=1.5) for r in rows()]
    document = analysis_json(cohort_csv(data), "--markers", "il10_pg_ml")
    assert list(document["markers"]) == ["il10_pg_ml"]


def test_summary_table_has_one_row_per_marker_and_group(
    cohort_csv: Callable[[Sequence[Row]], Path],
) -> None:
    analysis = analyze_cohort(load_cohort(cohort_csv(rows())))
    table = analysis.summary_table()
    assert table.height == 4
    assert table.filter(table["group"] == "control")["median"].item() == pytest.approx(
        float(np.median(il6("control")))
    )

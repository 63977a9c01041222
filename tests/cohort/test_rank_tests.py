"""Dunn's test and Holm's adjustment equal scikit-posthocs and statsmodels, ties included,
and typed CSV reading gives the same cohort as reading every cell as text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import scikit_posthocs
from statsmodels.stats.multitest import multipletests

from mgpn.cohort import load_cohort, validate_frame
from mgpn.cohort.loading import _read_csv
from mgpn.cohort.rank_tests import dunn_holm, holm
from mgpn.errors import CohortError

MakeCsv = Callable[[Sequence[dict[str, object]]], Path]


def _samples(seed: int, sizes: tuple[int, ...], tied: bool) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for index, size in enumerate(sizes):
        values = rng.lognormal(mean=0.2 * index, sigma=0.8, size=size)
        out.append(np.round(values, 1) if tied else values)  # rounding makes many ties
    return out


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("tied", [False, True])
@pytest.mark.parametrize("sizes", [(5, 7, 9), (30, 3, 12), (200, 150, 180), (4, 6)])
def test_dunn_equals_scikit_posthocs(seed: int, tied: bool, sizes: tuple[int, ...]) -> None:
    samples = _samples(seed, sizes, tied)
    matrix = scikit_posthocs.posthoc_dunn(samples, p_adjust="holm").to_numpy()
    upper = np.triu_indices(len(samples), 1)
    np.testing.assert_allclose(dunn_holm(samples), matrix[upper], rtol=1e-10, atol=1e-14)


def test_dunn_with_every_value_in_few_tie_groups() -> None:
    samples = [np.array([1.0, 1.0, 2.0, 2.0, 3.0]), np.array([2.0, 3.0, 3.0, 3.0]),
               np.array([1.0, 1.0, 1.0, 2.0])]  # fmt: skip
    expected = scikit_posthocs.posthoc_dunn(samples, p_adjust="holm").to_numpy()
    np.testing.assert_allclose(dunn_holm(samples), expected[np.triu_indices(3, 1)], rtol=1e-10)


@pytest.mark.parametrize(
    "p", [[0.01, 0.04, 0.03], [0.2, 0.2, 0.001, 0.5, 0.049], [0.9], [0.5, 0.6, 0.7, 0.99]]
)
def test_holm_equals_statsmodels(p: list[float]) -> None:
    np.testing.assert_allclose(holm(p), multipletests(p, method="holm")[1], rtol=1e-12)


def test_typed_reading_gives_the_frame_text_reading_gives(tmp_path: Path) -> None:
    path = (
        Path(__file__).resolve().parents[2] / "src" / "mgpn" / "examples" / "cohort-synthetic.csv"
    )
    typed = load_cohort(path)
    as_text = validate_frame(pl.read_csv(path, infer_schema=False), source=str(path))
    assert typed.frame.equals(as_text.frame)
    assert typed.markers == as_text.markers
    assert _read_csv(path).schema["il6_au"] == pl.Float64  # really read typed


@pytest.mark.parametrize("word", ["NaN", "inf", "-Infinity"])
def test_a_nan_or_infinite_cell_is_refused_with_its_row(cohort_csv: MakeCsv, word: str) -> None:
    rows: list[dict[str, object]] = [
        {"id": f"P{i}", "group": "control", "il6": 1.0 + i} for i in range(5)
    ]
    rows[3]["il6"] = word
    with pytest.raises(CohortError) as caught:
        load_cohort(cohort_csv(rows))
    message = "\n".join(str(issue) for issue in caught.value.issues)
    assert "il6" in message and "rows 4" in message


def test_ranges_are_checked_in_typed_files_too(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "id": ["a", "b", "c"],
            "group": ["control"] * 3,
            "age": [40.0, 250.0, 60.0],
            "il6": [1.0, 2.0, 3.0],
        }
    )
    path = tmp_path / "typed.parquet"
    frame.write_parquet(path)
    with pytest.raises(CohortError) as caught:
        load_cohort(path)
    assert any(issue.path == "age" and "rows 2" in issue.message for issue in caught.value.issues)

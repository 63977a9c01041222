"""Box and strip plots of a marker by group (matplotlib, Agg backend, SVG text).

Display choices only; no statistic is computed here. A log axis is used when the
pooled values are all positive and right-skewed (sample skewness above
:data:`LOG_SKEWNESS`), the usual shape of serum cytokine concentrations. Strip
points are thinned to :data:`MAX_POINTS` per group (a fixed random sample, so the
figure is reproducible) to keep the SVG small; the boxes use every value.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Final

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot

import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
from scipy import stats

from mgpn.cohort.statistics import group_samples

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from mgpn.cohort.loading import Cohort
    from mgpn.cohort.results import CohortAnalysis

__all__ = ["LOG_SKEWNESS", "MAX_POINTS", "marker_svg", "plot_marker", "uses_log_scale"]

LOG_SKEWNESS: Final = 1.0
MAX_POINTS: Final = 1500
_JITTER: Final = 0.12


def uses_log_scale(values: npt.NDArray[np.float64]) -> bool:
    """Whether the pooled values are positive and skewed enough for a log axis."""
    if values.size < 3 or np.any(values <= 0) or np.all(values == values[0]):
        return False
    return bool(stats.skew(values) > LOG_SKEWNESS)


def plot_marker(
    cohort: Cohort, analysis: CohortAnalysis, marker: str, ax: Axes | None = None
) -> Axes:
    """Draw ``marker`` by group on ``ax`` (a new figure when None) and return the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.0))
    samples = {
        name: part.get_column(marker).drop_nulls().to_numpy()
        for name, part in group_samples(cohort.frame).items()
    }
    names = [name for name, values in samples.items() if values.size]
    data = [samples[name] for name in names]
    if not data:
        ax.text(0.5, 0.5, f"{marker}: no values", ha="center", va="center")
        ax.set_axis_off()
        return ax
    ax.boxplot(data, tick_labels=names, showfliers=False, widths=0.5)
    rng = np.random.default_rng(0)
    for position, values in enumerate(data, start=1):
        shown = values if values.size <= MAX_POINTS else rng.choice(values, MAX_POINTS, False)
        x = position + rng.uniform(-_JITTER, _JITTER, shown.size)
        ax.scatter(x, shown, s=6, alpha=0.45, color="tab:blue", linewidths=0)
    result = analysis.markers.get(marker)
    if result is not None and isinstance(result.reference_limit, float):
        ax.axhline(result.reference_limit, color="tab:red", linestyle="--", linewidth=1)
        ax.annotate(
            "control 97.5th percentile",
            (1.0, result.reference_limit),
            xycoords=("axes fraction", "data"),
            ha="right",
            va="bottom",
            fontsize=7,
            color="tab:red",
        )
    if uses_log_scale(np.concatenate(data)):
        ax.set_yscale("log")
    ax.set_ylabel(marker)
    title = f"{marker} by group"
    if cohort.synthetic:
        title += " (SYNTHETIC data)"
    ax.set_title(title, fontsize=10)
    return ax


def marker_svg(cohort: Cohort, analysis: CohortAnalysis, marker: str) -> str:
    """The plot as an inline ``<svg>`` element (no XML prolog, no external assets)."""
    figure, ax = plt.subplots(figsize=(6.4, 4.0))
    try:
        plot_marker(cohort, analysis, marker, ax=ax)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    finally:
        plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]

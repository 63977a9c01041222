"""Dunn's test and Holm's adjustment, vectorised with numpy and scipy.stats.

Why here and not through scikit-posthocs and statsmodels: on a million rows the
library route copies every value into a pandas frame, sorts it twice and imports
pandas and statsmodels (seconds before the first number). These are the same
formulas (Dunn 1964 with the tie correction of Glantz 2012, as scikit-posthocs
computes it; Holm 1979 step-down, as statsmodels ``multipletests(method="holm")``),
and ``tests/cohort/test_rank_tests.py`` checks them against both libraries.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Values = npt.NDArray[np.float64]


def holm(p_values: Sequence[float] | Values) -> Values:
    """Holm's step-down adjusted p-values, in the order given."""
    p = np.asarray(p_values, dtype=np.float64)
    order = np.argsort(p, kind="stable")
    steps = p[order] * np.arange(p.size, 0, -1, dtype=np.float64)
    adjusted = np.minimum(1.0, np.maximum.accumulate(steps))
    out = np.empty_like(adjusted)
    out[order] = adjusted
    return out


def _ranks_and_ties(pooled: Values) -> tuple[Values, float]:
    """Mid-ranks of ``pooled`` (ties share their mean rank) and sum(t^3 - t) over tie groups.

    One sort serves both, where scipy.stats.rankdata and numpy.unique would sort twice.
    """
    order = np.argsort(pooled, kind="stable")
    ordered = pooled[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    counts = np.diff(np.r_[starts, ordered.size]).astype(np.float64)
    # Ranks are 1-based; a tie group of t values starting at position s gets s + (t + 1) / 2.
    mid = starts + (counts + 1.0) / 2.0
    ranks = np.empty(ordered.size, dtype=np.float64)
    ranks[order] = np.repeat(mid, counts.astype(np.int64))
    return ranks, float(np.sum(counts**3 - counts))


def dunn_holm(samples: Sequence[Values]) -> Values:
    """Two-sided Dunn's test p-values, Holm-adjusted, for every pair ``i < j`` in order.

    The pairs come as (0, 1), (0, 2), ..., (1, 2), ...: numpy's upper-triangle order,
    which is the order scikit-posthocs adjusts them in.
    """
    from scipy.stats import norm

    sizes = np.array([len(s) for s in samples], dtype=np.float64)
    pooled = np.concatenate([np.asarray(s, dtype=np.float64) for s in samples])
    n = float(pooled.size)
    ranks, tie_sum = _ranks_and_ties(pooled)
    bounds = np.cumsum(sizes.astype(np.int64))[:-1]
    mean_ranks = np.array([part.mean() for part in np.split(ranks, bounds)])
    i, j = np.triu_indices(len(samples), 1)
    variance = n * (n + 1.0) / 12.0 - tie_sum / (12.0 * (n - 1.0))
    z = np.abs(mean_ranks[i] - mean_ranks[j]) / np.sqrt(
        variance * (1.0 / sizes[i] + 1.0 / sizes[j])
    )
    return holm(2.0 * norm.sf(z))

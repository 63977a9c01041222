"""The baseline of the cohort benchmark: the same analysis as a plain polars + scipy script.

What a statistician would write by hand for ``mgpn cohort analyze --format json``:
read the CSV with polars (typed), per marker the group medians and quartiles, the
control 97.5th percentile, Kruskal-Wallis, Dunn's test (ranks and the normal
distribution, Holm-adjusted), five Mann-Whitney pairs (Holm), Spearman with severity
and progression in igm_pnp, and Mann-Whitney for rituximab response; the result
dumped as JSON. No validation, no messages, no report: the floor mgpn is compared with.

    python benchmarks/cohort_baseline.py cohort.csv
"""

from __future__ import annotations

import json
import sys

import numpy as np
import polars as pl
from scipy import stats


def holm(p: np.ndarray) -> np.ndarray:
    order = np.argsort(p)
    adjusted = np.minimum(1.0, np.maximum.accumulate(p[order] * np.arange(p.size, 0, -1)))
    out = np.empty_like(adjusted)
    out[order] = adjusted
    return out


def dunn(samples: list[np.ndarray]) -> list[float]:
    pooled = np.concatenate(samples)
    n = pooled.size
    ranks = stats.rankdata(pooled)
    _, counts = np.unique(pooled, return_counts=True)
    ties = float(np.sum(counts.astype(np.float64) ** 3 - counts)) / (12.0 * (n - 1))
    sizes = np.array([s.size for s in samples], dtype=np.float64)
    means = np.array([r.mean() for r in np.split(ranks, np.cumsum([s.size for s in samples])[:-1])])
    i, j = np.triu_indices(len(samples), 1)
    z = np.abs(means[i] - means[j]) / np.sqrt(
        (n * (n + 1) / 12.0 - ties) * (1 / sizes[i] + 1 / sizes[j])
    )
    return [float(v) for v in holm(2 * stats.norm.sf(z))]


def analyze(path: str) -> dict[str, object]:
    frame = pl.read_csv(path)
    markers = [c for c in frame.columns if c.endswith("_au")]
    groups = {str(k[0]): part for k, part in frame.partition_by("group", as_dict=True).items()}
    groups["anti_mag"] = groups["igm_pnp"].filter(pl.col("anti_mag"))
    igm = groups["igm_pnp"]
    out: dict[str, object] = {}
    for marker in markers:
        values = {g: part.get_column(marker).drop_nulls().to_numpy() for g, part in groups.items()}
        summary = {g: [float(x) for x in np.percentile(v, [25, 50, 75])] for g, v in values.items()}
        reference = float(np.percentile(values["control"], 97.5))
        main = [values[g] for g in ("igm_pnp", "mmn", "control")]
        kruskal = stats.kruskal(*main)
        pairs = [
            ("igm_pnp", "mmn"),
            ("igm_pnp", "control"),
            ("mmn", "control"),
            ("anti_mag", "control"),
            ("anti_mag", "mmn"),
        ]
        tests = [
            stats.mannwhitneyu(values[a], values[b], alternative="two-sided") for a, b in pairs
        ]
        adjusted = holm(np.array([t.pvalue for t in tests]))
        severity = igm.select(marker, "odss").drop_nulls()
        progression = igm.select(
            pl.col(marker), (pl.col("odss_followup") - pl.col("odss")).alias("d")
        ).drop_nulls()
        response = igm.select(marker, "rituximab_response").drop_nulls()
        yes = response.filter(pl.col("rituximab_response")).get_column(marker).to_numpy()
        no = response.filter(~pl.col("rituximab_response")).get_column(marker).to_numpy()
        out[marker] = {
            "summary": summary,
            "reference": reference,
            "above": {g: float(np.mean(v > reference)) for g, v in values.items()},
            "kruskal": [float(kruskal.statistic), float(kruskal.pvalue)],
            "dunn": dunn(main),
            "pairs": [
                [float(t.statistic), float(t.pvalue), float(p)]
                for t, p in zip(tests, adjusted, strict=True)
            ],
            "severity": float(stats.spearmanr(severity[marker], severity["odss"]).statistic),
            "progression": float(stats.spearmanr(progression[marker], progression["d"]).statistic),
            "rituximab": float(stats.mannwhitneyu(yes, no, alternative="two-sided").pvalue),
        }
    return out


if __name__ == "__main__":
    print(json.dumps(analyze(sys.argv[1]))[:200])

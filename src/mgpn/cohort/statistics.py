"""Fill a :class:`CohortAnalysis` from a :class:`Cohort` with scipy, exactly as
shared/spec/cohort-format.md states.

No test statistic is computed by hand here: this module only chooses the samples,
decides when a test has too little information to be run (and says why), and calls
the libraries with every option spelled out. Dunn's test and Holm's adjustment come
from :mod:`mgpn.cohort.rank_tests` (the formulas of scikit-posthocs and statsmodels,
vectorised; checked against both in the tests). scipy is imported by the functions
that use it, so loading and validating a cohort does not pay for it.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from mgpn.cohort import columns as col
from mgpn.cohort.loading import Cohort
from mgpn.cohort.rank_tests import dunn_holm, holm
from mgpn.cohort.results import (
    CohortAnalysis,
    DunnPair,
    DunnResult,
    GroupSummary,
    KruskalResult,
    MarkerResult,
    NotComputed,
    PairwiseResult,
    RituximabResult,
    SpearmanResult,
)

__all__ = [
    "MIN_GROUP_SIZE",
    "REFERENCE_PERCENTILE",
    "analyze_cohort",
    "group_samples",
    "methods_text",
]

Values = npt.NDArray[np.float64]

# Smallest sample a rank test or correlation is run on. A methodological choice,
# not a clinical number: with fewer values a p-value carries no information.
MIN_GROUP_SIZE: Final = 3
# Upper reference limit: the 97.5th percentile of the controls (the contract).
REFERENCE_PERCENTILE: Final = 97.5
MANN_WHITNEY_METHOD: Final = "mann-whitney two-sided"
HOLM: Final = "holm"


def analyze_cohort(cohort: Cohort) -> CohortAnalysis:
    """Run every analysis of ``mgpn-cohort-analysis/1`` on ``cohort``."""
    frame = cohort.frame
    samples = group_samples(frame)
    notes = list(cohort.notes)
    if cohort.synthetic:
        notes.insert(
            0,
            "SYNTHETIC cohort (made by 'mgpn cohort simulate'): the numbers illustrate the "
            "method and are not evidence about patients.",
        )
    if col.IGM_PNP in samples and col.ANTI_MAG in frame.columns:
        unknown = samples[col.IGM_PNP].get_column(col.ANTI_MAG).null_count()
        if unknown:
            notes.append(
                f"anti_mag is blank for {unknown} igm_pnp participant(s); they are left out "
                "of the anti-MAG subgroup, so its size is a lower bound."
            )
    if not cohort.markers:
        notes.append("No numeric marker columns were found; nothing to compare.")

    markers = {m: _marker_result(samples, m) for m in cohort.markers}
    igm = samples.get(col.IGM_PNP, frame.clear())
    severity = {m: _spearman_within(igm, m, col.ODSS, "severity (odss)") for m in cohort.markers}
    progression = {m: _progression(igm, m) for m in cohort.markers}
    rituximab = {m: _rituximab(igm, m) for m in cohort.markers}
    if any(isinstance(r.reference_limit, float) for r in markers.values()):
        control_n = min(
            (r.by_group[col.CONTROL].n for r in markers.values() if col.CONTROL in r.by_group),
            default=0,
        )
        notes.append(
            f"Reference limits come from as few as {control_n} controls in this file; "
            "they are study-internal, not laboratory reference ranges."
        )

    analysis = CohortAnalysis(
        source=cohort.source,
        synthetic=cohort.synthetic,
        n=cohort.n,
        groups={name: part.height for name, part in samples.items()},
        markers=markers,
        severity=severity,
        progression=progression,
        rituximab=rituximab,
        other_columns=list(cohort.other_columns),
        methods=methods_text(),
        notes=notes,
    )
    return analysis.attach(cohort)


def methods_text() -> str:
    """The methods paragraph: each test with the options it was run with."""
    return (
        "Values are summarised per group as median and quartiles (numpy.percentile, "
        "linear interpolation) over non-blank values; blank cells are unknown and left out "
        "of each test separately. The anti-MAG subgroup is the igm_pnp participants with "
        "anti_mag true. Kruskal-Wallis H test (scipy.stats.kruskal, tie-corrected) across "
        "igm_pnp, mmn and control, followed by Dunn's test (two-sided, mid-ranks, "
        "tie-corrected as in Glantz 2012; the computation of scikit_posthocs.posthoc_dunn) "
        "with Holm adjustment over its three pairs. Pairwise "
        "two-sided Mann-Whitney U tests (scipy.stats.mannwhitneyu, alternative='two-sided', "
        "method='auto': exact when one sample has at most 8 values and there are no ties, "
        "otherwise the normal approximation with tie and continuity correction) for "
        "igm_pnp-mmn, igm_pnp-control, mmn-control, anti_mag-control and anti_mag-mmn "
        "(anti_mag is not tested against igm_pnp because it is a subset of it); p-values "
        "adjusted by Holm's step-down method (as statsmodels multipletests, method='holm') "
        "over the pairs of each marker that could be tested; U is reported for the first group "
        "named. The reference limit is the 97.5th percentile of the controls "
        "(numpy.percentile, linear interpolation); above_reference is the fraction of a "
        "group's values strictly above it. Within igm_pnp, Spearman rank correlations "
        "(scipy.stats.spearmanr, two-sided) of each marker with ODSS (severity) and with "
        "odss_followup - odss (progression), on participants with both values; "
        "rituximab responders vs non-responders compared by the same two-sided "
        f"Mann-Whitney U test (U of the responders). A test is not computed when a sample "
        f"has fewer than {MIN_GROUP_SIZE} values or all its values are equal; the report "
        "says which and why. No adjustment is made across markers or across the "
        "severity, progression and rituximab analyses."
    )


def group_samples(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Participants by group, the named groups first, with the anti-MAG subgroup."""
    parts = {str(key[0]): part for key, part in frame.partition_by(col.GROUP, as_dict=True).items()}
    ordered: dict[str, pl.DataFrame] = {}
    if col.IGM_PNP in parts:
        ordered[col.IGM_PNP] = parts[col.IGM_PNP]
        if col.ANTI_MAG in frame.columns:
            ordered[col.ANTI_MAG_SUBGROUP] = parts[col.IGM_PNP].filter(pl.col(col.ANTI_MAG))
    for name in (col.MMN, col.CONTROL, *sorted(parts)):
        if name in parts and name not in ordered:
            ordered[name] = parts[name]
    return ordered


def _values(part: pl.DataFrame, marker: str) -> Values:
    # Sorted once here. Rank tests and percentiles do not depend on the order within a
    # sample, and every ranking below (scipy's and Dunn's) uses a stable sort, which
    # merges already-sorted runs in linear time: on a million rows that is several
    # times faster than sorting the pooled values again for each test.
    values = part.get_column(marker).drop_nulls().to_numpy().astype(np.float64, copy=False)
    return np.sort(values)


def _too_small(label: str, values: Values) -> str | None:
    """Why a sample cannot enter a test, or None when it can."""
    if values.size == 0:
        return f"{label} has no values"
    if values.size < MIN_GROUP_SIZE:
        return f"{label} has {values.size} value(s), fewer than {MIN_GROUP_SIZE}"
    return None


def _all_tied(*samples: Values) -> bool:
    pooled = np.concatenate(samples)
    return bool(pooled.size > 0 and np.all(pooled == pooled[0]))


def _marker_result(samples: dict[str, pl.DataFrame], marker: str) -> MarkerResult:
    values = {name: _values(part, marker) for name, part in samples.items()}
    reference = _reference_limit(values.get(col.CONTROL))
    by_group = {
        name: _summary(v, reference if isinstance(reference, float) else None)
        for name, v in values.items()
    }
    return MarkerResult(
        by_group=by_group,
        reference_limit=reference,
        kruskal=_kruskal(values),
        pairwise=_pairwise(values),
        dunn=_dunn(values),
    )


def _summary(values: Values, reference: float | None) -> GroupSummary:
    if values.size == 0:
        return GroupSummary(n=0, not_computed="no values in this group")
    q1, median, q3 = np.percentile(values, [25.0, 50.0, 75.0])
    above = float(np.mean(values > reference)) if reference is not None else None
    return GroupSummary(
        n=int(values.size),
        median=float(median),
        q1=float(q1),
        q3=float(q3),
        above_reference=above,
    )


def _reference_limit(controls: Values | None) -> float | NotComputed:
    if controls is None:
        return NotComputed(not_computed="no 'control' group in the file")
    reason = _too_small("control", controls)
    if reason:
        return NotComputed(not_computed=reason)
    return float(np.percentile(controls, REFERENCE_PERCENTILE))


def _kruskal(values: dict[str, Values]) -> KruskalResult | NotComputed:
    used: dict[str, Values] = {}
    excluded: dict[str, str] = {}
    for name in col.KRUSKAL_GROUPS:
        sample = values.get(name)
        reason = "not in the file" if sample is None else _too_small(name, sample)
        if reason:
            excluded[name] = reason
        elif sample is not None:
            used[name] = sample
    if len(used) < 2:
        return NotComputed(
            not_computed="fewer than two of igm_pnp, mmn, control have enough values: "
            + "; ".join(excluded.values())
        )
    if _all_tied(*used.values()):
        return NotComputed(not_computed="all values are equal (every value tied)")
    from scipy import stats

    result = stats.kruskal(*used.values())
    return KruskalResult(
        H=float(result.statistic),
        p=float(result.pvalue),
        groups=list(used),
        excluded=excluded or None,
    )


def _dunn(values: dict[str, Values]) -> DunnResult | NotComputed:
    used = {
        name: values[name]
        for name in col.KRUSKAL_GROUPS
        if name in values and _too_small(name, values[name]) is None
    }
    if len(used) < 2:
        return NotComputed(
            not_computed="fewer than two of igm_pnp, mmn, control have enough values"
        )
    if _all_tied(*used.values()):
        return NotComputed(not_computed="all values are equal (every value tied)")
    names = list(used)
    adjusted = iter(dunn_holm(list(used.values())))  # pairs (i, j), i < j, in this order
    pairs = [
        DunnPair(a=names[i], b=names[j], p_adjusted=float(next(adjusted)))
        for i in range(len(names))
        for j in range(i + 1, len(names))
    ]
    return DunnResult(groups=names, p_adjust=HOLM, pairs=pairs)


def _pairwise(values: dict[str, Values]) -> list[PairwiseResult]:
    from scipy import stats

    results: list[PairwiseResult] = []
    tested: list[int] = []
    p_values: list[float] = []
    for a, b in col.PAIRS:
        sample_a, sample_b = values.get(a), values.get(b)
        if sample_a is None or sample_b is None:
            continue  # the group is not in this file at all: nothing to say per marker
        reason = _too_small(a, sample_a) or _too_small(b, sample_b)
        if reason is None and _all_tied(sample_a, sample_b):
            reason = "all values are equal (every value tied)"
        common = {"a": a, "b": b, "n_a": int(sample_a.size), "n_b": int(sample_b.size)}
        if reason:
            results.append(PairwiseResult(**common, not_computed=reason))
            continue
        test = stats.mannwhitneyu(sample_a, sample_b, alternative="two-sided")
        tested.append(len(results))
        p_values.append(float(test.pvalue))
        results.append(PairwiseResult(**common, U=float(test.statistic), p=float(test.pvalue)))
    if p_values:
        adjusted = holm(p_values)
        for index, p_adjusted in zip(tested, adjusted, strict=True):
            results[index] = results[index].model_copy(
                update={"p_adjusted": float(p_adjusted), "method": MANN_WHITNEY_METHOD}
            )
    return results


def _spearman_within(
    part: pl.DataFrame, marker: str, outcome: str, label: str
) -> SpearmanResult | NotComputed:
    if outcome not in part.columns:
        return NotComputed(not_computed=f"no '{outcome}' column in the file")
    pairs = part.select(marker, outcome).drop_nulls()
    return _spearman(
        pairs.get_column(marker).to_numpy(), pairs.get_column(outcome).to_numpy(), label
    )


def _progression(part: pl.DataFrame, marker: str) -> SpearmanResult | NotComputed:
    for needed in (col.ODSS, col.ODSS_FOLLOWUP):
        if needed not in part.columns:
            return NotComputed(not_computed=f"no '{needed}' column in the file")
    pairs = part.select(
        pl.col(marker), (pl.col(col.ODSS_FOLLOWUP) - pl.col(col.ODSS)).alias("change")
    ).drop_nulls()
    return _spearman(
        pairs.get_column(marker).to_numpy(),
        pairs.get_column("change").to_numpy(),
        "progression (odss_followup - odss)",
    )


def _spearman(x: Values, y: Values, label: str) -> SpearmanResult | NotComputed:
    reason = _too_small(f"igm_pnp with both the marker and {label}", x)
    if reason:
        return NotComputed(not_computed=reason)
    if _all_tied(x) or _all_tied(y):
        return NotComputed(not_computed=f"the marker or {label} has the same value for everyone")
    from scipy import stats

    result = stats.spearmanr(x, y)
    return SpearmanResult(
        spearman_rho=float(result.statistic), p=float(result.pvalue), n=int(x.size)
    )


def _rituximab(part: pl.DataFrame, marker: str) -> RituximabResult | NotComputed:
    if col.RITUXIMAB_RESPONSE not in part.columns:
        return NotComputed(not_computed=f"no '{col.RITUXIMAB_RESPONSE}' column in the file")
    known = part.select(marker, col.RITUXIMAB_RESPONSE).drop_nulls()
    responders = _values(known.filter(pl.col(col.RITUXIMAB_RESPONSE)), marker)
    others = _values(known.filter(~pl.col(col.RITUXIMAB_RESPONSE)), marker)
    reason = _too_small("responders", responders) or _too_small("non-responders", others)
    if reason is None and _all_tied(responders, others):
        reason = "all values are equal (every value tied)"
    if reason:
        return NotComputed(not_computed=reason)
    from scipy import stats

    test = stats.mannwhitneyu(responders, others, alternative="two-sided")
    return RituximabResult(
        U=float(test.statistic),
        p=float(test.pvalue),
        n_responders=int(responders.size),
        n_nonresponders=int(others.size),
    )

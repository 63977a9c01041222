"""The cohort analysis as objects, format ``mgpn-cohort-analysis/1``.

Only the shape of the result lives here; :mod:`mgpn.cohort.statistics` fills it and
:mod:`mgpn.cohort.render` formats it. Every statistic is either its values or a
:class:`NotComputed` with the reason, so a tiny group, a column of ties or a blank
marker never crashes a run and never pretends to a number. Values are kept at full
precision (JSON equals what scipy/statsmodels return); renderers round for reading.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl
from pydantic import BaseModel, ConfigDict, PrivateAttr

from mgpn.cohort.columns import ANALYSIS_FORMAT
from mgpn.errors import MgpnError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from mgpn.cohort.loading import Cohort

__all__ = [
    "CohortAnalysis",
    "DunnPair",
    "DunnResult",
    "GroupSummary",
    "KruskalResult",
    "MarkerResult",
    "NotComputed",
    "PairwiseResult",
    "RituximabResult",
    "SpearmanResult",
]

RESEARCH_DISCLAIMER = "Research use; not for individual patient decisions."


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NotComputed(_Model):
    """A statistic that was not computed, and why."""

    not_computed: str


class GroupSummary(_Model):
    n: int
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    above_reference: float | None = None
    """Fraction of the group's values strictly above the controls' reference limit."""
    not_computed: str | None = None


class KruskalResult(_Model):
    H: float
    p: float
    groups: list[str]
    excluded: dict[str, str] | None = None


class PairwiseResult(_Model):
    a: str
    b: str
    n_a: int
    n_b: int
    U: float | None = None
    """Mann-Whitney U of group ``a``."""
    p: float | None = None
    p_adjusted: float | None = None
    method: str | None = None
    not_computed: str | None = None


class DunnPair(_Model):
    a: str
    b: str
    p_adjusted: float


class DunnResult(_Model):
    groups: list[str]
    p_adjust: str
    pairs: list[DunnPair]


class MarkerResult(_Model):
    by_group: dict[str, GroupSummary]
    reference_limit: float | NotComputed
    kruskal: KruskalResult | NotComputed
    pairwise: list[PairwiseResult]
    dunn: DunnResult | NotComputed


class SpearmanResult(_Model):
    spearman_rho: float
    p: float
    n: int


class RituximabResult(_Model):
    U: float
    """Mann-Whitney U of the responders."""
    p: float
    n_responders: int
    n_nonresponders: int


class CohortAnalysis(_Model):
    """The whole analysis; ``to_dict()`` is the ``mgpn-cohort-analysis/1`` document."""

    format: str = ANALYSIS_FORMAT
    source: str
    synthetic: bool
    n: int
    groups: dict[str, int]
    markers: dict[str, MarkerResult]
    severity: dict[str, SpearmanResult | NotComputed]
    progression: dict[str, SpearmanResult | NotComputed]
    rituximab: dict[str, RituximabResult | NotComputed]
    other_columns: list[str]
    methods: str
    notes: list[str]
    disclaimer: str = RESEARCH_DISCLAIMER

    _cohort: Cohort | None = PrivateAttr(default=None)

    def attach(self, cohort: Cohort) -> CohortAnalysis:
        """Keep the data the analysis came from, for plots."""
        self._cohort = cohort
        return self

    @property
    def cohort(self) -> Cohort | None:
        """The data behind the analysis, when it was attached."""
        return self._cohort

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)

    def summary_table(self) -> pl.DataFrame:
        """The one table a paper needs: one row per marker and group."""
        rows: list[dict[str, Any]] = []
        for marker, result in self.markers.items():
            kruskal_p = result.kruskal.p if isinstance(result.kruskal, KruskalResult) else None
            for group, summary in result.by_group.items():
                versus_control = next(
                    (
                        pair
                        for pair in result.pairwise
                        if pair.a == group and pair.b == "control" and pair.p_adjusted is not None
                    ),
                    None,
                )
                rows.append(
                    {
                        "marker": marker,
                        "group": group,
                        "n": summary.n,
                        "median": summary.median,
                        "q1": summary.q1,
                        "q3": summary.q3,
                        "above_reference": summary.above_reference,
                        "p_vs_control_holm": (
                            versus_control.p_adjusted if versus_control else None
                        ),
                        "kruskal_p": kruskal_p,
                    }
                )
        schema = {
            "marker": pl.String,
            "group": pl.String,
            "n": pl.Int64,
            "median": pl.Float64,
            "q1": pl.Float64,
            "q3": pl.Float64,
            "above_reference": pl.Float64,
            "p_vs_control_holm": pl.Float64,
            "kruskal_p": pl.Float64,
        }
        return pl.DataFrame(rows, schema=schema)

    def to_json(self) -> str:
        from mgpn.cohort.render import render_json

        return render_json(self)

    def to_text(self) -> str:
        from mgpn.cohort.render import render_text

        return render_text(self)

    def to_html(self) -> str:
        from mgpn.cohort.render import render_html

        return render_html(self)

    def plot(self, marker: str, ax: Axes | None = None) -> Axes:
        """Box and strip plot of ``marker`` by group (needs the attached cohort)."""
        from mgpn.cohort.plots import plot_marker

        if self._cohort is None:
            raise MgpnError("plot() needs the data: analyse a Cohort with analyze_cohort()")
        return plot_marker(self._cohort, self, marker, ax=ax)

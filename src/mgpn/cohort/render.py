"""Renderers for a :class:`CohortAnalysis`: JSON, text (rich) and HTML (Jinja2).

Renderers only format: every number comes from the analysis object. JSON keeps
full precision; text and HTML round to 3 significant digits for reading.
"""

from __future__ import annotations

import io
import json
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from rich.console import Console
from rich.table import Table

from mgpn.cohort.results import (
    CohortAnalysis,
    DunnResult,
    KruskalResult,
    NotComputed,
    RituximabResult,
    SpearmanResult,
)

__all__ = ["fmt", "fmt_p", "fmt_u", "render_html", "render_json", "render_text"]


def fmt(value: float | int | None, digits: int = 3) -> str:
    """A number for reading: 3 significant digits, p-values below 0.001 as '<0.001'."""
    if value is None:
        return "-"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}g}"


def fmt_p(value: float | None) -> str:
    if value is None:
        return "-"
    return "<0.001" if value < 0.001 else f"{value:.3g}"


def fmt_u(value: float | None) -> str:
    """A Mann-Whitney U (always a multiple of 0.5) in full."""
    return "-" if value is None else f"{value:.1f}"


def render_json(analysis: CohortAnalysis) -> str:
    return json.dumps(analysis.to_dict(), indent=2, allow_nan=False)


def _header(analysis: CohortAnalysis) -> list[str]:
    lines = []
    if analysis.synthetic:
        lines.append("SYNTHETIC COHORT: illustrates the method; not evidence.")
    lines.append(analysis.disclaimer)
    return lines


def _group_table(analysis: CohortAnalysis, marker: str) -> Table:
    result = analysis.markers[marker]
    table = Table(title=f"{marker}", title_justify="left")
    for header in ("group", "n", "median", "q1", "q3", "> ref. limit"):
        table.add_column(header, justify="left" if header == "group" else "right")
    for group, summary in result.by_group.items():
        table.add_row(
            group,
            str(summary.n),
            fmt(summary.median),
            fmt(summary.q1),
            fmt(summary.q3),
            fmt(summary.above_reference),
        )
    return table


def _describe(test: object) -> str:
    if isinstance(test, NotComputed):
        return f"not computed: {test.not_computed}"
    if isinstance(test, KruskalResult):
        text = f"H = {fmt(test.H)}, p = {fmt_p(test.p)} over {', '.join(test.groups)}"
        if test.excluded:
            text += " (left out: " + "; ".join(test.excluded.values()) + ")"
        return text
    if isinstance(test, SpearmanResult):
        return f"rho = {fmt(test.spearman_rho)}, p = {fmt_p(test.p)}, n = {test.n}"
    if isinstance(test, RituximabResult):
        return (
            f"U = {fmt_u(test.U)}, p = {fmt_p(test.p)} "
            f"({test.n_responders} responders, {test.n_nonresponders} non-responders)"
        )
    if isinstance(test, DunnResult):
        return "; ".join(
            f"{pair.a} vs {pair.b} p(Holm) = {fmt_p(pair.p_adjusted)}" for pair in test.pairs
        )
    if isinstance(test, float):
        return fmt(test)
    return str(test)


def render_text(analysis: CohortAnalysis) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, color_system=None, soft_wrap=False)
    for line in _header(analysis):
        console.print(line)
    counts = ", ".join(f"{name} {n}" for name, n in analysis.groups.items())
    console.print(f"Cohort {analysis.source}: {analysis.n} participants ({counts}).")
    for marker, result in analysis.markers.items():
        console.print()
        console.print(_group_table(analysis, marker))
        console.print(
            f"  reference limit (controls, 97.5th pct): {_describe(result.reference_limit)}"
        )
        console.print(f"  Kruskal-Wallis: {_describe(result.kruskal)}")
        console.print(f"  Dunn (Holm): {_describe(result.dunn)}")
        for pair in result.pairwise:
            if pair.not_computed:
                console.print(f"  {pair.a} vs {pair.b}: not computed: {pair.not_computed}")
            else:
                console.print(
                    f"  {pair.a} vs {pair.b}: U = {fmt_u(pair.U)}, p = {fmt_p(pair.p)}, "
                    f"p(Holm) = {fmt_p(pair.p_adjusted)}"
                )
        console.print(
            f"  severity (Spearman with odss, igm_pnp): {_describe(analysis.severity[marker])}"
        )
        console.print(
            f"  progression (Spearman, igm_pnp): {_describe(analysis.progression[marker])}"
        )
        console.print(f"  rituximab responders vs not: {_describe(analysis.rituximab[marker])}")
    console.print()
    console.print("Methods: " + analysis.methods)
    for note in analysis.notes:
        console.print("Note: " + note)
    return buffer.getvalue()


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("mgpn.cohort", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = fmt
    env.filters["fmt_p"] = fmt_p
    env.filters["fmt_u"] = fmt_u
    env.filters["describe"] = _describe
    return env


def render_html(analysis: CohortAnalysis, *, plots: bool = True) -> str:
    """A self-contained HTML report: tables, methods, notes and inline SVG plots."""
    from mgpn.cohort.plots import marker_svg, uses_log_scale

    cohort = analysis.cohort
    figures: dict[str, dict[str, Any]] = {}
    if plots and cohort is not None:
        for marker in analysis.markers:
            values = cohort.frame.get_column(marker).drop_nulls().to_numpy()
            figures[marker] = {
                "svg": marker_svg(cohort, analysis, marker),
                "log": uses_log_scale(values),
            }
    template = _environment().get_template("cohort-report.html")
    return template.render(
        analysis=analysis,
        figures=figures,
        table=analysis.summary_table().to_dicts(),
    )

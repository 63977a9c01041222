"""The follow-up part of a report, from :mod:`mgpn.outcomes` (only for a case with visits)."""

from __future__ import annotations

from mgpn.case import Case
from mgpn.report.view import OutcomeRow, OutcomesView


def _num(value: float | int | None, comparator: str | None = None, unit: str = "") -> str:
    if value is None:
        return "not measured"
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{comparator or ''}{text} {unit}".strip()


def outcomes_view(case: Case) -> OutcomesView | None:
    """Follow-up (plot, changes, warnings) from :mod:`mgpn.outcomes`, when the case has visits."""
    if not case.visits:
        return None
    from mgpn.outcomes import plot, summarize

    summary = summarize(case)
    svg = plot(case, fmt="svg")
    rows = [
        OutcomeRow(
            name=scale.name,
            baseline=_num(scale.baseline),
            latest=_num(scale.latest),
            change=_num(scale.change),
            direction=scale.direction or "not known",
        )
        for scale in summary.scales.values()
    ] + [
        OutcomeRow(
            name=marker.name,
            baseline=_num(marker.baseline, marker.baseline_comparator, marker.unit),
            latest=_num(marker.latest, marker.latest_comparator, marker.unit),
            change="not known"
            if marker.change_percent is None
            else f"{marker.change_percent:+.1f}%",
            direction="",
        )
        for marker in summary.markers.values()
    ]
    return OutcomesView(
        svg=svg.decode("utf-8") if isinstance(svg, bytes) else str(svg),
        baseline=summary.baseline.isoformat() if summary.baseline else None,
        latest=summary.latest.isoformat() if summary.latest else None,
        rows=tuple(rows),
        warnings=tuple(summary.warnings),
    )

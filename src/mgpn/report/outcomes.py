"""The follow-up part of a report, from :mod:`mgpn.outcomes` (only for a case with visits).

What it reads right:

* the baseline for a treatment response is the last visit on or before the start of
  the latest treatment (a visit on the day of the first dose is taken as measured
  before it); without a treatment, or without a visit before it, the first visit,
  and the report says so;
* a visit that measured only some scales does not hide the earlier values: a scale
  not measured at the latest visit shows its last measured value and date beside
  "not measured" (it is shown, not carried over into the change);
* warnings and notes cite their sources as short citations.
"""

from __future__ import annotations

from mgpn.case import Case
from mgpn.report.language import cite_references, status_words
from mgpn.report.numbers import lab_number
from mgpn.report.view import OutcomeRow, OutcomesView


def _num(value: float | int | None, comparator: str | None = None, unit: str = "") -> str:
    if value is None:
        return "not measured"
    text = lab_number(value, unit) if isinstance(value, float) else str(value)
    return f"{comparator or ''}{text} {unit}".strip()


def _citations() -> dict[str, str]:
    from mgpn.knowledge import load_knowledge

    return {ref_id: ref.citation for ref_id, ref in load_knowledge().references.items()}


def outcomes_view(case: Case) -> OutcomesView | None:
    """Follow-up (plot, changes, warnings) from :mod:`mgpn.outcomes`, when the case has visits."""
    if not case.visits:
        return None
    from mgpn.outcomes import load_scales, plot, summarize
    from mgpn.outcomes.timeline import build_timeline

    kb = load_scales()
    treated = any(t.start is not None for t in case.treatments or [])
    summary = summarize(case, since_treatment=treated, knowledge=kb)
    baseline_note = ""
    if treated and summary.baseline is not None and summary.treatment is not None:
        baseline_note = (
            f"last visit before {summary.treatment.regimen} started "
            f"{summary.treatment.start.isoformat()}"
        )
    elif treated:  # no visit before the treatment: compare from the first visit, and say so
        summary = summarize(case, knowledge=kb)
        baseline_note = "first visit; no visit before the treatment started"
    timeline = build_timeline(case, kb)

    def last_measured(series: str) -> str:
        points = timeline.scales.get(series) or timeline.markers.get(series) or []
        if summary.latest is None or not points:
            return ""
        earlier = [p for p in points if p.date < summary.latest]
        if not earlier:
            return ""
        point = earlier[-1]
        return f" (last: {_num(point.value)} on {point.date.isoformat()})"

    svg = plot(case, fmt="svg")
    rows = [
        OutcomeRow(
            name=scale.name,
            baseline=_num(scale.baseline),
            latest=_num(scale.latest) + (last_measured(scale_id) if scale.latest is None else ""),
            change=f"{scale.change:+g}" if scale.change is not None else "not known",
            direction=status_words("direction", scale.direction or "not known"),
        )
        for scale_id, scale in summary.scales.items()
    ] + [
        OutcomeRow(
            name=marker.name,
            baseline=_num(marker.baseline, marker.baseline_comparator, marker.unit),
            latest=_num(marker.latest, marker.latest_comparator, marker.unit)
            + (last_measured(marker_id) if marker.latest is None else ""),
            change="not known"
            if marker.change_percent is None
            else f"{marker.change_percent:+.1f}%",
            direction="",
        )
        for marker_id, marker in summary.markers.items()
    ]
    citations = _citations()
    return OutcomesView(
        svg=svg.decode("utf-8") if isinstance(svg, bytes) else str(svg),
        baseline=summary.baseline.isoformat() if summary.baseline else None,
        latest=summary.latest.isoformat() if summary.latest else None,
        rows=tuple(rows),
        warnings=tuple(cite_references(w, citations) for w in summary.warnings),
        baseline_note=baseline_note,
    )

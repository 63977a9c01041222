"""Change from baseline to latest, per scale and per paraprotein marker.

The rule for ``direction`` is the contract's (shared/spec/outcomes-format.md): a
change that reaches the scale's MCID in the better or worse direction, or, with no
MCID known, a change of at least one unit; otherwise stable; ``None`` when either
value is missing.
"""

from __future__ import annotations

import datetime as dt

from mgpn.outcomes.model import ComponentReading, Direction, MarkerChange, Number, ScaleChange
from mgpn.outcomes.scales import Marker, OutcomeKnowledge, Scale
from mgpn.outcomes.timeline import Point, Timeline

__all__ = ["direction_of", "improvement", "marker_change", "scale_change", "tidy"]

# Scores are whole or tenths; rounding removes binary noise (0.1 + 0.2) before
# comparing a change with its threshold, so a change equal to the MCID counts.
_DECIMALS = 6
# Without an MCID the contract counts a change of one unit of the scale.
_ONE_UNIT = 1.0


def tidy(value: float | None) -> Number | None:
    """Whole numbers as ``int`` (``4`` not ``4.0``), others rounded to 6 decimals."""
    if value is None:
        return None
    rounded = round(value, _DECIMALS)
    return int(rounded) if rounded.is_integer() else rounded


def improvement(scale: Scale, baseline: float, latest: float) -> float:
    """Change in the better direction (positive = better), whichever way the scale runs."""
    change = latest - baseline
    return round(change if scale.better == "higher" else -change, _DECIMALS)


def direction_of(scale: Scale, baseline: float | None, latest: float | None) -> Direction | None:
    if baseline is None or latest is None:
        return None
    threshold = scale.mcid.value if scale.mcid is not None else _ONE_UNIT
    gain = improvement(scale, baseline, latest)
    if gain >= threshold:
        return "improved"
    if gain <= -threshold:
        return "worsened"
    return "stable"


def _value(timeline: Timeline, series: str, day: dt.date | None) -> Point | None:
    return None if day is None else timeline.value_on(series, day)


def _component(
    part: Scale, timeline: Timeline, baseline: dt.date | None, latest: dt.date | None
) -> ComponentReading:
    first = _value(timeline, part.id, baseline)
    last = _value(timeline, part.id, latest)
    return ComponentReading(
        name=part.name,
        baseline=tidy(first.value) if first else None,
        latest=tidy(last.value) if last else None,
        baseline_meaning=part.meaning(first.value if first else None),
        latest_meaning=part.meaning(last.value if last else None),
    )


def scale_change(
    scale: Scale,
    timeline: Timeline,
    baseline: dt.date | None,
    latest: dt.date | None,
    knowledge: OutcomeKnowledge | None = None,
) -> ScaleChange:
    first = _value(timeline, scale.id, baseline)
    last = _value(timeline, scale.id, latest)
    before = first.value if first else None
    after = last.value if last else None
    references = scale.mcid.references if scale.mcid else scale.references
    return ScaleChange(
        name=scale.name,
        unit=scale.unit,
        baseline=tidy(before),
        latest=tidy(after),
        change=tidy(after - before) if before is not None and after is not None else None,
        mcid=tidy(scale.mcid.value) if scale.mcid else None,
        mcid_verified=scale.mcid.verified if scale.mcid else None,
        better=scale.better,
        direction=direction_of(scale, before, after),
        reference=", ".join(references),
        baseline_meaning=scale.meaning(before),
        latest_meaning=scale.meaning(after),
        components={
            part_id: _component(knowledge.scale(part_id), timeline, baseline, latest)
            for part_id in scale.components
        }
        if knowledge is not None
        else {},
    )


def marker_change(
    marker: Marker, timeline: Timeline, baseline: dt.date | None, latest: dt.date | None
) -> MarkerChange:
    first = _value(timeline, marker.id, baseline)
    last = _value(timeline, marker.id, latest)
    censored = any(p is not None and p.comparator for p in (first, last))
    percent: float | None = None
    # A censored value (">70000 BTU") has no exact size, and a zero baseline has no
    # relative change: both leave the percentage unknown rather than invented.
    if first and last and not censored and first.value != 0:
        percent = round(100.0 * (last.value - first.value) / first.value, 1)
    return MarkerChange(
        name=marker.name,
        baseline=tidy(first.value) if first else None,
        latest=tidy(last.value) if last else None,
        change_percent=percent,
        unit=marker.unit,
        censored=censored,
        baseline_comparator=first.comparator if first else None,
        latest_comparator=last.comparator if last else None,
    )

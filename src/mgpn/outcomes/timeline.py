"""Read a case's visits and treatments into plain time series.

This is the only module that touches the case model, so the rest of the package
works on simple values. A measurement absent from a visit stays ``None``: it was
not measured, which is different from a normal result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from mgpn.errors import CaseError, Issue
from mgpn.outcomes.scales import OutcomeKnowledge, Scale

__all__ = ["CaseLike", "Point", "Timeline", "TreatmentSpan", "build_timeline", "months_between"]


class CaseLike(Protocol):
    """The part of :class:`mgpn.case.Case` this package reads."""

    @property
    def id(self) -> str | None: ...

    @property
    def visits(self) -> Sequence[Any]: ...

    @property
    def treatments(self) -> Sequence[Any]: ...


@dataclass(frozen=True)
class Point:
    """One measurement: its value in the canonical unit and any laboratory censoring."""

    date: dt.date
    value: float
    comparator: str | None = None


@dataclass(frozen=True)
class TreatmentSpan:
    regimen: str
    start: dt.date | None
    end: dt.date | None
    notes: str | None = None


@dataclass
class Timeline:
    case_id: str | None
    dates: list[dt.date]
    scales: dict[str, list[Point]] = field(default_factory=dict)
    markers: dict[str, list[Point]] = field(default_factory=dict)
    treatments: list[TreatmentSpan] = field(default_factory=list)

    def value_on(self, series: str, day: dt.date) -> Point | None:
        """The scale or marker measured on ``day`` (``None``: not measured then)."""
        points = self.scales.get(series) or self.markers.get(series) or []
        for point in points:
            if point.date == day:
                return point
        return None


def _number(raw: object) -> tuple[float, str | None] | None:
    """A numeric reading with its comparator; ``None`` for absent or non-numeric results.

    Anti-MAG may be recorded as a bare ``positive``; that cannot be charted or
    compared, so it is treated as not measured numerically.
    """
    if raw is None or isinstance(raw, bool | str):
        return None
    if isinstance(raw, int | float):
        return float(raw), None
    value = getattr(raw, "value", None)
    if isinstance(value, int | float) and not isinstance(value, bool):
        comparator = getattr(raw, "comparator", None)
        return float(value), comparator if isinstance(comparator, str) else None
    return None


def _scale_value(visit: object, scale: Scale) -> Point | None:
    # A summed scale (INCAT arm + leg) needs every part: half a score is not a score.
    total = 0.0
    for name in scale.fields:
        reading = _number(getattr(visit, name, None))
        if reading is None:
            return None
        total += reading[0]
    return Point(date=getattr(visit, "date"), value=total)  # noqa: B009 - Any-typed visit


def _check_order(dates: Iterable[dt.date]) -> None:
    # The case model refuses these at load time; repeated here because a case built
    # in code (the web app) must not reach a chart with time running backwards.
    issues: list[Issue] = []
    previous: dt.date | None = None
    for index, day in enumerate(dates):
        if previous is not None and day <= previous:
            what = "repeats the date of" if day == previous else "is earlier than"
            issues.append(
                Issue(
                    path=f"visits[{index}].date",
                    message=f"visit {what} the visit before it",
                    expected=f"a date after {previous.isoformat()}",
                    found=day.isoformat(),
                    fix="list visits oldest first, one visit per date (merge same-day results)",
                )
            )
        previous = day
    if issues:
        raise CaseError("visits", issues)


def build_timeline(case: CaseLike, knowledge: OutcomeKnowledge) -> Timeline:
    """Series per scale and marker, oldest first, with the treatments given."""
    visits = list(case.visits)
    dates = [visit.date for visit in visits]
    _check_order(dates)
    timeline = Timeline(case_id=case.id, dates=dates)
    for scale in knowledge.scales:
        points = [p for p in (_scale_value(v, scale) for v in visits) if p is not None]
        timeline.scales[scale.id] = points
    for marker in knowledge.markers:
        series: list[Point] = []
        for visit in visits:
            reading = _number(getattr(visit, marker.id, None))
            if reading is not None:
                series.append(Point(date=visit.date, value=reading[0], comparator=reading[1]))
        timeline.markers[marker.id] = series
    timeline.treatments = [
        TreatmentSpan(
            regimen=str(getattr(t, "regimen", None) or "treatment"),
            start=getattr(t, "start", None),
            end=getattr(t, "end", None),
            notes=getattr(t, "notes", None),
        )
        for t in case.treatments
    ]
    return timeline


# The mean Gregorian month, so "12 months" means one year whatever the calendar.
_DAYS_PER_MONTH = 365.2425 / 12


def months_between(start: dt.date, end: dt.date) -> float:
    """Elapsed months from ``start`` to ``end``, to one decimal."""
    return round((end - start).days / _DAYS_PER_MONTH, 1)

"""The follow-up chart: one panel per measured scale and marker against time.

Treatment periods are shaded and labelled, and each scale with an MCID shows a
band of +/- one MCID around its baseline, so a reader sees at a glance whether a
change is larger than the smallest one that matters. Drawn for print: black
lines, open and filled markers, hatched spans, no meaning carried by colour alone.

Uses matplotlib's object API (``Figure``, no pyplot), so it is safe inside the web
server and needs no display. Artists carry ``gid`` names (``panel-incat``,
``treatment-0``, ``mcid-incat``) that appear as ids in the SVG, for the web page
and for tests.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from typing import Literal

import matplotlib as mpl
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mgpn.errors import InputError, Issue
from mgpn.outcomes.model import DISCLAIMER, Outcomes
from mgpn.outcomes.scales import OutcomeKnowledge, Scale, load_scales
from mgpn.outcomes.summary import summarize
from mgpn.outcomes.timeline import CaseLike, Point, Timeline, build_timeline

__all__ = ["draw_figure", "plot"]

_PANEL_HEIGHT_IN = 2.1
_PANEL_WIDTH_IN = 4.6
_SPAN_FACE = "0.88"
_BAND_FACE = "0.80"
_STYLE: dict[str, object] = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "svg.hashsalt": "mgpn",  # stable ids, so the same case gives the same SVG
    "svg.fonttype": "none",  # real text in the SVG: selectable, searchable, smaller
}


def _x(day: dt.date) -> float:
    """A date as matplotlib's float day number (matplotlib.dates ships no type stubs)."""
    return float(mdates.date2num(day))  # type: ignore[no-untyped-call]


def _xs(points: list[Point]) -> list[float]:
    return [_x(p.date) for p in points]


def _date_axis(ax: Axes) -> None:
    # Untyped constructors in matplotlib.dates (no stubs); the calls are the documented API.
    locator = mdates.AutoDateLocator(maxticks=6)  # type: ignore[no-untyped-call]
    formatter = mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)


def _panels(timeline: Timeline, kb: OutcomeKnowledge) -> list[tuple[str, str, list[Point]]]:
    """(kind, id, points) for every scale or marker measured at least once."""
    found: list[tuple[str, str, list[Point]]] = []
    for scale in kb.summary_scales:
        if timeline.scales.get(scale.id):
            found.append(("scale", scale.id, timeline.scales[scale.id]))
    for marker in kb.markers:
        if timeline.markers.get(marker.id):
            found.append(("marker", marker.id, timeline.markers[marker.id]))
    return found


def _shade_treatments(ax: Axes, timeline: Timeline, label: bool) -> None:
    last_day = timeline.dates[-1] if timeline.dates else None
    for index, t in enumerate(timeline.treatments):
        if t.start is None:
            continue
        # A treatment without an end is still going on: shade to the last visit.
        end = t.end or max(last_day or t.start, t.start + dt.timedelta(days=1))
        span = ax.axvspan(
            _x(t.start),
            _x(end),
            facecolor=_SPAN_FACE,
            edgecolor="0.45",
            hatch="//",
            linewidth=0.6,
            zorder=0,
        )
        span.set_gid(f"treatment-{index}")
        span.set_label(t.regimen)
        if label:
            # Inside the panel, below its title, on a white box so it stays legible.
            ax.annotate(
                t.regimen,
                xy=(_x(t.start), 0.97),
                xycoords=("data", "axes fraction"),
                xytext=(3, 0),
                textcoords="offset points",
                fontsize=8,
                ha="left",
                va="top",
                bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"},
                zorder=5,
            )


def _y_limits(scale: Scale, values: list[float]) -> tuple[float, float]:
    """Graded scales show their whole range; others zoom on the data, inside the range."""
    if scale.grades or scale.components:
        pad = 0.3
        return scale.minimum - pad, scale.maximum + pad
    low, high = min(values), max(values)
    pad = max((high - low) * 0.15, 0.5)
    return max(scale.minimum, low - pad), min(scale.maximum, high + pad)


def _draw_scale(
    ax: Axes, scale_id: str, points: list[Point], outcomes: Outcomes, kb: OutcomeKnowledge
) -> None:
    scale = kb.scale(scale_id)
    change = outcomes.scales.get(scale_id)
    if change is not None and change.baseline is not None and change.mcid is not None:
        low, high = change.baseline - change.mcid, change.baseline + change.mcid
        band = ax.axhspan(low, high, facecolor=_BAND_FACE, alpha=0.6, linewidth=0, zorder=1)
        band.set_gid(f"mcid-{scale_id}")
        flag = "" if change.mcid_verified else ", unverified"
        band.set_label(f"baseline \u00b1 MCID ({change.mcid:g}{flag})")
        ax.axhline(change.baseline, color="0.3", linestyle="--", linewidth=0.8, zorder=2)
    ax.plot(
        _xs(points),
        [p.value for p in points],
        color="black",
        marker="o",
        linewidth=1.4,
        markersize=5,
        zorder=3,
        label=scale.short,
    )
    better = "lower is better" if scale.better == "lower" else "higher is better"
    ax.set_title(f"{scale.short} ({better})")
    ax.set_ylabel(scale.unit)
    values = [p.value for p in points]
    if change is not None and change.baseline is not None and change.mcid is not None:
        values += [change.baseline - change.mcid, change.baseline + change.mcid]
    ax.set_ylim(*_y_limits(scale, values))


def _draw_marker(ax: Axes, marker_id: str, points: list[Point], kb: OutcomeKnowledge) -> None:
    marker = next(m for m in kb.markers if m.id == marker_id)
    ax.plot(
        _xs(points),
        [p.value for p in points],
        color="black",
        marker="s",
        linewidth=1.2,
        markersize=4.5,
        zorder=3,
        label=marker.name,
    )
    censored = [p for p in points if p.comparator]
    if censored:
        # An open marker and the comparator show a value reported as ">" or "<".
        ax.plot(
            _xs(censored),
            [p.value for p in censored],
            linestyle="none",
            marker="s",
            markersize=8,
            markerfacecolor="white",
            markeredgecolor="black",
            zorder=4,
            label="censored value",
        )
        for p in censored:
            ax.annotate(
                p.comparator or "",
                (_x(p.date), p.value),
                xytext=(4, 4),
                textcoords="offset points",
                fontsize=8,
            )
    ax.set_title(marker.name)
    ax.set_ylabel(marker.unit)


def draw_figure(
    case: CaseLike,
    since_treatment: bool = False,
    fig: Figure | None = None,
    knowledge: OutcomeKnowledge | None = None,
) -> Figure:
    """Draw the follow-up chart on ``fig`` (a new Figure when ``None``) and return it."""
    kb = knowledge or load_scales()
    outcomes = summarize(case, since_treatment=since_treatment, knowledge=kb)
    timeline = build_timeline(case, kb)
    panels = _panels(timeline, kb)
    columns = 1 if len(panels) <= 3 else 2
    rows = max(1, math.ceil(len(panels) / columns))
    with mpl.rc_context(_STYLE):  # type: ignore[arg-type]  # stubs want literal keys
        if fig is None:
            fig = Figure(
                figsize=(_PANEL_WIDTH_IN * columns, _PANEL_HEIGHT_IN * rows + 1.2),
                layout="constrained",
            )
        title = f"Case {timeline.case_id or '(no id)'}: scales and paraprotein over time"
        fig.suptitle(title, fontsize=11)
        # supxlabel, unlike fig.text, is placed by the layout engine: it never
        # overlaps the date labels.
        fig.supxlabel(
            DISCLAIMER + "\nHatched: treatment periods. Grey band: baseline \u00b1 MCID "
            "(the smallest change that matters). Dotted line: baseline visit. "
            "Open squares: values reported as > or <.",
            fontsize=7,
        )
        if not panels:
            ax = fig.add_subplot(1, 1, 1)
            ax.set_axis_off()
            ax.text(
                0.5, 0.5, "No scale or marker was measured at any visit.", ha="center", va="center"
            )
            return fig
        axes = fig.subplots(rows, columns, sharex=True, squeeze=False).ravel().tolist()
        for index, (ax, (kind, series_id, points)) in enumerate(zip(axes, panels, strict=False)):
            ax.set_gid(f"panel-{series_id}")
            if kind == "scale":
                _draw_scale(ax, series_id, points, outcomes, kb)
            else:
                _draw_marker(ax, series_id, points, kb)
            _shade_treatments(ax, timeline, label=index < columns)
            if outcomes.baseline is not None:
                ax.axvline(_x(outcomes.baseline), color="0.3", linestyle=":", linewidth=0.8)
            ax.grid(True, axis="y", color="0.9", linewidth=0.5)
            _date_axis(ax)
        for ax in axes[len(panels) :]:
            ax.remove()  # an odd panel count leaves one empty cell...
        if len(panels) < len(axes):  # ...so the panel above it must show its own dates
            axes[len(panels) - columns].xaxis.set_tick_params(labelbottom=True)
    return fig


def plot(
    case: CaseLike,
    fmt: Literal["svg", "png"] = "svg",
    since_treatment: bool = False,
    knowledge: OutcomeKnowledge | None = None,
) -> bytes:
    """The chart as SVG or PNG bytes (PNG at 200 dpi, sharp in print)."""
    if fmt not in ("svg", "png"):
        raise InputError(
            "plot",
            [
                Issue(
                    path="fmt",
                    message="unknown image format",
                    expected="'svg' or 'png'",
                    found=repr(fmt),
                    fix="ask for an .svg or a .png file",
                )
            ],
        )
    fig = draw_figure(case, since_treatment=since_treatment, knowledge=knowledge)
    buffer = io.BytesIO()
    # No creation date in the file, so the same case always gives the same bytes.
    metadata: dict[str, str | None] = {"Date": None} if fmt == "svg" else {}
    with mpl.rc_context(_STYLE):  # type: ignore[arg-type]  # stubs want literal keys
        fig.savefig(buffer, format=fmt, dpi=200, metadata=metadata)
    return buffer.getvalue()

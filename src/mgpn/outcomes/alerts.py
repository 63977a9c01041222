"""Warnings a clinician should not miss when reading a follow-up.

A possible IgM flare after rituximab, a worsening that reaches the MCID, and a
follow-up too short to judge a neurological response. Each warning names the
dates, values and references it rests on.
"""

from __future__ import annotations

import datetime as dt

from mgpn.outcomes.model import ScaleChange, TreatmentContext
from mgpn.outcomes.scales import OutcomeKnowledge
from mgpn.outcomes.timeline import Point, Timeline, months_between

__all__ = ["flare_warnings", "follow_up_warnings", "worsening_warnings"]


def _fmt(value: float) -> str:
    return f"{value:g}"


def flare_warnings(knowledge: OutcomeKnowledge, timeline: Timeline) -> list[str]:
    """IgM rises after rituximab, read against the flare window the knowledge base cites.

    Within ``window_months`` of the start a rise is a possible flare; a rise seen only
    later is reported as later than a flare usually lasts (progression is then the
    question). Without a window in the knowledge base, any rise is a possible flare.
    """
    rule = knowledge.warnings.igm_flare
    refs = ", ".join(rule.references)
    igm = timeline.markers.get("igm", [])
    found: list[str] = []
    for treatment in timeline.treatments:
        if treatment.start is None or rule.regimen_contains not in treatment.regimen.lower():
            continue
        before = [p for p in igm if p.date <= treatment.start]
        after = [p for p in igm if p.date > treatment.start]
        if not after:
            continue
        if not before:
            found.append(
                f"IgM was measured after {treatment.regimen} started on "
                f"{treatment.start.isoformat()} but not before, so a rise (possible IgM "
                f"flare) cannot be judged; record the pre-treatment IgM [{refs}]."
            )
            continue
        reference: Point = before[-1]
        window = rule.window_months
        early = [
            p for p in after if window is None or months_between(treatment.start, p.date) <= window
        ]
        late = [p for p in after if p not in early]
        started = f"{treatment.regimen} started on {treatment.start.isoformat()}"
        baseline = f"{_fmt(reference.value)} mg/dL on {reference.date.isoformat()}"
        peak = max(early, key=lambda p: p.value) if early else None
        if peak is not None and peak.value > reference.value:
            within = f" (within {window:g} months)" if window is not None else ""
            found.append(
                f"IgM rose after {started}{within}: {baseline} -> {_fmt(peak.value)} mg/dL on "
                f"{peak.date.isoformat()}. Rituximab can cause an IgM flare with acute worsening "
                f"of the neuropathy; consider hyperviscosity and disease progression [{refs}]."
            )
        late_peak = max(late, key=lambda p: p.value) if late else None
        if late_peak is not None and late_peak.value > reference.value and window is not None:
            found.append(
                f"IgM was higher {months_between(treatment.start, late_peak.date):g} months after "
                f"{started} ({baseline} -> {_fmt(late_peak.value)} mg/dL on "
                f"{late_peak.date.isoformat()}): later than an IgM flare usually lasts (most "
                f"settle within {window:g} months); consider progression of the clone [{refs}]."
            )
    return found


def worsening_warnings(scales: dict[str, ScaleChange]) -> list[str]:
    found: list[str] = []
    for change in scales.values():
        if change.direction != "worsened" or change.change is None:
            continue
        if change.mcid is not None:
            caveat = "" if change.mcid_verified else " (this MCID is not verified)"
            found.append(
                f"{change.name} worsened by {abs(change.change):g} {change.unit}, reaching "
                f"the minimal clinically important difference of {change.mcid:g}{caveat} "
                f"[{change.reference}]."
            )
        else:
            found.append(
                f"{change.name} worsened by {abs(change.change):g} {change.unit}; no minimal "
                f"clinically important difference is known for this scale, so judge its weight "
                f"clinically."
            )
    return found


def follow_up_warnings(
    knowledge: OutcomeKnowledge,
    baseline: dt.date | None,
    latest: dt.date | None,
    treatment: TreatmentContext | None,
) -> list[str]:
    rule = knowledge.warnings.short_follow_up
    refs = ", ".join(rule.references)
    if baseline is None or latest is None or baseline == latest:
        return [
            "Fewer than two time points to compare: no change or response can be judged. "
            "Add follow-up visits to the case file."
        ]
    if treatment is not None and treatment.months_since_start is not None:
        since, months = f"{treatment.regimen} started", treatment.months_since_start
    else:
        since, months = "the baseline visit", months_between(baseline, latest)
    if months >= rule.months:
        return []
    return [
        f"Follow-up is {months:g} months since {since}; neurological responses take months "
        f"to years, so an absent response cannot be judged before about {rule.months:g} "
        f"months [{refs}]."
    ]

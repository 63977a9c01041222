"""``summarize``: a case's follow-up as one :class:`Outcomes` object.

The baseline is the first visit, or with ``since_treatment`` the last visit on or
before the start of the most recent treatment; the latest is the last visit
(shared/spec/outcomes-format.md).
"""

from __future__ import annotations

import datetime as dt

from mgpn.outcomes.alerts import flare_warnings, follow_up_warnings, worsening_warnings
from mgpn.outcomes.changes import marker_change, scale_change
from mgpn.outcomes.model import Outcomes, TreatmentContext
from mgpn.outcomes.responders import evaluate_responders
from mgpn.outcomes.scales import OutcomeKnowledge, load_scales
from mgpn.outcomes.timeline import CaseLike, Timeline, TreatmentSpan, build_timeline, months_between

__all__ = ["summarize"]


def _latest_treatment(timeline: Timeline) -> TreatmentSpan | None:
    started = [t for t in timeline.treatments if t.start is not None]
    return max(started, key=lambda t: t.start or dt.date.min) if started else None


def _context(treatment: TreatmentSpan | None, latest: dt.date | None) -> TreatmentContext | None:
    if treatment is None or treatment.start is None:
        return None
    months = None
    if latest is not None and latest >= treatment.start:
        months = months_between(treatment.start, latest)
    return TreatmentContext(
        regimen=treatment.regimen, start=treatment.start, months_since_start=months
    )


def _choose_baseline(
    timeline: Timeline, treatment: TreatmentSpan | None, since_treatment: bool, notes: list[str]
) -> dt.date | None:
    if not timeline.dates:
        return None
    if not since_treatment:
        return timeline.dates[0]
    if treatment is None or treatment.start is None:
        notes.append("No treatment with a start date is recorded: the baseline is the first visit.")
        return timeline.dates[0]
    before = [day for day in timeline.dates if day <= treatment.start]
    if not before:
        notes.append(
            f"No visit on or before the start of {treatment.regimen} "
            f"({treatment.start.isoformat()}): there is no pre-treatment baseline. "
            f"Add a visit with the measurements taken before treatment."
        )
        return None
    return before[-1]


def _measurement_notes(
    knowledge: OutcomeKnowledge,
    timeline: Timeline,
    baseline: dt.date | None,
    latest: dt.date | None,
) -> list[str]:
    """Say when a scale was measured at other visits but not at the two compared."""
    notes: list[str] = []
    for scale in knowledge.summary_scales:
        points = timeline.scales.get(scale.id, [])
        if not points:
            continue
        for label, day in (("baseline", baseline), ("latest", latest)):
            if day is not None and timeline.value_on(scale.id, day) is None:
                notes.append(
                    f"{scale.short} was not measured at the {label} visit ({day.isoformat()}); "
                    f"it is left unknown there, not carried over from another visit."
                )
    return notes


def _unverified_notes(knowledge: OutcomeKnowledge, shown: set[str]) -> list[str]:
    return [
        f"The MCID used for {scale.short} ({scale.mcid.value:g} {scale.unit}) is not verified "
        f"in a primary source: {scale.mcid.note.strip()}"
        for scale in knowledge.summary_scales
        if scale.id in shown and scale.mcid is not None and not scale.mcid.verified
    ]


def summarize(
    case: CaseLike, since_treatment: bool = False, knowledge: OutcomeKnowledge | None = None
) -> Outcomes:
    """Baseline-to-latest changes, responder answers and warnings for ``case``.

    Raises :class:`mgpn.errors.CaseError` when visits are out of date order or
    share a date.
    """
    kb = knowledge or load_scales()
    timeline = build_timeline(case, kb)
    notes: list[str] = []
    treatment = _latest_treatment(timeline)
    baseline = _choose_baseline(timeline, treatment, since_treatment, notes)
    latest = timeline.dates[-1] if timeline.dates else None
    context = _context(treatment, latest)
    scales = {
        s.id: scale_change(s, timeline, baseline, latest, kb)
        for s in kb.summary_scales
        if timeline.scales.get(s.id)
    }
    markers = {
        m.id: marker_change(m, timeline, baseline, latest)
        for m in kb.markers
        if timeline.markers.get(m.id)
    }
    if not timeline.dates:
        notes.append("The case has no visits: add dated visits under `visits:` in the case file.")
    notes.extend(_measurement_notes(kb, timeline, baseline, latest))
    if any(m.censored for m in markers.values()):
        notes.append("A censored laboratory value (such as '>70000 BTU') has no percent change.")
    notes.extend(_unverified_notes(kb, set(scales)))
    warnings = [
        *follow_up_warnings(kb, baseline, latest, context),
        *worsening_warnings(scales),
        *flare_warnings(kb, timeline),
    ]
    return Outcomes(
        case_id=timeline.case_id,
        since_treatment=since_treatment,
        baseline=baseline,
        latest=latest,
        treatment=context,
        scales=scales,
        markers=markers,
        responder=evaluate_responders(kb, timeline, baseline, latest),
        warnings=warnings,
        notes=notes,
    )

"""Plain-text view of :class:`Outcomes` for the terminal and for notes.

It only formats: every number and judgement comes from the Outcomes object, and
the scales' definitions (what each grade means, what is scored) from the
knowledge base.
"""

from __future__ import annotations

from mgpn.outcomes.model import MarkerChange, Number, Outcomes, ScaleChange
from mgpn.outcomes.scales import OutcomeKnowledge, load_scales

__all__ = ["render_text"]

_ANSWER = {True: "yes", False: "no", None: "cannot tell (too little measured)"}


def _num(value: Number | None, comparator: str | None = None) -> str:
    return "not measured" if value is None else f"{comparator or ''}{value:g}"


def _signed(value: Number | None) -> str:
    return "unknown" if value is None else f"{value:+g}"


def _with_meaning(value: Number | None, meaning: str | None) -> str:
    return _num(value) + (f" ({meaning})" if meaning else "")


def _scale_lines(scale_id: str, change: ScaleChange, kb: OutcomeKnowledge) -> list[str]:
    if change.mcid is None:
        mcid = "none known (a change of 1 unit is counted)"
    else:
        mcid = f"{change.mcid:g}" + ("" if change.mcid_verified else " (NOT VERIFIED)")
    lines = [
        f"{change.name} [{change.unit}, {change.better} is better]",
        f"    baseline {_with_meaning(change.baseline, change.baseline_meaning)}",
        f"    latest   {_with_meaning(change.latest, change.latest_meaning)}",
    ]
    for part in change.components.values():
        lines.append(f"      {part.name}:")
        lines.append(f"        baseline {_with_meaning(part.baseline, part.baseline_meaning)}")
        lines.append(f"        latest   {_with_meaning(part.latest, part.latest_meaning)}")
    lines.append(
        f"    change {_signed(change.change)}; MCID {mcid}; "
        f"direction: {change.direction or 'unknown'}"
    )
    definition = kb.scale(scale_id)
    if definition.items:
        lines.append("    scores: " + "; ".join(definition.items))
    lines.append(f"    reference: {change.reference}")
    return lines


def _marker_line(marker: MarkerChange) -> str:
    if marker.change_percent is not None:
        percent = f"{marker.change_percent:+.1f}%"
    elif marker.censored:
        percent = "no percent change (censored value)"
    else:
        percent = "change unknown"
    return (
        f"{marker.name}: {_num(marker.baseline, marker.baseline_comparator)} -> "
        f"{_num(marker.latest, marker.latest_comparator)} {marker.unit} ({percent})"
    )


def render_text(outcomes: Outcomes, knowledge: OutcomeKnowledge | None = None) -> str:
    kb = knowledge or load_scales()
    head = f"Follow-up of case {outcomes.case_id or '(no id)'}"
    lines = [head, "=" * len(head)]
    baseline = outcomes.baseline.isoformat() if outcomes.baseline else "none"
    latest = outcomes.latest.isoformat() if outcomes.latest else "none"
    basis = "last visit before the latest treatment" if outcomes.since_treatment else "first visit"
    lines.append(f"Baseline {baseline} ({basis}); latest {latest}.")
    if outcomes.treatment:
        t = outcomes.treatment
        since = ""
        if t.months_since_start is not None:
            since = f", {t.months_since_start:g} months before the latest visit"
        lines.append(f"Latest treatment: {t.regimen}, started {t.start.isoformat()}{since}.")
    lines.append("")
    lines.append("Scales")
    lines.append("------")
    if not outcomes.scales:
        lines.append("No scale was measured at any visit.")
    for scale_id, change in outcomes.scales.items():
        lines.extend(_scale_lines(scale_id, change, kb))
    lines += ["", "Paraprotein markers", "-------------------"]
    if not outcomes.markers:
        lines.append("No marker was measured at any visit.")
    lines.extend(_marker_line(marker) for marker in outcomes.markers.values())
    lines += ["", "Responder definitions", "---------------------"]
    for result in outcomes.responder:
        mark = "" if result.verified else " (NOT VERIFIED)"
        lines.append(f"{result.definition}{mark} [{result.reference}]: {_ANSWER[result.value]}")
        if result.scales_improved:
            lines.append(
                f"    improved: {', '.join(_short(kb, s) for s in result.scales_improved)}"
            )
        if result.scales_not_measured:
            lines.append(
                "    not measured at both visits: "
                + ", ".join(_short(kb, s) for s in result.scales_not_measured)
            )
    if outcomes.warnings:
        lines += ["", "Warnings", "--------"]
        lines.extend(f"! {warning}" for warning in outcomes.warnings)
    if outcomes.notes:
        lines += ["", "Notes", "-----"]
        lines.extend(f"- {note}" for note in outcomes.notes)
    lines += [
        "",
        "There is no validated tool to assess neurological response in IgM neuropathy [seed];",
        "these readings are a consistent summary, not a verdict.",
        outcomes.disclaimer,
    ]
    return _cited("\n".join(lines)) + "\n"


def _short(kb: OutcomeKnowledge, scale_id: str) -> str:
    """A scale's short name (``mrc_sum`` -> "MRC sum"), never its id."""
    try:
        return kb.scale(scale_id).short
    except KeyError:
        return scale_id.replace("_", " ")


def _cited(text: str) -> str:
    """Reference ids as the short citations a clinician reads (the JSON form keeps the ids)."""
    from mgpn.knowledge import load_knowledge
    from mgpn.report.language import cite_reference_lines

    citations = {ref_id: ref.citation for ref_id, ref in load_knowledge().references.items()}
    return cite_reference_lines(text, citations)

"""Responder definitions, answered with three values.

``True``: enough scales improved. ``False``: even if every unmeasured scale had
improved, too few would have. ``None``: the answer depends on scales that were not
measured at both time points, so the tool does not guess.
"""

from __future__ import annotations

import datetime as dt

from mgpn.outcomes.changes import improvement
from mgpn.outcomes.model import ResponderResult
from mgpn.outcomes.scales import OutcomeKnowledge, ResponderRule
from mgpn.outcomes.timeline import Timeline

__all__ = ["evaluate_responder", "evaluate_responders"]


def evaluate_responder(
    rule: ResponderRule,
    knowledge: OutcomeKnowledge,
    timeline: Timeline,
    baseline: dt.date | None,
    latest: dt.date | None,
) -> ResponderResult:
    improved: list[str] = []
    missing: list[str] = []
    for scale_id in rule.scales:
        scale = knowledge.scale(scale_id)
        first = timeline.value_on(scale_id, baseline) if baseline else None
        last = timeline.value_on(scale_id, latest) if latest else None
        # The same visit twice is no follow-up: nothing was measured "over time".
        if first is None or last is None or baseline == latest:
            missing.append(scale_id)
        elif improvement(scale, first.value, last.value) >= rule.min_improvement:
            improved.append(scale_id)
    value: bool | None
    if len(improved) >= rule.min_scales:
        value = True
    elif len(improved) + len(missing) < rule.min_scales:
        value = False
    else:
        value = None
    return ResponderResult(
        id=rule.id,
        definition=rule.definition,
        reference=", ".join(rule.references),
        verified=rule.verified,
        value=value,
        scales_improved=improved,
        scales_not_measured=missing,
        note=rule.note,
    )


def evaluate_responders(
    knowledge: OutcomeKnowledge,
    timeline: Timeline,
    baseline: dt.date | None,
    latest: dt.date | None,
) -> list[ResponderResult]:
    return [
        evaluate_responder(rule, knowledge, timeline, baseline, latest)
        for rule in knowledge.responders
    ]

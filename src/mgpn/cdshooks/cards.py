"""Cards (CDS Hooks 2.0) from an assessment: what a clinician sees in the EHR.

patient-view: the leading explanation (with the link and the treatment question), one
card per "don't miss" red flag, and the next tests as suggestions that create proposed
ServiceRequests. order-select/order-sign: one card per order caution that fires. Cards
restate the assessment; they derive no medicine of their own.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from mgpn.assessment import Assessment
from mgpn.cdshooks.cautions import FiredCaution
from mgpn.cdshooks.models import Action, Card, Coding, Link, Source, Suggestion
from mgpn.interop.fhir.codemap import CodeMap
from mgpn.interop.fhir.output import service_request
from mgpn.knowledge.schema import KnowledgeBase

OVERRIDE_SYSTEM = "https://w3id.org/mgpn/fhir/CodeSystem/override-reason"
OVERRIDE_REASONS = [
    Coding(system=OVERRIDE_SYSTEM, code="not-relevant", display="Not relevant to this patient"),
    Coding(system=OVERRIDE_SYSTEM, code="already-addressed", display="Already known or addressed"),
    Coding(system=OVERRIDE_SYSTEM, code="disagree", display="Disagree with the assessment"),
]
_REVIEW = "Sarosiek, Doughty, Castillo 2025"
_INDICATION_WORDS = {
    "treat": "treatment is indicated",
    "consider": "treatment can be considered",
    "observe": "observation may be enough",
    "treat_other_cause": "treat the other cause first",
    "undetermined": "not yet decided",
}


def public(text: str) -> str:
    """Reference ids written as citations (the source review by its authors)."""
    text = re.sub(r"\bseed:(\d+)\b", rf"reference \1 in {_REVIEW}", text)
    return re.sub(r"\bseed\b", _REVIEW, text)


def fit(text: str, limit: int = 139) -> str:
    """``text`` shortened at a word boundary to at most ``limit`` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def _source(assessment: Assessment) -> Source:
    return Source(label=f"mgpn decision support (knowledge base {assessment.knowledge_version})")


def _links(case_url: str | None, smart_url: str | None) -> list[Link] | None:
    links = []
    if case_url:
        links.append(Link(label="Open the assessment in mgpn", url=case_url, type="absolute"))
    if smart_url:
        links.append(Link(label="Open mgpn (SMART app)", url=smart_url, type="smart"))
    return links or None


def _bullets(title: str, items: list[str], limit: int = 4) -> list[str]:
    if not items:
        return []
    more = f" (+{len(items) - limit} more)" if len(items) > limit else ""
    return [f"- **{title}:** " + "; ".join(public(i) for i in items[:limit]) + more]


def leading_card(assessment: Assessment, case_url: str | None, smart_url: str | None) -> Card:
    a = assessment
    lead = a.syndromes[0]
    summary = fit(f"Neuropathy with monoclonal gammopathy: {lead.label} is {lead.status} (decision support)")
    lines = [f"**{lead.label}: {lead.status}.** {public(lead.status_reason or '')}".strip(), ""]
    lines += _bullets("For", lead.for_) + _bullets("Against", lead.against) + _bullets("Would change it", lead.missing, 3)
    others = [f"{s.label} ({s.status})" for s in a.syndromes[1:4] if s.status in ("established", "probable", "possible")]
    if others:
        lines += ["", "Also considered: " + "; ".join(others) + "."]
    lines += ["", f"**Does the paraprotein cause the neuropathy?** {a.link.status}"
              + (f": {public(a.link.reasons[0])}" if a.link.reasons else "")]  # fmt: skip
    lines += ["", f"**Treatment:** {_INDICATION_WORDS.get(a.treatment.indication, 'not yet decided')}. "
              + " ".join(public(r) for r in a.treatment.reasons)]  # fmt: skip
    lines += [f"- Caution: {public(w)}" for w in a.treatment.warnings]
    if a.unverified:
        lines += ["", f"Relies on {len(a.unverified)} statement(s) the knowledge base marks unverified."]
    lines += ["", f"*{a.disclaimer}*"]
    return Card(
        uuid=str(uuid.uuid4()),
        summary=summary,
        detail="\n".join(lines),
        indicator="info",
        source=_source(a),
        links=_links(case_url, smart_url),
        overrideReasons=OVERRIDE_REASONS,
    )


def red_flag_cards(assessment: Assessment, case_url: str | None) -> list[Card]:
    cards = []
    for flag in assessment.red_flags:
        head = flag.split(":", 1)[0]
        cards.append(
            Card(
                uuid=str(uuid.uuid4()),
                summary=fit(f"Do not miss: {head}"),
                detail=f"{public(flag)}\n\n*{assessment.disclaimer}*",
                indicator="warning",
                source=_source(assessment),
                links=_links(case_url, None),
                overrideReasons=OVERRIDE_REASONS,
            )
        )
    return cards


def tests_card(assessment: Assessment, subject: str, codemap: CodeMap) -> Card | None:
    tests = assessment.tests
    if not tests:
        return None
    names = ", ".join(t.label for t in tests[:2])
    more = f" and {len(tests) - 2} more" if len(tests) > 2 else ""
    suggestions = [
        Suggestion(
            label=fit(f"Propose: {t.label}", 139),
            uuid=str(uuid.uuid4()),
            isRecommended=t.priority == "now",
            actions=[Action(type="create", description=fit(f"Propose {t.label}", 139),
                            resource=service_request(t.id, t.label, public(t.reason), subject, codemap))],
        )
        for t in tests
    ]
    detail = ["| Priority | Test | Why |", "|---|---|---|"]
    detail += [f"| {t.priority} | {t.label} | {public(t.reason)} |" for t in tests]
    detail += ["", f"*{assessment.disclaimer}*"]
    return Card(
        uuid=str(uuid.uuid4()),
        summary=fit(f"Next tests to consider: {names}{more}"),
        detail="\n".join(detail),
        indicator="info",
        source=_source(assessment),
        suggestions=suggestions,
        selectionBehavior="any",
        overrideReasons=OVERRIDE_REASONS,
    )


def patient_view_cards(
    assessment: Assessment, subject: str, codemap: CodeMap, case_url: str | None, smart_url: str | None
) -> list[Card]:
    cards = [leading_card(assessment, case_url, smart_url), *red_flag_cards(assessment, case_url)]
    tests = tests_card(assessment, subject, codemap)
    return cards + ([tests] if tests else [])


def _test_label(test_id: str, kb: KnowledgeBase) -> str:
    return next((rule.label for rule in kb.tests if rule.test == test_id), test_id)


def caution_cards(
    fired: list[FiredCaution], assessment: Assessment, kb: KnowledgeBase, subject: str, codemap: CodeMap,
    case_url: str | None,
) -> list[Card]:
    cards = []
    for item in fired:
        caution = item.caution
        citations = [public(kb.references[r].citation) for r in caution.references if r in kb.references]
        detail = [public(caution.detail), "", f"Ordered: {item.drug.text}.", "", "References:"]
        detail += [f"- {c}" for c in citations]
        if not caution.verified:
            detail += ["", "This caution relies on knowledge marked unverified."]
        detail += ["", f"*{assessment.disclaimer}*"]
        suggestions = None
        if item.propose_test and caution.propose_test is not None:
            label = _test_label(caution.propose_test, kb)
            resource: dict[str, Any] = service_request(caution.propose_test, label, caution.summary, subject, codemap)
            suggestions = [Suggestion(label=fit(f"Propose: {label}"), uuid=str(uuid.uuid4()), isRecommended=True,
                                      actions=[Action(type="create", description=fit(f"Propose {label}"), resource=resource)])]  # fmt: skip
        cards.append(
            Card(
                uuid=str(uuid.uuid4()),
                summary=fit(caution.summary),
                detail="\n".join(detail),
                indicator=caution.indicator,
                source=_source(assessment),
                suggestions=suggestions,
                selectionBehavior="at-most-one" if suggestions else None,
                links=_links(case_url, None),
                overrideReasons=OVERRIDE_REASONS,
            )
        )
    return cards

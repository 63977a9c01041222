"""Cards (CDS Hooks 2.0) from an assessment: what a clinician sees in the EHR.

Built from the summary view model (:mod:`mgpn.report.summary`), so a card says what the
web page, the report and the terminal say first. patient-view: the bottom line (leading
syndrome, whether the paraprotein is the likely cause, the treatment question), one card
per "don't miss" red flag, and the most useful next tests as suggestions that create
proposed ServiceRequests. order-select/order-sign: one card per order caution that fires.
"""

from __future__ import annotations

import uuid
from typing import Any

from mgpn.assessment import Assessment
from mgpn.cdshooks.cautions import FiredCaution
from mgpn.cdshooks.models import Action, Card, Coding, Link, Source, Suggestion
from mgpn.interop.fhir.codemap import CodeMap
from mgpn.interop.fhir.output import service_request
from mgpn.knowledge.schema import KnowledgeBase
from mgpn.report.language import clinical_text
from mgpn.report.summary import Summary, build_summary

OVERRIDE_SYSTEM = "https://w3id.org/mgpn/fhir/CodeSystem/override-reason"
OVERRIDE_REASONS = [
    Coding(system=OVERRIDE_SYSTEM, code="not-relevant", display="Not relevant to this patient"),
    Coding(system=OVERRIDE_SYSTEM, code="already-addressed", display="Already known or addressed"),
    Coding(system=OVERRIDE_SYSTEM, code="disagree", display="Disagree with the assessment"),
]


def public(text: str) -> str:
    """Knowledge-base prose in clinical words (reference ids as citations)."""
    return clinical_text(text)


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


def leading_card(
    assessment: Assessment, summary: Summary, case_url: str | None, smart_url: str | None
) -> Card:
    lines = []
    for lead in summary.leading:
        lines.append(f"**{lead.label}: {lead.status_words}.** {lead.reason}".strip())
    lines += [
        "",
        f"**Is the paraprotein the likely cause?** {summary.cause.words}. {summary.cause.reason}".strip(),
    ]
    lines += ["", f"**Treatment:** {summary.indication.words}. {summary.indication.reason}".strip()]
    lines += [f"- Caution: {public(w)}" for w in assessment.treatment.warnings]
    if summary.would_change:
        lines += ["", "**Would change it:**"] + [f"- {w.text}" for w in summary.would_change]
    if summary.relies_on_unverified:
        lines += [
            "",
            "The leading conclusion relies on a statement the knowledge base marks unverified.",
        ]
    lines += ["", f"Knowledge base {summary.knowledge_version}. *{summary.disclaimer}*"]
    return Card(
        uuid=str(uuid.uuid4()),
        summary=fit(summary.headline),
        detail="\n".join(lines),
        indicator="info",
        source=_source(assessment),
        links=_links(case_url, smart_url),
        overrideReasons=OVERRIDE_REASONS,
    )


def red_flag_cards(assessment: Assessment, summary: Summary, case_url: str | None) -> list[Card]:
    cards = []
    for flag in summary.red_flags:
        head = flag.split(":", 1)[0]
        cards.append(
            Card(
                uuid=str(uuid.uuid4()),
                summary=fit(f"Do not miss: {head}"),
                detail=f"{flag}\n\n*{summary.disclaimer}*",
                indicator="warning",
                source=_source(assessment),
                links=_links(case_url, None),
                overrideReasons=OVERRIDE_REASONS,
            )
        )
    return cards


def tests_card(
    assessment: Assessment, summary: Summary, subject: str, codemap: CodeMap
) -> Card | None:
    tests = summary.next_tests
    if not tests:
        return None
    more = len(assessment.tests) - len(tests)
    suggestions = [
        Suggestion(
            label=fit(f"Propose: {t.label}", 139),
            uuid=str(uuid.uuid4()),
            isRecommended=t.priority == "now",
            actions=[
                Action(
                    type="create",
                    description=fit(f"Propose {t.label}", 139),
                    resource=service_request(t.id, t.label, t.why, subject, codemap),
                )
            ],
        )
        for t in tests
    ]
    detail = ["| Priority | Test | Why |", "|---|---|---|"]
    detail += [f"| {t.priority} | {t.label} | {t.why} |" for t in tests]
    if more > 0:
        detail += ["", f"{more} more test(s) in the full assessment."]
    detail += ["", f"*{summary.disclaimer}*"]
    return Card(
        uuid=str(uuid.uuid4()),
        summary=fit("Next tests to consider: " + ", ".join(t.label for t in tests)),
        detail="\n".join(detail),
        indicator="info",
        source=_source(assessment),
        suggestions=suggestions,
        selectionBehavior="any",
        overrideReasons=OVERRIDE_REASONS,
    )


def patient_view_cards(
    assessment: Assessment,
    subject: str,
    codemap: CodeMap,
    case_url: str | None,
    smart_url: str | None,
) -> list[Card]:
    summary = build_summary(assessment)
    cards = [
        leading_card(assessment, summary, case_url, smart_url),
        *red_flag_cards(assessment, summary, case_url),
    ]
    tests = tests_card(assessment, summary, subject, codemap)
    return cards + ([tests] if tests else [])


def _test_label(test_id: str, kb: KnowledgeBase) -> str:
    return next((rule.label for rule in kb.tests if rule.test == test_id), test_id)


def caution_cards(
    fired: list[FiredCaution],
    assessment: Assessment,
    kb: KnowledgeBase,
    subject: str,
    codemap: CodeMap,
    case_url: str | None,
) -> list[Card]:
    cards = []
    for item in fired:
        caution = item.caution
        citations = [
            public(kb.references[r].citation) for r in caution.references if r in kb.references
        ]
        detail = [public(caution.detail), "", f"Ordered: {item.drug.text}.", "", "References:"]
        detail += [f"- {c}" for c in citations]
        if not caution.verified:
            detail += ["", "This caution relies on knowledge marked unverified."]
        detail += ["", f"*{assessment.disclaimer}*"]
        suggestions = None
        if item.propose_test and caution.propose_test is not None:
            label = _test_label(caution.propose_test, kb)
            resource: dict[str, Any] = service_request(
                caution.propose_test, label, caution.summary, subject, codemap
            )
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

"""The assessment as a Markdown document: the summary first, then the full detail.

References appear as short citations in the text and in full at the end.
"""

from __future__ import annotations

from collections.abc import Sequence

from mgpn.assessment import Assessment
from mgpn.report.language import (
    clinical_text,
    full_citation,
    short_citation,
    status_words,
)
from mgpn.report.summary import Citation, Summary, build_summary


def _cite(citations: Sequence[Citation]) -> str:
    return f" ({'; '.join(c.short for c in citations)})" if citations else ""


def _md(text: str) -> str:
    """Cell text safe inside a Markdown table."""
    return text.replace("|", "\\|").replace("\n", " ")


def summary_markdown(summary: Summary) -> list[str]:
    """The bottom line as Markdown lines."""
    s = summary
    lines = ["## Bottom line", ""]
    if not s.in_scope:
        lines += [f"**Outside the tool's scope:** {clinical_text(s.scope_note or '')}", ""]
    for item in s.leading:
        lines.append(f"- **Leading: {item.label}** ({item.status_words}). {item.reason}".rstrip())
    lines += [f"- **Don't miss:** {flag}" for flag in s.red_flags]
    lines.append(f"- **Paraprotein the likely cause?** {s.cause.words}. {s.cause.reason}".rstrip())
    lines.append(
        f"- **Treatment:** {s.indication.words}. {s.indication.reason}".rstrip()
        + _cite(s.indication.citations)
    )
    if s.next_tests:
        lines.append("- **Next tests:**")
        lines += [
            f"  {i}. **{t.label}** ({t.priority}): {t.why}" for i, t in enumerate(s.next_tests, 1)
        ]
    if s.would_change:
        lines.append("- **Would change it:** " + "; ".join(w.text for w in s.would_change))
    lines += ["", f"*{s.disclaimer}*", ""]
    return lines


def render_markdown(assessment: Assessment) -> str:
    """The whole assessment as Markdown, the summary first."""
    a = assessment
    citations = {r.id: r.citation for r in a.references}

    def refs(ids: Sequence[str]) -> str:
        shown = [short_citation(r, citations.get(r, "")) for r in dict.fromkeys(ids)]
        return f" ({'; '.join(shown)})" if shown else ""

    lines = [
        f"# Assessment: {a.case_id or 'case'}",
        "",
        f"Knowledge base {a.knowledge_version} (reviewed {a.knowledge_reviewed}).",
        "",
    ]
    lines += summary_markdown(build_summary(a))
    lines += [
        "## Differential",
        "",
        "| # | Syndrome | Status | Support | For | Against | Missing |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in sorted(a.syndromes, key=lambda s: s.rank):
        lines.append(
            f"| {s.rank} | {_md(s.label)} | {status_words('syndrome', s.status)} | {s.score:.2f} | "
            + " | ".join(
                _md("; ".join(clinical_text(x) for x in items))
                for items in (s.for_, s.against, s.missing)
            )
            + " |"
        )
    lines += [
        "",
        "Support is a transparent weighting of the findings for and against (0-1), "
        "not a probability; status ranks first.",
    ]
    for s in sorted(a.syndromes, key=lambda s: s.rank):
        if s.status in ("established", "probable") or s.rank == 1:
            lines += [
                "",
                f"**{s.label}** ({status_words('syndrome', s.status)}): "
                f"{clinical_text(s.status_reason or '')}{refs(s.references)}",
            ]
            lines += [f"- {clinical_text(note)}" for note in s.notes]
            lines += [f"- relies on unverified: {clinical_text(item)}" for item in s.unverified]
    lines += ["", "## Other causes", ""]
    lines += [
        f"- **{m.label}**: {status_words('mimic', m.status)} — "
        + "; ".join(clinical_text(e) for e in m.evidence)
        for m in a.mimics
    ]
    lines += [
        "",
        "## Is the paraprotein causing the neuropathy?",
        "",
        f"**{status_words('link', a.link.status)}**: "
        + " ".join(clinical_text(r) for r in a.link.reasons)
        + refs(a.link.references),
        "",
        "## Next tests",
        "",
    ]
    lines += [
        f"- **{t.label}** ({t.priority}): {clinical_text(t.reason)}{refs(t.references)}"
        for t in a.tests
    ] or ["- none"]
    lines += [
        "",
        "## Treatment",
        "",
        f"**{status_words('indication', a.treatment.indication)}**: "
        + " ".join(clinical_text(r) for r in a.treatment.reasons),
        "",
    ]
    for o in a.treatment.options:
        flag = "" if o.verified else " *(unverified)*"
        lines.append(
            f"- {clinical_text(o.regimen)}{flag} — {clinical_text(o.evidence)}{refs(o.references)}"
        )
    lines += [f"- ⚠ {clinical_text(w)}" for w in a.treatment.warnings]
    if a.biomarkers:
        lines += ["", "## Research biomarkers (do not change any status)", ""]
        lines += [
            f"- {b.label}: {b.value or 'not measured'} — {clinical_text(b.interpretation)}"
            for b in a.biomarkers
        ]
    if a.unverified:
        lines += ["", "## Relies on unverified knowledge", ""]
        lines += [f"- {clinical_text(u)}" for u in a.unverified]
    if a.not_interpreted:
        lines += ["", "## Not interpreted (kept as given)", ""]
        lines += [f"- {clinical_text(n)}" for n in a.not_interpreted]
    lines += ["", "## References", ""]
    lines += [
        f"- **{short_citation(r.id, r.citation)}**: {full_citation(r.id, r.citation)}"
        + (f" <{r.url}>" if r.url else "")
        for r in a.references
    ]
    lines += ["", f"*{a.disclaimer}*", ""]
    return "\n".join(lines)

"""The assessment in a terminal (``mgpn evaluate``): the summary on one screen, or the full detail.

The default view is the bottom line (:mod:`mgpn.report.summary`) and must fit one
screen: at most :data:`SCREEN_LINES` lines at the console's width (tests check 100
columns). When a case says more than fits, the least important paragraphs go first
(sources, then the rest of the differential), then long paragraphs are shortened;
``--full`` prints everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from rich.text import Text

from mgpn.assessment import Assessment
from mgpn.report.language import clinical_text, short_citation, status_words
from mgpn.report.summary import Summary, build_summary

SCREEN_LINES = 40
_STATUS_STYLE = {
    "established": "bold green",
    "probable": "green",
    "possible": "yellow",
    "undetermined": "cyan",
    "unlikely": "dim",
    "excluded": "dim",
}
_INDICATION_STYLE = {"treat": "bold", "consider": "bold yellow", "treat_other_cause": "bold"}


@dataclass
class _Paragraph:
    text: Text
    priority: int  # 0 always shown; higher numbers are dropped first when space runs out


def _para(markup: str, priority: int) -> _Paragraph:
    return _Paragraph(Text.from_markup(markup), priority)


def _esc(text: str) -> str:
    return text.replace("[", r"\[")


def _cited(ids: Sequence[str], assessment: Assessment) -> list[str]:
    citations = {r.id: r.citation for r in assessment.references}
    return [short_citation(r, citations.get(r, "")) for r in dict.fromkeys(ids)]


def _all_cited(a: Assessment) -> list[str]:
    ids: list[str] = []
    for s in sorted(a.syndromes, key=lambda s: s.rank)[:2]:
        ids += s.references
    ids += a.link.references + a.treatment.references
    for t in a.tests:
        ids += t.references
    for option in a.treatment.options:
        ids += option.references
    # the review's own numbered references collapse into the review itself
    return list(dict.fromkeys(c.split(", ref. ")[0] for c in _cited(ids, a)))


def summary_paragraphs(summary: Summary, assessment: Assessment) -> list[_Paragraph]:
    """The one-screen view, most important first, each with its priority."""
    a, s = assessment, summary
    out = [_para(f"[bold]{_esc(a.case_id or 'Case')}[/] · mgpn assessment · knowledge base "
                 f"{_esc(a.knowledge_version)}", 0)]  # fmt: skip
    if not s.in_scope:
        out.append(_para(f"[bold red]Outside the tool's scope:[/] {_esc(s.scope_note or '')}", 0))
    for item in s.leading:
        style = _STATUS_STYLE.get(item.status, "")
        out.append(
            _para(
                f"[bold]Leading:[/] {_esc(item.label)} — [{style}]{item.status_words}[/]"
                + (f"\n  {_esc(item.reason)}" if item.reason else ""),
                0,
            )
        )
    for flag in s.red_flags:
        out.append(_para(f"[bold red]Don't miss:[/] {_esc(flag)}", 0))
    out.append(
        _para(f"[bold]Paraprotein the likely cause?[/] {s.cause.words} — {_esc(s.cause.reason)}", 1)
    )
    style = _INDICATION_STYLE.get(s.indication.code, "bold")
    out.append(
        _para(
            f"[bold]Treatment:[/] [{style}]{s.indication.words}[/] — {_esc(s.indication.reason)}", 0
        )
    )
    if s.next_tests:
        lines = "\n".join(
            f"  {i}. [bold]{_esc(t.label)}[/] ({t.priority}): {_esc(t.why)}"
            for i, t in enumerate(s.next_tests, 1)
        )
        out.append(_para(f"[bold]Next tests:[/]\n{lines}", 1))
    for warning in a.treatment.warnings[:2]:
        out.append(_para(f"  [bold red]![/] {_esc(clinical_text(warning))}", 3))
    if a.treatment.options:
        regimens = "; ".join(_esc(clinical_text(o.regimen)) for o in a.treatment.options)
        out.append(_para(f"[bold]Options in the literature:[/] {regimens}", 3))
    present = [m for m in a.mimics if m.status in ("present", "possible")]
    if present:
        out.append(
            _para(
                "[bold]Other causes found:[/] "
                + "; ".join(
                    f"{_esc(m.label)} ({status_words('mimic', m.status)})" for m in present
                ),
                1,
            )
        )
    if s.would_change:
        items = "\n".join(f"  • {_esc(w.text)}" for w in s.would_change)
        out.append(_para(f"[cyan]Would change it:[/]\n{items}", 2))
    leading_ids = {item.id for item in s.leading}
    others = [
        x for x in sorted(a.syndromes, key=lambda x: x.rank)
        if x.id not in leading_ids and x.status in ("probable", "possible", "undetermined")
    ]  # fmt: skip
    set_aside = [x for x in a.syndromes if x.status in ("unlikely", "excluded")]
    if others or set_aside:
        text = "; ".join(
            f"{_esc(x.label.split(' (')[0])} ({status_words('syndrome', x.status)})" for x in others
        )
        if set_aside:
            text += ("; " if text else "") + f"{len(set_aside)} others unlikely or excluded"
        out.append(_para(f"[bold]Also considered:[/] {text}", 2))
    not_assessed = [m for m in a.mimics if m.status == "not_assessed"]
    if not_assessed:
        out.append(_para(f"[dim]Other causes not assessed: {len(not_assessed)} (see --full)[/]", 3))
    if s.relies_on_unverified or a.unverified:
        out.append(_para("[yellow]Relies in part on unverified knowledge (see --full).[/]", 2))
    cited = _all_cited(a)
    if cited:
        out.append(_para(f"[dim]Sources: {_esc('; '.join(cited[:4]))}"
                         f"{' …' if len(cited) > 4 else ''} (full list: --full)[/]", 3))  # fmt: skip
    out.append(_para(f"[italic]{_esc(s.disclaimer)}[/]", 0))
    return out


def _height(console: Console, paragraphs: Sequence[_Paragraph]) -> int:
    options = console.options.update(width=console.width)
    return sum(len(console.render_lines(p.text, options, pad=False)) for p in paragraphs)


def fit_to_screen(
    console: Console, paragraphs: list[_Paragraph], limit: int = SCREEN_LINES
) -> list[_Paragraph]:
    """Drop the least important paragraphs, then shorten long ones, until ``limit`` lines fit."""
    kept = list(paragraphs)
    for priority in (3, 2, 1):
        if _height(console, kept) <= limit:
            return kept
        kept = [p for p in kept if p.priority < priority]
    max_lines = 3
    while _height(console, kept) > limit and max_lines >= 1:
        for p in kept:
            if len(p.text.plain) > console.width * max_lines:
                p.text.truncate(console.width * max_lines - 2, overflow="ellipsis")
                p.text.append("…")
        max_lines -= 1
    return kept


def render_summary(assessment: Assessment, console: Console) -> None:
    """The one-screen view (the default of ``mgpn evaluate``)."""
    summary = build_summary(assessment)
    for paragraph in fit_to_screen(console, summary_paragraphs(summary, assessment)):
        console.print(paragraph.text)


def _short(items: Sequence[str], limit: int = 2) -> str:
    shown = [clinical_text(i) for i in items[:limit]]
    more = len(items) - len(shown)
    return "; ".join(shown) + (f" (+{more})" if more > 0 else "")


def _label(label: str) -> str:
    return label.split(" (")[0]


def render_full(assessment: Assessment, console: Console) -> None:
    """Everything: the summary, then the differential, other causes, tests, treatment, sources."""
    a = assessment
    render_summary(a, console)
    console.rule("Detail")
    table = Table(title="Differential (rank 1 = most likely explanation)", expand=True)
    for column in ("#", "Syndrome", "Status", "Support", "Key for", "Key against"):
        table.add_column(column, overflow="fold")
    for s in sorted(a.syndromes, key=lambda s: s.rank):
        style = _STATUS_STYLE[s.status]
        table.add_row(
            str(s.rank),
            _label(s.label),
            f"[{style}]{status_words('syndrome', s.status)}[/]",
            f"{s.score:.2f}",
            _esc(_short(s.for_)),
            _esc(_short(s.against)),
        )
    console.print(table)
    console.print(
        "[dim]Support: a transparent weighting of the findings for and against (0-1), "
        "not a probability; status ranks first.[/]"
    )
    for s in sorted(a.syndromes, key=lambda s: s.rank)[:1]:
        for note in s.notes:
            console.print(f"  {_esc(clinical_text(note))}")
        if s.missing:
            console.print(f"  [cyan]Would change it:[/] {_esc(_short(s.missing, 5))}")
    console.print("[bold]Other causes:[/]")
    for m in a.mimics:
        style = "bold red" if m.status == "present" else ""
        evidence = "; ".join(clinical_text(e) for e in m.evidence[:1])
        status = status_words("mimic", m.status)
        console.print(f"  {_esc(m.label)}: [{style}]{status}[/]" if style else
                      f"  {_esc(m.label)}: {status}", end="")  # fmt: skip
        console.print(f" — {_esc(evidence)}" if evidence else "")
    console.print(
        f"[bold]Paraprotein the likely cause?[/] {status_words('link', a.link.status)} — "
        + _esc(" ".join(clinical_text(r) for r in a.link.reasons[:1]))
    )
    if a.tests:
        tests = Table(title="Next tests", expand=True)
        for column in ("Priority", "Test", "Why"):
            tests.add_column(column, overflow="fold")
        for t in a.tests:
            tests.add_row(t.priority, _esc(t.label), _esc(clinical_text(t.reason)))
        console.print(tests)
    console.print(
        f"[bold]Treatment:[/] {status_words('indication', a.treatment.indication)} — "
        + _esc(" ".join(clinical_text(r) for r in a.treatment.reasons))
    )
    for option in a.treatment.options:
        flag = "" if option.verified else " [yellow](unverified)[/]"
        console.print(
            f"  • {_esc(clinical_text(option.regimen))}{flag}: {_esc(clinical_text(option.evidence))}"
        )
    for warning in a.treatment.warnings:
        console.print(f"  [bold red]![/] {_esc(clinical_text(warning))}")
    for marker in a.biomarkers:
        console.print(
            f"[bold]{_esc(marker.label)}[/] {_esc(marker.value or '')} (research only): "
            f"{_esc(clinical_text(marker.interpretation))}"
        )
    if a.unverified:
        console.print(
            "[yellow]Relies on unverified knowledge:[/] "
            + _esc("; ".join(clinical_text(u) for u in a.unverified))
        )
    if a.not_interpreted:
        console.print(
            "[dim]Not interpreted:[/] "
            + _esc("; ".join(clinical_text(n) for n in a.not_interpreted))
        )
    console.print("[bold]References[/]")
    from mgpn.report.language import full_citation

    for r in a.references:
        console.print(
            f"  {_esc(short_citation(r.id, r.citation))}: {_esc(full_citation(r.id, r.citation))}"
            + (f" {r.url}" if r.url else "")
        )
    console.print(f"[italic]{_esc(a.disclaimer)}[/]")


def render_text(assessment: Assessment, console: Console, *, full: bool = False) -> None:
    """The terminal view: the one-screen summary, or everything with ``full``."""
    if full:
        render_full(assessment, console)
    else:
        render_summary(assessment, console)

"""``mgpn evaluate FILE... [--format text|json|markdown]``: assess case files.

Exit status (:mod:`mgpn.cli.exit_codes`): 0 when every file was evaluated, 1 when any
file was refused (its validation problems are printed, never a traceback), 2 when the
knowledge base is refused or the command is called wrongly.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from mgpn.assessment import Assessment
from mgpn.cli import exit_codes
from mgpn.errors import InputError, KnowledgeError, MgpnError

_STATUS_STYLE = {
    "established": "bold green",
    "probable": "green",
    "possible": "yellow",
    "undetermined": "cyan",
    "unlikely": "dim",
    "excluded": "dim",
}


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


def _short(items: list[str], limit: int = 2) -> str:
    shown = items[:limit]
    more = len(items) - len(shown)
    return "; ".join(shown) + (f" (+{more})" if more > 0 else "")


def _label(label: str) -> str:
    # Keep the table narrow: "CANOMAD (chronic ataxic ...)" -> "CANOMAD".
    return label.split(" (")[0]


def render_text(assessment: Assessment, console: Console) -> None:
    """One screen a clinician reads: differential, tests, treatment, references."""
    a = assessment
    console.rule(f"[bold]{a.case_id or 'case'}[/] — knowledge base {a.knowledge_version}")
    if not a.in_scope:
        console.print(f"[bold red]Outside scope:[/] {a.scope_note}")
    table = Table(title="Differential (rank 1 = most likely explanation)", expand=True)
    for column in ("#", "Syndrome", "Status", "Support", "Key for", "Key against"):
        table.add_column(column, overflow="fold")
    shown = [s for s in a.syndromes if s.status not in ("unlikely", "excluded")]
    for s in shown or a.syndromes[:1]:
        style = _STATUS_STYLE[s.status]
        table.add_row(
            str(s.rank),
            _label(s.label),
            f"[{style}]{s.status}[/]",
            f"{s.score:.2f}",
            _short(s.for_),
            _short(s.against),
        )
    console.print(table)
    console.print(
        "[dim]Support: a transparent weighting of the findings for and against (0-1), "
        "not a probability; status ranks first.[/]"
    )
    for flag in a.red_flags:
        console.print(f"[bold red]Don't miss:[/] {flag}")
    set_aside = [s for s in a.syndromes if s.status in ("unlikely", "excluded") and s not in shown]
    if set_aside:
        console.print(
            "[dim]Set aside: "
            + ", ".join(f"{_label(s.label)} ({s.status})" for s in set_aside)
            + "[/]"
        )
    leading = a.syndromes[0] if a.syndromes else None
    if leading is not None and leading.status_reason:
        console.print(f"[bold]Leading:[/] {leading.label} — {leading.status_reason}")
        for note in leading.notes:
            console.print(f"  {note}")
        if leading.missing:
            console.print(f"  [cyan]Would change it:[/] {_short(leading.missing, 3)}")
    assessed = [m for m in a.mimics if m.status != "not_assessed"]
    console.print(
        "[bold]Other causes:[/] "
        + (
            ", ".join(
                f"{m.label} [{'bold red' if m.status == 'present' else 'white'}]{m.status}[/]"
                for m in assessed
            )
            or "none assessed"
        )
    )
    missing = [m.label for m in a.mimics if m.status == "not_assessed"]
    if missing:
        console.print(f"  [dim]not assessed: {', '.join(missing)}[/]")
    console.print(
        f"[bold]Paraprotein causes the neuropathy?[/] {a.link.status} — "
        f"{a.link.reasons[0] if a.link.reasons else ''}"
    )
    if a.tests:
        tests = Table(title="Next tests", expand=True)
        for column in ("Priority", "Test", "Why"):
            tests.add_column(column, overflow="fold")
        for t in a.tests:
            tests.add_row(t.priority, t.label, t.reason)
        console.print(tests)
    console.print(f"[bold]Treatment:[/] {a.treatment.indication} — {' '.join(a.treatment.reasons)}")
    for option in a.treatment.options:
        flag = "" if option.verified else " [yellow](unverified)[/]"
        console.print(f"  • {option.regimen}{flag}: {option.evidence}")
    for warning in a.treatment.warnings:
        console.print(f"  [bold red]![/] {warning}")
    for marker in a.biomarkers:
        console.print(
            f"[bold]{marker.label}[/] {marker.value} (research only): {marker.interpretation}"
        )
    if a.unverified:
        console.print("[yellow]Relies on unverified knowledge:[/] " + "; ".join(a.unverified))
    if a.not_interpreted:
        console.print("[dim]Not interpreted:[/] " + "; ".join(a.not_interpreted))
    cited: list[str] = []
    for s in a.syndromes[:2]:
        cited += s.references
    cited += a.link.references + a.treatment.references
    for t in a.tests:
        cited += t.references
    for option in a.treatment.options:
        cited += option.references
    console.print(
        "[bold]References[/] (full citations: --format markdown or json): "
        + ", ".join(dict.fromkeys(cited))
    )
    console.print(f"[italic]{a.disclaimer}[/]")


def render_markdown(assessment: Assessment) -> str:
    a = assessment
    lines = [
        f"# Assessment: {a.case_id or 'case'}",
        "",
        f"Knowledge base {a.knowledge_version} (reviewed {a.knowledge_reviewed}).",
        "",
    ]
    if not a.in_scope:
        lines += [f"**Outside scope:** {a.scope_note}", ""]
    lines += [
        "## Differential",
        "",
        "| # | Syndrome | Status | Support | For | Against | Missing |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in a.syndromes:
        lines.append(
            f"| {s.rank} | {s.label} | {s.status} | {s.score:.2f} | "
            f"{'; '.join(s.for_)} | {'; '.join(s.against)} | {'; '.join(s.missing)} |"
        )
    lines += [
        "",
        "Support is a transparent weighting of the findings for and against (0-1), "
        "not a probability; status ranks first.",
    ]
    lines += [f"- **Don't miss:** {flag}" for flag in a.red_flags]
    for s in a.syndromes:
        if s.status in ("established", "probable") or s.rank == 1:
            lines += ["", f"**{s.label}** ({s.status}): {s.status_reason or ''}"]
            lines += [f"- {note}" for note in s.notes]
            if s.unverified:
                lines += [f"- relies on unverified: {item}" for item in s.unverified]
    lines += ["", "## Other causes", ""]
    lines += [f"- **{m.label}**: {m.status} — {'; '.join(m.evidence)}" for m in a.mimics]
    lines += [
        "",
        "## Paraprotein-neuropathy link",
        "",
        f"**{a.link.status}**: " + " ".join(a.link.reasons),
        "",
        "## Next tests",
        "",
    ]
    lines += [f"- **{t.label}** ({t.priority}): {t.reason}" for t in a.tests] or ["- none"]
    lines += [
        "",
        "## Treatment",
        "",
        f"**{a.treatment.indication}**: " + " ".join(a.treatment.reasons),
        "",
    ]
    for o in a.treatment.options:
        flag = "" if o.verified else " *(unverified)*"
        lines.append(f"- {o.regimen}{flag} — {o.evidence} [{', '.join(o.references)}]")
    lines += [f"- ⚠ {w}" for w in a.treatment.warnings]
    if a.biomarkers:
        lines += ["", "## Research biomarkers", ""]
        lines += [f"- {b.label}: {b.value} — {b.interpretation}" for b in a.biomarkers]
    if a.unverified:
        lines += ["", "## Relies on unverified knowledge", ""] + [f"- {u}" for u in a.unverified]
    if a.not_interpreted:
        lines += ["", "## Not interpreted", ""] + [f"- {n}" for n in a.not_interpreted]
    lines += ["", "## References", ""]
    lines += [f"- `{r.id}` {r.citation}" + (f" <{r.url}>" if r.url else "") for r in a.references]
    lines += ["", f"*{a.disclaimer}*", ""]
    return "\n".join(lines)


def _print_refusal(path: Path, exc: MgpnError, console: Console) -> None:
    console.print(f"[bold red]{path}: refused[/]")
    if isinstance(exc, InputError):
        for issue in exc.issues:
            console.print(f"  - {issue}", markup=False)
    else:
        console.print(f"  {exc}", markup=False)


def evaluate_command(
    files: list[Path] = typer.Argument(..., help="Case files (YAML or JSON, mgpn-case/1)."),
    output: OutputFormat = typer.Option(
        OutputFormat.text, "--format", "-f", help="text (terminal), json (one per line), markdown"
    ),
    workers: int | None = typer.Option(
        None,
        "--workers",
        "-j",
        min=1,
        help="processes for many files (default: one per core; 1: none). "
        "Output keeps the order of the files.",
    ),
) -> None:
    """Assess each case: differential, other causes, link, next tests, treatment."""
    from mgpn.batch import evaluate_many

    out = Console(highlight=False, soft_wrap=output is not OutputFormat.text)
    err = Console(stderr=True, highlight=False)
    refused = 0
    items = evaluate_many(
        files, workers=workers, output="json" if output is OutputFormat.json else "assessment"
    )
    try:
        for item in items:
            if item.error is not None:
                refused += 1
                _print_refusal(Path(item.source), item.error, err)
            elif item.rendered is not None:
                typer.echo(item.rendered)
            elif item.assessment is not None and output is OutputFormat.markdown:
                typer.echo(render_markdown(item.assessment))
            elif item.assessment is not None:
                render_text(item.assessment, out)
    except KnowledgeError as exc:
        err.print(f"[bold red]knowledge base refused:[/] {exc}", markup=True)
        raise typer.Exit(exit_codes.CANNOT_RUN) from exc
    if refused:
        raise typer.Exit(exit_codes.INPUT_REFUSED)


def register(app: typer.Typer) -> None:
    """Add ``mgpn evaluate`` to the main app."""
    app.command("evaluate")(evaluate_command)

"""``mgpn evaluate FILE... [--format text|json|markdown] [--full]``: assess case files.

The text view is the bottom line on one screen (at most 40 lines); ``--full`` adds
the whole differential, other causes, every test, the options and the references.
The renderers live in :mod:`mgpn.report` (one view model for every face).

Exit status (:mod:`mgpn.cli.exit_codes`): 0 when every file was evaluated, 1 when any
file was refused (its validation problems are printed, never a traceback), 2 when the
knowledge base is refused or the command is called wrongly.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console

from mgpn.cli import exit_codes
from mgpn.errors import InputError, MgpnError


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    fhir = "fhir"


def _print_refusal(path: Path, exc: MgpnError, console: Console) -> None:
    console.print(f"[bold red]{path}: refused[/]")
    if isinstance(exc, InputError):
        for issue in exc.issues:
            console.print(f"  - {issue}", markup=False)
    else:
        console.print(f"  {exc}", markup=False)


def evaluate_command(
    files: list[Path] = typer.Argument(
        ..., help="Case files (YAML or JSON, mgpn-case/1) or FHIR R4 Bundles (JSON)."
    ),
    output: OutputFormat = typer.Option(
        OutputFormat.text,
        "--format",
        "-f",
        help="text (terminal), json (one per line), markdown, fhir (a FHIR R4 Bundle per case)",
    ),
    full: bool = typer.Option(
        False, "--full", help="text: everything, not just the one-screen summary"
    ),
) -> None:
    """Assess each case: differential, other causes, link, next tests, treatment."""
    from mgpn.engine import evaluate
    from mgpn.interop.fhir.files import load_case_or_fhir
    from mgpn.knowledge import load_knowledge
    from mgpn.report.markdown import render_markdown
    from mgpn.report.text import render_text

    out = Console(highlight=False, soft_wrap=output is not OutputFormat.text)
    err = Console(stderr=True, highlight=False)
    try:
        kb = load_knowledge()
    except MgpnError as exc:
        err.print(f"[bold red]knowledge base refused:[/] {exc}", markup=True)
        raise typer.Exit(exit_codes.CANNOT_RUN) from exc
    refused = 0
    for path in files:
        try:
            case, mapping = load_case_or_fhir(path)  # a FHIR Bundle is told apart by content
            assessment = evaluate(case, kb)
        except MgpnError as exc:
            refused += 1
            _print_refusal(path, exc, err)
            continue
        if mapping is not None and mapping.unused:
            err.print(f"{path}: {len(mapping.unused)} FHIR resource(s) or code(s) not used "
                      "(see mgpn fhir import --report)", markup=False)  # fmt: skip
        if output is OutputFormat.fhir:
            from mgpn.interop.fhir.output import assessment_bundle

            typer.echo(json.dumps(assessment_bundle(assessment), ensure_ascii=False))
        elif output is OutputFormat.json:
            typer.echo(json.dumps(assessment.to_json_dict(), ensure_ascii=False))
        elif output is OutputFormat.markdown:
            typer.echo(render_markdown(assessment))
        else:
            render_text(assessment, out, full=full)
    if refused:
        raise typer.Exit(exit_codes.INPUT_REFUSED)


def register(app: typer.Typer) -> None:
    """Add ``mgpn evaluate`` to the main app."""
    app.command("evaluate")(evaluate_command)

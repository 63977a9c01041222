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
from typing import TYPE_CHECKING

import typer

from mgpn.cli import exit_codes
from mgpn.errors import InputError, KnowledgeError, MgpnError

if TYPE_CHECKING:  # rich is imported when something is printed through it
    from rich.console import Console


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

    consoles: dict[bool, Console] = {}

    def console(stderr: bool = False) -> Console:
        # Made on first use: JSON, Markdown and FHIR output need no rich unless a file is
        # refused or noted.
        if stderr not in consoles:
            from rich.console import Console

            soft_wrap = not stderr and output is not OutputFormat.text
            consoles[stderr] = Console(stderr=stderr, highlight=False, soft_wrap=soft_wrap)
        return consoles[stderr]

    refused = 0
    items = evaluate_many(
        files, workers=workers, output="json" if output is OutputFormat.json else "assessment"
    )
    try:
        for item in items:
            if item.error is not None:
                refused += 1
                _print_refusal(Path(item.source), item.error, console(stderr=True))
                continue
            for notice in item.notices:
                console(stderr=True).print(f"{item.source}: {notice}", markup=False)
            if item.rendered is not None:
                typer.echo(item.rendered)
            elif item.assessment is None:
                continue
            elif output is OutputFormat.fhir:
                from mgpn.interop.fhir.output import assessment_bundle

                typer.echo(json.dumps(assessment_bundle(item.assessment), ensure_ascii=False))
            elif output is OutputFormat.markdown:
                from mgpn.report.markdown import render_markdown

                typer.echo(render_markdown(item.assessment))
            else:
                from mgpn.report.text import render_text

                render_text(item.assessment, console(), full=full)
    except KnowledgeError as exc:
        console(stderr=True).print(f"[bold red]knowledge base refused:[/] {exc}", markup=True)
        raise typer.Exit(exit_codes.CANNOT_RUN) from exc
    if refused:
        raise typer.Exit(exit_codes.INPUT_REFUSED)


def register(app: typer.Typer) -> None:
    """Add ``mgpn evaluate`` to the main app."""
    app.command("evaluate")(evaluate_command)

"""``mgpn validate`` and ``mgpn schema``: how a case file is read, and the format itself."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from mgpn.case import Case, dump_case, load_case
from mgpn.cli import exit_codes
from mgpn.errors import CaseError


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"


def print_case_error(error: CaseError) -> None:
    """Every issue of an invalid file, one per line, on standard error."""
    typer.echo(f"INVALID {error.source}", err=True)
    for issue in error.issues:
        typer.echo(f"  - {issue}", err=True)


def validate(
    files: list[Path] = typer.Argument(..., help="case files (YAML or JSON)"),
    output: ValidateFormat = typer.Option(
        ValidateFormat.text, "--format", help="text: OK or the errors; json: the normalised case"
    ),
) -> None:
    """Check case files against mgpn-case/1; print every error with its field and fix."""
    failed = 0
    for file in files:
        try:
            case = load_case(file)
        except CaseError as error:
            failed += 1
            if output is ValidateFormat.json:
                payload = {
                    "source": str(file),
                    "valid": False,
                    "issues": [i.as_dict() for i in error.issues],
                }
                typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
            print_case_error(error)
            continue
        if output is ValidateFormat.json:
            typer.echo(json.dumps(dump_case(case), indent=2, ensure_ascii=False))
        else:
            typer.echo(f"OK {file}")
    if failed:
        raise typer.Exit(code=exit_codes.INPUT_REFUSED)


def schema() -> None:
    """Print the JSON Schema of mgpn-case/1 (for editors and other tools)."""
    document: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://mgpn.example/schema/mgpn-case-1.json",
        **Case.model_json_schema(),
    }
    typer.echo(json.dumps(document, indent=2, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    """Add ``validate`` and ``schema`` to the main app."""
    app.command("validate")(validate)
    app.command("schema")(schema)

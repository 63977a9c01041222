"""``mgpn fhir import`` (a FHIR R4 Bundle -> a case file) and ``mgpn fhir export`` (the reverse)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer

from mgpn.cli import exit_codes
from mgpn.errors import InputError, MgpnError

fhir_app = typer.Typer(help="FHIR R4: read a patient's Bundle into a case file, or write a case as a Bundle.",
                       no_args_is_help=True)  # fmt: skip


def _fail(exc: MgpnError) -> None:
    typer.echo(f"error: {getattr(exc, 'source', '')}: refused", err=True)
    if isinstance(exc, InputError):
        for issue in exc.issues:
            typer.echo(f"  - {issue}", err=True)
    else:
        typer.echo(f"  {exc}", err=True)
    raise typer.Exit(exit_codes.status_for(exc))


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        typer.echo(f"error: --as-of {text!r} is not a date. Fix: write it as YYYY-MM-DD", err=True)
        raise typer.Exit(2) from None


@fhir_app.command("import")
def import_command(
    bundle: Path = typer.Argument(..., help="A FHIR R4 Bundle (JSON) of one patient."),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="Write the case here (YAML or .json); default: print it."
    ),
    report: bool = typer.Option(
        False,
        "--report",
        help="Print the mapping report: every value used and every resource not used, with why.",
    ),
    report_json: Path | None = typer.Option(
        None, "--report-json", help="Write the mapping report as JSON."
    ),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="The case date (default: the Bundle's timestamp, else its latest date).",
    ),
    site_codes: Path | None = typer.Option(
        None,
        "--site-codes",
        envvar="MGPN_FHIR_SITE_CODES",
        help="A site mapping file of local codes (YAML).",
    ),
) -> None:
    """Read a patient's FHIR Bundle into a case file (mgpn-case/1)."""
    import yaml

    from mgpn.case import dump_case
    from mgpn.interop.fhir.files import read_fhir, report_lines

    try:
        case, mapping = read_fhir(
            bundle, as_of=_date(as_of), site_codes=str(site_codes) if site_codes else None
        )
    except MgpnError as exc:
        _fail(exc)
        return
    data = dump_case(case)
    text = (
        json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        if output is not None and output.suffix.lower() == ".json"
        else yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    )
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)
    if report:
        for line in report_lines(mapping):
            typer.echo(line, err=output is None)
    elif mapping.unused:
        typer.echo(f"{len(mapping.unused)} resource(s) or code(s) not used: see --report", err=True)
    if report_json is not None:
        report_json.write_text(
            json.dumps(mapping.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8"
        )


@fhir_app.command("export")
def export_command(
    case_file: Path = typer.Argument(..., help="A case file (YAML or JSON, mgpn-case/1)."),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="Write the Bundle here; default: print it."
    ),
) -> None:
    """Write a case file as a FHIR R4 collection Bundle (Patient, Observations, treatments)."""
    from mgpn.case import load_case
    from mgpn.interop.fhir import case_to_bundle

    try:
        bundle = case_to_bundle(load_case(case_file))
    except MgpnError as exc:
        _fail(exc)
        return
    text = json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)


def register(app: typer.Typer) -> None:
    """Add ``mgpn fhir`` to the main app."""
    app.add_typer(fhir_app, name="fhir")

"""``mgpn cohort`` (analyze, simulate) and ``mgpn redcap`` (dictionary, import).

A thin layer over :mod:`mgpn.cohort`: parse options, call the library, write the
output, and turn every :class:`~mgpn.errors.MgpnError` into a message on stderr and
exit status 2, never a traceback.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from mgpn.cli import exit_codes
from mgpn.errors import MgpnError

cohort_app = typer.Typer(
    help="Study a cohort: serum markers across patient groups. "
    "Research use; not for individual patient decisions.",
    no_args_is_help=True,
)
redcap_app = typer.Typer(
    help="Exchange cases with a REDCap registry (data dictionary, records import).",
    no_args_is_help=True,
)


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.add_typer(cohort_app, name="cohort")
    app.add_typer(redcap_app, name="redcap")


def _fail(exc: MgpnError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(code=exit_codes.status_for(exc))


def _write(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)


@cohort_app.command("analyze")
def analyze(
    file: Path = typer.Argument(..., help="cohort table, .csv or .parquet (mgpn-cohort/1)"),
    markers: str | None = typer.Option(
        None, "--markers", help="comma-separated marker columns (default: every numeric column)"
    ),
    report_format: ReportFormat = typer.Option(
        ReportFormat.text, "--format", help="text, json (mgpn-cohort-analysis/1) or html"
    ),
    output: Path | None = typer.Option(None, "-o", "--output", help="write here, not stdout"),
) -> None:
    """Compare markers across groups; correlate with severity, progression, rituximab response."""
    from mgpn.cohort import analyze_cohort, load_cohort

    chosen = [m.strip() for m in markers.split(",") if m.strip()] if markers else None
    try:
        analysis = analyze_cohort(load_cohort(file, markers=chosen))
    except MgpnError as exc:
        raise _fail(exc) from None
    if report_format is ReportFormat.json:
        text = analysis.to_json() + "\n"
    elif report_format is ReportFormat.html:
        text = analysis.to_html()
    else:
        text = analysis.to_text()
    _write(text, output)


@cohort_app.command("simulate")
def simulate(
    seed: int = typer.Option(..., "--seed", help="random seed; the same seed gives the same file"),
    output: Path | None = typer.Option(
        None, "-o", "--output", help=".csv or .parquet (default: CSV on stdout, no sidecar)"
    ),
    parameters: Path | None = typer.Option(
        None,
        "--parameters",
        help="YAML overriding the assumptions in mgpn/cohort/data/simulation.yaml",
    ),
) -> None:
    """Write a SYNTHETIC cohort shaped like the design of Stork et al. 2019 (an example, not evidence)."""
    from mgpn.cohort.simulate import load_parameters, simulate_cohort, write_cohort

    try:
        params = load_parameters(parameters)
    except MgpnError as exc:
        raise _fail(exc) from None
    frame = simulate_cohort(seed, params)
    if output is None:
        typer.echo(frame.write_csv(), nl=False)
        return
    sidecar = write_cohort(frame, output, seed=seed, parameters=params)
    typer.echo(f"wrote {output} and {sidecar} (synthetic: not evidence)", err=True)


@redcap_app.command("dictionary")
def dictionary(
    output: Path | None = typer.Option(None, "-o", "--output", help="CSV file (default: stdout)"),
    cohort_study: bool = typer.Option(
        False, "--cohort-study", help="add a form for the study group and follow-up (cohorts)"
    ),
) -> None:
    """Write a REDCap data dictionary for mgpn cases, with visits as a repeating instrument."""
    from mgpn.interop.redcap.dictionary import dictionary_csv

    try:
        text = dictionary_csv(cohort_study=cohort_study)
    except MgpnError as exc:
        raise _fail(exc) from None
    _write(text, output)


@redcap_app.command("import")
def import_records(
    records: Path = typer.Argument(..., help="REDCap records export (CSV, raw values)"),
    dictionary_file: Path = typer.Option(..., "--dictionary", help="the data dictionary CSV"),
    out_dir: Path | None = typer.Option(
        None, "-o", "--output", help="folder for the case files, one YAML per record"
    ),
    cohort: Path | None = typer.Option(
        None, "--cohort", help="also write a cohort table (mgpn-cohort/1), .csv or .parquet"
    ),
) -> None:
    """Turn a REDCap export into mgpn case files and/or a cohort table."""
    from mgpn.interop.redcap.records import import_records as run_import

    if out_dir is None and cohort is None:
        out_dir = Path(".")
    try:
        written, notes = run_import(records, dictionary_file, out_dir, cohort)
    except MgpnError as exc:
        raise _fail(exc) from None
    for note in notes:
        typer.echo(f"note: {note}", err=True)
    typer.echo(f"wrote {len(written)} file(s)", err=True)

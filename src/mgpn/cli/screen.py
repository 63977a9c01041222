"""``mgpn screen`` (population screening for work-up gaps) and ``mgpn synth ehr``.

A thin layer over :mod:`mgpn.screening`: options in, a progress bar while it runs, the
bottom line and the paths out. DuckDB, PySpark and matplotlib load only inside the command.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from mgpn.cli import exit_codes
from mgpn.errors import MgpnError

synth_app = typer.Typer(
    help="Write labelled-synthetic data for tests, demos and benchmarks (no real patient).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("screen")(screen)
    app.add_typer(synth_app, name="synth")


def _fail(exc: MgpnError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(code=exit_codes.status_for(exc))


def screen(
    export_dir: str = typer.Argument(
        ..., help="folder of a FHIR Bulk Data export (Patient.ndjson, Observation.ndjson, ...)"
    ),
    output: Path = typer.Option(..., "-o", "--output", help="folder for the tables and the report"),
    engine: str = typer.Option("duckdb", "--engine", help="duckdb (one machine) or spark"),
    master: str | None = typer.Option(
        None, "--master", help="Spark master URL (default local[2]); only with --engine spark"
    ),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="screening date, YYYY-MM-DD: values current on it are used (default: each patient's latest record)",
    ),
    workers: int | None = typer.Option(
        None, "--workers", help="processes that run the engine (default: one per core)"
    ),
    spark_conf: list[str] = typer.Option(
        [],
        "--spark-conf",
        help="a Spark setting KEY=VALUE, repeatable (e.g. spark.driver.memory=8g; local default 3g)",
    ),
) -> None:
    """Find the patients whose work-up has a gap, across a whole EHR export.

    Writes gaps.parquet/.csv (patient, gap, evidence, the test that closes it, knowledge
    version), patients.parquet/.csv, issues.parquet/.csv (bad input with file and line),
    summary.json and report.html. Decision support: it supports, and does not replace,
    clinical judgment.
    """
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    from mgpn.screening.run import screen as run_screen

    try:
        date = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        typer.echo(f"error: --as-of {as_of!r} is not a date; write YYYY-MM-DD", err=True)
        raise typer.Exit(code=2) from None
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(), console=console, transient=True,
    ) as bar:  # fmt: skip
        tasks: dict[str, TaskID] = {}
        labels = {"read": "reading the export (bytes)", "evaluate": "screening patients"}

        def progress(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(labels.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        try:
            conf = None
            if spark_conf:
                from mgpn.screening.spark_engine import parse_conf

                conf = parse_conf(spark_conf)
            result = run_screen(
                export_dir, output, engine=engine, master=master, as_of=date,
                workers=workers, progress=progress, spark_conf=conf,
            )  # fmt: skip
        except MgpnError as exc:
            raise _fail(exc) from exc
    from mgpn.screening.report import _bottom_line

    summary = result.summary
    typer.echo(_bottom_line(summary))
    issues = summary["issues"]["count"]
    if issues:
        typer.echo(
            f"{issues} input problem(s) listed with file and line in issues.csv and the report."
        )
    typer.echo(f"wrote {output}/report.html, gaps.csv, gaps.parquet, summary.json")
    typer.echo(summary["disclaimer"])


@synth_app.command("ehr")
def synth_ehr(
    patients: int = typer.Option(1000, "--patients", min=1, help="number of synthetic patients"),
    seed: int = typer.Option(
        1, "--seed", min=0, max=999, help="random seed (same seed, same export)"
    ),
    output: Path = typer.Option(..., "-o", "--output", help="folder to write the export into"),
    gzip_files: bool = typer.Option(False, "--gzip", help="write .ndjson.gz files"),
    defects: bool = typer.Option(
        False, "--defects", help="plant one of each kind of bad input (listed in truth.json)"
    ),
    dense: bool = typer.Option(
        False,
        "--dense",
        help="plant a gammopathy in half of the patients (for demos; not a realistic prevalence)",
    ),
    jobs: int = typer.Option(
        1,
        "--jobs",
        min=1,
        help="processes writing shards of 50,000 patients at once (same export for any number)",
    ),
) -> None:
    """A labelled-synthetic FHIR Bulk export with known answers (truth.json)."""
    from mgpn.screening.synth import DENSE, generate

    result = generate(
        output, patients, seed, compress=gzip_files, defects=defects,
        overrides=DENSE if dense else None, jobs=jobs,
    )  # fmt: skip
    typer.echo(
        f"wrote {result.patients:,} synthetic patients ({result.planted:,} with a planted "
        f"gammopathy) to {output}; the planted answers are in {output}/truth.json"
    )

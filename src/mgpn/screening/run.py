"""One screening run: export in, tables + summary + HTML report out, on either engine."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mgpn.errors import Issue, ScreeningError
from mgpn.screening.export import find_export
from mgpn.screening.report import Funnel, build_summary, write_html, write_summary

ENGINES = ("duckdb", "spark")


@dataclass(frozen=True)
class ScreenRun:
    out: Path
    summary: dict[str, Any]


def _prepare(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in ("gaps", "patients", "issues", "_spark"):
        for suffix in (".parquet", ".csv", ""):
            target = out / f"{name}{suffix}"
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()


def screen(
    export_dir: str | Path,
    out_dir: str | Path,
    *,
    engine: str = "duckdb",
    master: str | None = None,
    as_of: dt.date | None = None,
    workers: int | None = None,
    progress: Any = None,
    spark_conf: dict[str, str] | None = None,
) -> ScreenRun:
    """Screen the Bulk export in ``export_dir`` and write everything into ``out_dir``."""
    if engine not in ENGINES:
        raise ScreeningError(
            "--engine",
            [
                Issue(
                    "engine",
                    f"unknown engine {engine!r}",
                    fix=f"choose one of {', '.join(ENGINES)}",
                )
            ],
        )
    if "://" in str(out_dir):
        raise ScreeningError(
            str(out_dir),
            [
                Issue(
                    "--output",
                    "the output must be a local folder: the report and the CSV tables are written there",
                    fix="give a local path (on a cluster, a folder the executors share, e.g. a network mount)",
                )
            ],
        )
    out = Path(out_dir)
    started = time.perf_counter()
    if engine == "duckdb":
        from mgpn.screening import duckdb_engine
        from mgpn.screening.tables import TableWriter

        export = find_export(export_dir)
        _prepare(out)
        writer = TableWriter(out)
        with tempfile.TemporaryDirectory(prefix="mgpn-screen-") as work:
            try:
                counts = duckdb_engine.run(
                    export, writer, Path(work), as_of=as_of, workers=workers, progress=progress
                )
            finally:
                writer.close()
        funnel = Funnel(counts.patients, counts.screened, counts.with_gap)
        source = str(export.root)
        phases = {
            "read_and_prefilter": round(counts.read_seconds, 3),
            "engine": round(counts.evaluate_seconds, 3),
        }
    else:
        from mgpn.screening import spark_engine

        _prepare(out)
        spark_counts = spark_engine.run(
            str(export_dir),
            out,
            master=master or "local[2]",
            as_of=as_of,
            progress=progress,
            conf=spark_conf,
        )
        funnel = Funnel(spark_counts.patients, spark_counts.screened, spark_counts.with_gap)
        source = str(export_dir)
        phases = {}
    seconds = time.perf_counter() - started
    summary = build_summary(out, funnel, engine=engine, export=source, seconds=seconds, as_of=as_of)
    summary["seconds_by_phase"] = phases  # where the time went (DuckDB engine only)
    write_summary(out, summary)
    write_html(out, summary)
    return ScreenRun(out, summary)

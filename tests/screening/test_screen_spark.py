"""The Spark engine gives the same gaps and input problems as DuckDB on the same export.

One small export, one local[2] session. Skips cleanly when Java is absent (CI installs it
with scripts/ci-services.sh).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mgpn.screening.run import ScreenRun, screen
from mgpn.screening.spark_engine import java_available

pytestmark = [
    pytest.mark.spark,
    pytest.mark.skipif(java_available() is not None, reason=java_available() or ""),
]

GAP_KEY = (
    "patient",
    "gap_id",
    "findings",
    "closing_test",
    "engine_proposes",
    "window",
    "kb_version",
)


def _rows(out: Path, name: str, key: tuple[str, ...]) -> list[tuple[object, ...]]:
    import pyarrow.parquet as pq

    table = pq.read_table(str(out / f"{name}.parquet"))
    return sorted(tuple(row[k] for k in key) for row in table.to_pylist())


def test_spark_and_duckdb_agree(
    synthetic_export: Path, duckdb_run: ScreenRun, tmp_path: Path
) -> None:
    spark_run = screen(synthetic_export, tmp_path / "spark", engine="spark", master="local[2]")
    assert _rows(spark_run.out, "gaps", GAP_KEY) == _rows(duckdb_run.out, "gaps", GAP_KEY)
    issue_key = ("file", "line", "kind")
    assert _rows(spark_run.out, "issues", issue_key) == _rows(duckdb_run.out, "issues", issue_key)
    patient_key = ("patient", "leading_syndrome", "gaps")
    assert _rows(spark_run.out, "patients", patient_key) == _rows(
        duckdb_run.out, "patients", patient_key
    )
    assert spark_run.summary["funnel"] == duckdb_run.summary["funnel"]
    assert (spark_run.out / "report.html").is_file()

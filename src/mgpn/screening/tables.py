"""The three tables a screening run writes (gaps, patients, input issues), as Parquet and CSV.

Rows arrive in batches and are written as they come, so memory does not grow with the
export. The Arrow schemas are the contract both engines follow.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mgpn.screening.patient import GAP_COLUMNS, ISSUE_COLUMNS, PATIENT_COLUMNS, PatientResult

TABLES = ("gaps", "patients", "issues")


def schemas() -> dict[str, Any]:
    import pyarrow as pa

    text = pa.string()
    gap_fields = [
        pa.field(name, pa.bool_() if name == "verified" else text) for name in GAP_COLUMNS
    ]
    patient_types = {"gaps": pa.int64(), "in_scope": pa.bool_(), "resources_not_used": pa.int64()}
    patient_fields = [pa.field(name, patient_types.get(name, text)) for name in PATIENT_COLUMNS]
    issue_fields = [
        pa.field(name, pa.int64() if name == "line" else text) for name in ISSUE_COLUMNS
    ]
    return {
        "gaps": pa.schema(gap_fields),
        "patients": pa.schema(patient_fields),
        "issues": pa.schema(issue_fields),
    }


def rows_of(results: Iterable[PatientResult]) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    for result in results:
        rows["gaps"].extend(result.gaps)
        if result.patient:
            rows["patients"].append(result.patient)
        rows["issues"].extend(result.issues)
    return rows


class TableWriter:
    """Parquet and CSV writers for the three tables under ``directory``."""

    def __init__(self, directory: Path) -> None:
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        self.directory = directory
        self._schemas = schemas()
        self._parquet = {
            name: pq.ParquetWriter(str(directory / f"{name}.parquet"), schema)
            for name, schema in self._schemas.items()
        }
        self._csv = {
            name: pacsv.CSVWriter(str(directory / f"{name}.csv"), schema)
            for name, schema in self._schemas.items()
        }
        self.counts = dict.fromkeys(TABLES, 0)

    def schema(self, name: str) -> Any:
        return self._schemas[name]

    def write_arrow(self, name: str, batch: Any) -> None:
        """Write an Arrow batch or table of ``name``'s columns (cast to its schema)."""
        import pyarrow as pa

        if batch.num_rows == 0:
            return
        table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        table = table.select(self._schemas[name].names).cast(self._schemas[name])
        self._parquet[name].write_table(table)
        self._csv[name].write_table(table)
        self.counts[name] += table.num_rows

    def write(self, name: str, rows: list[dict[str, Any]]) -> None:
        import pyarrow as pa

        if not rows:
            return
        table = pa.Table.from_pylist(rows, schema=self._schemas[name])
        self._parquet[name].write_table(table)
        self._csv[name].write_table(table)
        self.counts[name] += table.num_rows

    def write_results(self, results: Iterable[PatientResult]) -> None:
        for name, rows in rows_of(results).items():
            self.write(name, rows)

    def close(self) -> None:
        for writer in [*self._parquet.values(), *self._csv.values()]:
            writer.close()

"""Screening on one machine: DuckDB pre-filters and groups, a process pool runs the engine.

Pass 1 reads every line once and keeps only small things: the patient ids, the ids of the
patients with a paraprotein (the SQL pre-filter, codes from ``care_gaps.yaml``) and the
input problems (malformed lines, a resource naming no known patient). Pass 2 reads the
files again and keeps the lines of the screened patients only, in an on-disk DuckDB
table; grouped by patient, they go in batches to worker processes that map, assess and
screen them. Most of an EHR's patients never reach Python.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mgpn.screening.export import Export, ExportFile, iter_line_batches
from mgpn.screening.patient import PatientResult, SourcedLine, screen_group
from mgpn.screening.tables import TableWriter

#: Patients per unit of work sent to a worker process.
BATCH_PATIENTS = 64

Progress = Callable[[str, int, int | None], None]

# Each line is parsed once into the few fields screening needs (json_transform is lenient:
# a field of an unexpected shape becomes NULL); json_valid guards it, so a malformed line
# is reported instead of stopping the query.
_FIELDS = json.dumps(
    {
        "resourceType": "VARCHAR",
        "id": "VARCHAR",
        "subject": {"reference": "VARCHAR"},
        "patient": {"reference": "VARCHAR"},
        "code": {"coding": [{"system": "VARCHAR", "code": "VARCHAR"}]},
    }
)
_PARSE = f"CASE WHEN json_valid(raw) THEN json_transform(raw, '{_FIELDS}') END"
# The patient a resource belongs to: subject (Observation, Condition, ...) or patient
# (some R4 resources); relative "Patient/<id>" references only, as Bulk export writes them.
_PATIENT_REF = "coalesce(t.subject.reference, t.patient.reference)"
_CODES = (
    "list_transform(coalesce(t.code.coding, []), "
    "lambda c: coalesce(c.system, '') || '|' || coalesce(c.code, ''))"
)


@dataclass
class RunCounts:
    patients: int = 0
    screened: int = 0
    with_gap: int = 0
    lines: int = 0
    bytes_read: int = 0


def population_codes() -> tuple[list[str], list[str]]:
    from mgpn.knowledge.care_gaps import load_care_gaps

    population = load_care_gaps().population
    conditions = [f"{c.system}|{c.code}" for c in population.conditions]
    observations = [f"{c.system}|{c.code}" for c in population.observations]
    return conditions, observations


def _connect(workdir: Path, threads: int) -> Any:
    import duckdb

    con = duckdb.connect(str(workdir / "screen.duckdb"))
    _sql(con, f"SET threads = {max(1, threads)}")
    _sql(con, f"SET temp_directory = '{workdir / 'spill'}'")
    _sql(con, "SET preserve_insertion_order = false")
    _sql(
        con,
        "CREATE TABLE patients (id VARCHAR);"
        "CREATE TABLE candidates (patient VARCHAR);"
        "CREATE TABLE issues (file VARCHAR, line BIGINT, patient VARCHAR, kind VARCHAR, message VARCHAR);"
        "CREATE TABLE lines (patient VARCHAR, file VARCHAR, line BIGINT, raw VARCHAR);",
    )
    return con


def _pass_one(con: Any, item: ExportFile, batch: Any, codes: tuple[list[str], list[str]]) -> None:
    """Record the patients, the pre-filter hits and the problems of one batch of lines."""
    con.register("batch", batch)
    name = item.name
    expected = item.resource_type
    _sql(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE parsed AS
        SELECT line, CASE WHEN t IS NULL THEN left(raw, 80) END AS head, t IS NOT NULL AS ok,
               t.resourceType AS rtype, t.id AS rid, {_PATIENT_REF} AS ref, {_CODES} AS codes
        FROM (SELECT line, raw, {_PARSE} AS t FROM batch)
        """,
    )
    _sql(
        con,
        """
        INSERT INTO issues
        SELECT ?, line, NULL, 'malformed line',
               'not valid JSON; the line was skipped: ' || head FROM parsed WHERE NOT ok
        UNION ALL
        SELECT ?, line, NULL, 'wrong resource type',
               'a ' || coalesce(rtype, 'resource without resourceType') || ' in a file of ' || ? || '; skipped'
        FROM parsed WHERE ok AND rtype IS DISTINCT FROM ?
        """,
        [name, name, expected, expected],
    )
    if expected == "Patient":
        _sql(
            con,
            "INSERT INTO patients SELECT rid FROM parsed WHERE ok AND rtype = 'Patient' AND rid IS NOT NULL",
        )
        con.unregister("batch")
        return
    conditions, observations = codes
    wanted = conditions if expected == "Condition" else observations
    _sql(
        con,
        """
        INSERT INTO issues
        SELECT ?, line, ref, 'no patient',
               'the resource names no patient (subject or patient reference); skipped'
        FROM parsed WHERE ok AND rtype = ? AND (ref IS NULL OR NOT starts_with(ref, 'Patient/'))
        """,
        [name, expected],
    )
    if expected in ("Condition", "Observation"):
        _sql(
            con,
            """
            INSERT INTO candidates
            SELECT DISTINCT substr(ref, 9) FROM parsed
            WHERE ok AND rtype = ? AND starts_with(ref, 'Patient/')
              AND list_has_any(codes, ?::VARCHAR[])
            """,
            [expected, wanted],
        )
    # Patient files are read first, so the patient table is complete here.
    _sql(
        con,
        """
        INSERT INTO issues
        SELECT ?, line, ref, 'unknown patient',
               'the resource refers to ' || ref || ', which is not in the Patient file; skipped'
        FROM parsed
        WHERE ok AND rtype = ? AND starts_with(ref, 'Patient/')
          AND substr(ref, 9) NOT IN (SELECT id FROM patients)
        """,
        [name, expected],
    )
    con.unregister("batch")


def _pass_two(con: Any, item: ExportFile, batch: Any) -> None:
    """Keep the lines of screened patients (valid JSON of the file's type only)."""
    con.register("batch", batch)
    key = "t.id" if item.resource_type == "Patient" else f"substr({_PATIENT_REF}, 9)"
    _sql(
        con,
        f"""
        INSERT INTO lines
        SELECT s.patient, ?, s.line, s.raw FROM (
            SELECT {key} AS patient, line, raw FROM (SELECT line, raw, {_PARSE} AS t FROM batch)
            WHERE t.resourceType = ?
        ) s SEMI JOIN screened USING (patient)
        """,
        [item.name, item.resource_type],
    )
    con.unregister("batch")


def _groups(con: Any, rows_per_batch: int) -> Iterator[list[tuple[str, list[SourcedLine]]]]:
    reader = con.sql(
        "SELECT patient, list(file ORDER BY file, line) AS files, list(line ORDER BY file, line) AS nums, "
        "list(raw ORDER BY file, line) AS raws FROM lines GROUP BY patient ORDER BY patient"
    ).to_arrow_reader(rows_per_batch)
    for batch in reader:
        data = batch.to_pydict()
        yield [
            (
                f"Patient/{patient}",
                [SourcedLine(f, n, r) for f, n, r in zip(files, nums, raws, strict=True)],
            )
            for patient, files, nums, raws in zip(
                data["patient"], data["files"], data["nums"], data["raws"], strict=True
            )
        ]


def _evaluate(
    con: Any,
    writer: TableWriter,
    as_of: dt.date | None,
    workers: int,
    progress: Progress,
    total: int,
) -> int:
    """Evaluate every screened patient across ``workers`` processes; the patients with a gap."""
    done = with_gap = 0

    def consume(results: list[PatientResult]) -> None:
        nonlocal done, with_gap
        writer.write_results(results)
        done += len(results)
        with_gap += sum(1 for item in results if item.gaps)
        progress("evaluate", done, total)

    if workers <= 1:
        for group in _groups(con, BATCH_PATIENTS):
            consume(screen_group(group, as_of))
        return with_gap
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: list[Future[list[PatientResult]]] = []
        for group in _groups(con, BATCH_PATIENTS):
            pending.append(pool.submit(screen_group, group, as_of))
            while len(pending) >= workers * 2:  # bounded: memory stays flat
                consume(pending.pop(0).result())
        for future in pending:
            consume(future.result())
    return with_gap


def run(
    export: Export,
    writer: TableWriter,
    workdir: Path,
    *,
    as_of: dt.date | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> RunCounts:
    """Screen ``export`` into ``writer``; returns the funnel counts."""
    report = progress or (lambda stage, done, total: None)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    (workdir / "spill").mkdir(parents=True, exist_ok=True)
    con = _connect(workdir, workers)
    codes = population_codes()
    counts = RunCounts()
    total_bytes = sum(item.path.stat().st_size for item in export.files)
    for item in export.files:
        for batch in iter_line_batches(item.path):
            _pass_one(con, item, batch, codes)
            counts.lines += batch.num_rows
        counts.bytes_read += item.path.stat().st_size
        report("read", counts.bytes_read, total_bytes)
    _sql(
        con,
        "CREATE TABLE screened AS SELECT DISTINCT c.patient FROM candidates c "
        "SEMI JOIN patients p ON p.id = c.patient",
    )
    counts.patients = _scalar(con, "SELECT count(DISTINCT id) FROM patients")
    counts.screened = _scalar(con, "SELECT count(*) FROM screened")
    for item in export.files:
        for batch in iter_line_batches(item.path):
            _pass_two(con, item, batch)
    writer.write("issues", _fetch_issues(con))
    counts.with_gap = _evaluate(con, writer, as_of, workers, report, counts.screened)
    con.close()
    return counts


def _sql(con: Any, query: str, params: list[Any] | None = None) -> list[Any]:
    """Run one statement to completion (DuckDB wants each result finished before the next)."""
    rows: list[Any] = con.execute(query, params or []).fetchall()
    return rows


def _scalar(con: Any, query: str) -> int:
    rows = _sql(con, query)
    return int(rows[0][0]) if rows else 0


def _fetch_issues(con: Any) -> list[dict[str, Any]]:
    table = con.sql(
        "SELECT file, line, patient, kind, message FROM issues ORDER BY file, line"
    ).to_arrow_table()
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows

"""Screening on one machine: DuckDB reads the export, a process pool runs the engine.

DuckDB reads every NDJSON file itself (plain or gzip), each line as one text value numbered
by a streaming ``row_number()`` (blank lines keep their number, so a line number is the
file's), and parses it once in C++. Python never sees the lines of the patients who do not
reach the engine.

One statement per file keeps only small things: the patient ids, the patients with a
paraprotein (the SQL pre-filter, codes from ``care_gaps.yaml``), the input problems
(malformed lines, a resource of the wrong type, one naming no known patient) and the lines
of patients already known to be screened. Files are read Patient, Condition (its hits: the
early patients), Observation (keeps the early patients' lines as it goes and adds the
patients screened by a result), then the other types (keep every screened patient's lines).
A second read is needed only for Patient and Condition and, if some patient was screened by
a result alone (late), for Observation. Grouped by patient, the lines go in batches to
worker processes that map, assess and screen them.

Memory: every statement streams (a scan, a projection, a hash probe against the small
patient tables); DuckDB's ``memory_limit`` caps the rest and spills to ``workdir``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mgpn.screening.export import Export, ExportFile
from mgpn.screening.patient import PatientResult, SourcedLine, screen_group
from mgpn.screening.tables import TableWriter

#: Patients per unit of work sent to a worker process.
BATCH_PATIENTS = 64
#: DuckDB's memory cap unless MGPN_SCREEN_MEMORY says otherwise (a DuckDB size, "2GB").
DEFAULT_MEMORY_LIMIT = "1GB"
#: The longest line read (a resource with an attachment can be large); longer lines fail loudly.
MAX_LINE_BYTES = 64 << 20

Progress = Callable[[str, int, int | None], None]

# The fields every line needs, in one parse (try() turns a parse error into NULL, so a
# malformed line is reported, never fatal): resource type, id, the patient it belongs to, by
# subject (Observation, Condition, ...) or patient (some R4 resources; relative
# "Patient/<id>" references only, as Bulk export writes them), and the code's codings as a
# small JSON text. Only that small text is parsed again, for the pre-filter: first its codes
# alone, then, for the few lines that carry a wanted code, the exact system|code pairs.
_PATHS = "['$.resourceType', '$.id', '$.subject.reference', '$.patient.reference', '$.code.coding']"
_CODINGS = json.dumps([{"system": "VARCHAR", "code": "VARCHAR"}])
_PAIRS = (
    f"list_transform(coalesce(json_transform(codings, '{_CODINGS}'), []), "
    "lambda c: coalesce(c.system, '') || '|' || coalesce(c.code, ''))"
)
_HIT = (
    "list_has_any(json_extract_string(codings, '$[*].code'), $codes::VARCHAR[]) "
    f"AND list_has_any({_PAIRS}, $wanted::VARCHAR[])"
)


# Files read before the screened set is complete (their screened lines need a second read).
_SCREENING_TYPES = ("Patient", "Condition", "Observation")


@dataclass
class RunCounts:
    patients: int = 0
    screened: int = 0
    with_gap: int = 0
    lines: int = 0
    bytes_read: int = 0
    read_seconds: float = 0.0
    evaluate_seconds: float = 0.0


def population_codes() -> tuple[list[str], list[str]]:
    from mgpn.knowledge.care_gaps import load_care_gaps

    population = load_care_gaps().population
    conditions = [f"{c.system}|{c.code}" for c in population.conditions]
    observations = [f"{c.system}|{c.code}" for c in population.observations]
    return conditions, observations


def memory_limit() -> str:
    """DuckDB's memory cap: MGPN_SCREEN_MEMORY (e.g. "2GB") or the default."""
    return os.environ.get("MGPN_SCREEN_MEMORY", DEFAULT_MEMORY_LIMIT)


def _connect(workdir: Path, threads: int) -> Any:
    import duckdb

    con = duckdb.connect(str(workdir / "screen.duckdb"))
    _sql(con, f"SET threads = {max(1, threads)}")
    _sql(con, f"SET memory_limit = '{memory_limit()}'")
    _sql(con, f"SET temp_directory = '{workdir / 'spill'}'")
    _sql(con, "SET enable_progress_bar = false")
    _sql(
        con,
        "CREATE TABLE found (file VARCHAR, line BIGINT, patient VARCHAR, kind VARCHAR,"
        " message VARCHAR, raw VARCHAR);"
        "CREATE TABLE patients (patient VARCHAR);"
        "CREATE TABLE early (patient VARCHAR);"
        "CREATE TABLE screened (patient VARCHAR);"
        "CREATE TABLE late (patient VARCHAR);"
        "CREATE TABLE lines (patient VARCHAR, file VARCHAR, line BIGINT, raw VARCHAR);",
    )
    return con


def _numbered_lines(path: Path) -> str:
    """The file's lines as (line, raw); a blank line keeps its number (raw NULL or blank)."""
    source = str(path).replace("'", "''")
    # One text column: the unit separator (0x1F) never occurs unescaped in JSON, and no quote
    # or escape character, so a line is read as it is. Compression follows the name (.gz).
    return (
        f"SELECT row_number() OVER () AS line, raw FROM read_csv('{source}', "
        "columns = {'raw': 'VARCHAR'}, delim = chr(31), quote = '', escape = '', header = false, "
        f"auto_detect = false, max_line_size = {MAX_LINE_BYTES}, buffer_size = {2 * MAX_LINE_BYTES})"
    )


def _facts(path: Path) -> str:
    """Each non-blank line parsed once into the small fields every line needs."""
    return f"""
        SELECT line, raw, x IS NOT NULL AS ok, x[1] AS rtype, x[2] AS rid,
               coalesce(x[3], x[4]) AS ref, x[5] AS codings
        FROM (SELECT line, raw, try(json_extract_string(raw, {_PATHS})) AS x
              FROM ({_numbered_lines(path)}) WHERE raw IS NOT NULL)
    """


def _code_parameters(wanted: list[str]) -> dict[str, list[str]]:
    if not wanted:
        return {}
    return {"wanted": wanted, "codes": sorted({item.split("|", 1)[1] for item in wanted})}


def _checked(item: ExportFile, read: Callable[[], None]) -> None:
    """Run one file's statement; a file DuckDB cannot read stops the run naming the file."""
    import duckdb

    try:
        read()
    except (duckdb.InvalidInputException, duckdb.NotImplementedException) as exc:
        from mgpn.errors import Issue, ScreeningError

        raise ScreeningError(
            item.name,
            [
                Issue(
                    item.name,
                    f"could not be read as NDJSON: {str(exc).splitlines()[0]}",
                    fix=f"lines longer than {MAX_LINE_BYTES >> 20} MB are not read (split or "
                    "remove the attachment); a raw control character 0x1F is not valid JSON "
                    "(escape it as \\u001f); a damaged .gz file must be exported again",
                )
            ],
        ) from exc


def _read_file(con: Any, item: ExportFile, wanted: list[str], keep: str | None) -> None:
    """One statement over one file: its problems, its pre-filter hits and the lines of the
    patients in table ``keep`` (if given), all into ``found``."""
    expected = item.resource_type
    patient = "rid" if expected == "Patient" else "substr(ref, 9)"
    linked = "TRUE" if expected == "Patient" else "starts_with(ref, 'Patient/')"
    known = "TRUE" if expected == "Patient" else f"{patient} IN (SELECT patient FROM patients)"
    kept = f"{patient} IN (SELECT patient FROM {keep})" if keep else "FALSE"
    own = "rid IS NOT NULL" if expected == "Patient" else "FALSE"
    hit = _HIT if wanted else "FALSE"
    _sql(
        con,
        f"""
        INSERT INTO found
        SELECT $file, line, patient, kind,
               CASE kind
                 WHEN 'malformed line' THEN 'not valid JSON; the line was skipped: ' || left(raw, 80)
                 WHEN 'wrong resource type' THEN 'a ' || coalesce(rtype, 'resource without resourceType')
                      || ' in a file of ' || $expected || '; skipped'
                 WHEN 'no patient' THEN 'the resource names no patient (subject or patient reference); skipped'
                 WHEN 'unknown patient' THEN 'the resource refers to ' || ref
                      || ', which is not in the Patient file; skipped'
               END,
               CASE WHEN kind = 'line' THEN raw END
        FROM (
          SELECT line, raw, rtype, ref,
                 CASE WHEN kind IN ('no patient', 'unknown patient') THEN ref
                      WHEN kind IN ('line', 'hit', 'patient') THEN pid END AS patient, kind
          FROM (
            SELECT line, raw, rtype, ref, pid,
              CASE
                WHEN NOT ok THEN CASE WHEN trim(raw) <> '' THEN 'malformed line' END
                WHEN rtype IS DISTINCT FROM $expected THEN 'wrong resource type'
                WHEN NOT coalesce({linked}, FALSE) THEN 'no patient'
                WHEN NOT {known} THEN 'unknown patient'
                WHEN {kept} THEN 'line'
                WHEN {hit} THEN 'hit'
                WHEN {own} THEN 'patient'
              END AS kind
            FROM (SELECT *, {patient} AS pid FROM ({_facts(item.path)}))
          )
        ) WHERE kind IS NOT NULL
        """,
        {"file": item.name, "expected": expected, **_code_parameters(wanted)},
    )


def _keep_lines(con: Any, item: ExportFile, keep: str) -> None:
    """Second read of a file read before the screened set was known: the lines of ``keep``."""
    expected = item.resource_type
    patient = "rid" if expected == "Patient" else "substr(ref, 9)"
    _sql(
        con,
        f"""
        INSERT INTO lines
        SELECT pid, $file, line, raw FROM (
          SELECT line, raw, {patient} AS pid FROM ({_facts(item.path)})
          WHERE ok AND rtype = $expected
        ) WHERE pid IN (SELECT patient FROM {keep})
        """,
        {"file": item.name, "expected": expected},
    )


_UNITS = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40,
          "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}  # fmt: skip


def _memory_cap_bytes(con: Any) -> int:
    """DuckDB's memory cap as it reads it back (e.g. "953.6 MiB")."""
    value, unit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0].split()
    return int(float(value) * _UNITS[unit])


def _patient_ranges(con: Any) -> list[tuple[str, str]]:
    """Consecutive ranges of screened patients whose lines fit a quarter of the memory cap.

    DuckDB's sort of wide text rows does not spill to disk (it ran out of memory at a
    million patients, as did a per-patient list() aggregate), so the lines are sorted one
    range at a time; the per-patient sizes themselves are small.
    """
    budget = max(1, _memory_cap_bytes(con) // 4)
    sizes = con.execute(
        "SELECT patient, sum(strlen(raw) + strlen(file) + 16) FROM lines GROUP BY patient"
        " ORDER BY patient"
    ).fetchall()
    ranges: list[tuple[str, str]] = []
    first: str | None = None
    last = ""
    used = 0
    for patient, size in sizes:
        if first is not None and used + size > budget:
            ranges.append((first, last))
            first, used = None, 0
        if first is None:
            first = patient
        last, used = patient, used + size
    if first is not None:
        ranges.append((first, last))
    return ranges


def _groups(con: Any, patients_per_group: int) -> Iterator[list[tuple[str, list[SourcedLine]]]]:
    """The screened patients' lines, ``patients_per_group`` patients at a time, in patient
    order, each patient's lines in file order; memory bounded by :func:`_patient_ranges`."""
    group: list[tuple[str, list[SourcedLine]]] = []
    current: str | None = None
    lines: list[SourcedLine] = []
    for low, high in _patient_ranges(con):
        reader = con.execute(
            "SELECT patient, file, line, raw FROM lines WHERE patient BETWEEN $low AND $high"
            " ORDER BY patient, file, line",
            {"low": low, "high": high},
        ).to_arrow_reader(8192)
        for batch in reader:
            data = batch.to_pydict()
            for patient, file, number, raw in zip(
                data["patient"], data["file"], data["line"], data["raw"], strict=True
            ):
                if patient != current:
                    if current is not None:
                        group.append((f"Patient/{current}", lines))
                        if len(group) >= patients_per_group:
                            yield group
                            group = []
                    current, lines = patient, []
                lines.append(SourcedLine(file, number, raw))
    if current is not None:
        group.append((f"Patient/{current}", lines))
    if group:
        yield group


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
    # Not fork: this process runs DuckDB's native threads (forking them is unsafe) and holds
    # its buffers, which every forked worker would appear to carry. forkserver starts the
    # workers from a clean interpreter.
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
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
    started = time.perf_counter()
    report = progress or (lambda stage, done, total: None)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    (workdir / "spill").mkdir(parents=True, exist_ok=True)
    threads = max(1, workers)
    con = _connect(workdir, threads)
    conditions, observations = population_codes()
    counts = RunCounts()
    sizes = {item.path: item.path.stat().st_size for item in export.files}
    total_bytes = sum(sizes.values()) + sum(
        sizes[item.path] for item in export.files if item.resource_type in _SCREENING_TYPES
    )

    lock = threading.Lock()

    def each(items: list[ExportFile], read: Callable[[Any, ExportFile], None]) -> None:
        """Read ``items`` with one DuckDB cursor per thread: numbering a file's lines keeps
        its statement in file order (one core), so a split export is read files in parallel."""

        def one(item: ExportFile) -> None:
            cursor = con.cursor()
            try:
                _checked(item, lambda: read(cursor, item))
            finally:
                cursor.close()
            with lock:
                counts.bytes_read += sizes[item.path]
                report("read", counts.bytes_read, total_bytes)

        if threads <= 1 or len(items) <= 1:
            for item in items:
                one(item)
            return
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(one, items))

    # Patient first (the known patients), then Condition: its pre-filter hits are the early
    # screened patients, whose Observation lines the Observation read keeps at once. Patients
    # screened by an Observation alone (late) need a second read of Observation, only then.
    each(export.of_type("Patient"), lambda c, item: _read_file(c, item, [], keep=None))
    _sql(con, "INSERT INTO patients SELECT DISTINCT patient FROM found WHERE kind = 'patient';"
              "DELETE FROM found WHERE kind = 'patient'")  # fmt: skip
    each(export.of_type("Condition"), lambda c, item: _read_file(c, item, conditions, keep=None))
    _sql(con, "INSERT INTO early SELECT DISTINCT patient FROM found WHERE kind = 'hit'"
              " AND patient IN (SELECT patient FROM patients)")  # fmt: skip
    each(
        export.of_type("Observation"),
        lambda c, item: _read_file(c, item, observations, keep="early"),
    )
    _sql(con, "INSERT INTO screened SELECT DISTINCT patient FROM found WHERE kind = 'hit'"
              " AND patient IN (SELECT patient FROM patients);"
              "INSERT INTO late SELECT patient FROM screened WHERE patient NOT IN (SELECT patient FROM early);"
              "DELETE FROM found WHERE kind = 'hit'")  # fmt: skip
    counts.patients = _scalar(con, "SELECT count(*) FROM patients")
    counts.screened = _scalar(con, "SELECT count(*) FROM screened")
    late = _scalar(con, "SELECT count(*) FROM late")
    # One read of the other types: problems and screened lines together; then the second
    # read of Patient and Condition (and of Observation for the late patients, if any).
    rest = [item for item in export.files if item.resource_type not in _SCREENING_TYPES]
    each(rest, lambda c, item: _read_file(c, item, [], keep="screened"))
    again = [*export.of_type("Patient"), *export.of_type("Condition")]
    each(again, lambda c, item: _keep_lines(c, item, "screened"))
    observation = export.of_type("Observation")
    if late:
        each(observation, lambda c, item: _keep_lines(c, item, "late"))
    counts.bytes_read += sum(sizes[item.path] for item in observation)
    _sql(
        con,
        "INSERT INTO lines SELECT patient, file, line, raw FROM found WHERE kind = 'line';"
        "DELETE FROM found WHERE kind = 'line'",
    )
    counts.lines = _scalar(con, "SELECT count(*) FROM lines")
    writer.write("issues", _fetch_issues(con))
    counts.read_seconds = time.perf_counter() - started
    counts.with_gap = _evaluate(con, writer, as_of, workers, report, counts.screened)
    counts.evaluate_seconds = time.perf_counter() - started - counts.read_seconds
    con.close()
    return counts


def _sql(con: Any, query: str, params: Any = None) -> list[Any]:
    """Run one statement to completion (DuckDB wants each result finished before the next)."""
    rows: list[Any] = con.execute(query, params or []).fetchall()
    return rows


def _scalar(con: Any, query: str) -> int:
    rows = _sql(con, query)
    return int(rows[0][0]) if rows else 0


def _fetch_issues(con: Any) -> list[dict[str, Any]]:
    table = con.sql(
        "SELECT file, line, patient, kind, message FROM found ORDER BY file, line"
    ).to_arrow_table()
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows

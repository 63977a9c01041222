"""Population screening, end to end: patients per minute and peak memory, three ways, one run.

    .venv/bin/python benchmarks/bench_screen.py --sizes 100000 [1000000] [--engines baseline,duckdb,spark]

For each size a labelled-synthetic Bulk export is generated once (``mgpn synth ehr --jobs``,
the realistic prevalence: about 2% of patients reach the engine; split files of 50,000
patients) into ``--exports`` and kept for the next run (``--drop-exports`` deletes each one
after its size is done: 1,000,000 patients are about 28 GB), then screened by:

- ``baseline`` a plain DuckDB query that reads the same NDJSON files with ``read_json`` and
               applies the same code and threshold rules in SQL, without the engine (no
               mapping report, no assessment, POEMS approximated as "lambda clone with a
               demyelinating or mixed neuropathy")
- ``duckdb``   ``mgpn screen`` (DuckDB reads and pre-filters, the Python engine on a
               process pool for the screened patients)
- ``spark``    ``mgpn screen --engine spark --master local[2]``

Each runs in its own process; its peak memory is the largest total resident memory of
that process and all its descendants (the engine's worker processes; for Spark the JVM and
its Python workers), sampled every 0.2 s from /proc (Linux). Ratios are against the
baseline measured in the same run. Results go to stdout (a Markdown table) and to
``--json`` if given.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

_BASELINE_SQL = """
WITH
obs AS (
  SELECT subject.reference AS patient, code.coding[1].system AS system, code.coding[1].code AS code,
         try_cast(left(coalesce(effectiveDateTime, issued), 10) AS DATE) AS day,
         valueQuantity.value AS value,
         coalesce(valueCodeableConcept.text, valueCodeableConcept.coding[1].code) AS word
  FROM read_json('{export}/Observation*.ndjson*', format='newline_delimited', ignore_errors=true,
                 columns={{subject: 'STRUCT(reference VARCHAR)',
                           code: 'STRUCT(coding STRUCT(system VARCHAR, code VARCHAR)[])',
                           effectiveDateTime: 'VARCHAR', issued: 'VARCHAR',
                           valueQuantity: 'STRUCT(value DOUBLE, unit VARCHAR)',
                           valueCodeableConcept: 'STRUCT(text VARCHAR, coding STRUCT(system VARCHAR, code VARCHAR)[])'}})
),
cond AS (
  SELECT subject.reference AS patient, code.coding[1].code AS code,
         try_cast(left(onsetDateTime, 10) AS DATE) AS day
  FROM read_json('{export}/Condition*.ndjson*', format='newline_delimited', ignore_errors=true,
                 columns={{subject: 'STRUCT(reference VARCHAR)',
                           code: 'STRUCT(coding STRUCT(system VARCHAR, code VARCHAR)[])',
                           onsetDateTime: 'VARCHAR'}})
),
meds AS (
  SELECT subject.reference AS patient, medicationCodeableConcept.coding[1].code AS code
  FROM read_json('{export}/MedicationRequest*.ndjson*', format='newline_delimited', ignore_errors=true,
                 columns={{subject: 'STRUCT(reference VARCHAR)',
                           medicationCodeableConcept: 'STRUCT(coding STRUCT(system VARCHAR, code VARCHAR)[])'}})
),
procs AS (
  SELECT subject.reference AS patient, lower(code.text) AS text
  FROM read_json('{export}/Procedure*.ndjson*', format='newline_delimited', ignore_errors=true,
                 columns={{subject: 'STRUCT(reference VARCHAR)', code: 'STRUCT(text VARCHAR)'}})
),
mg AS (
  SELECT patient, min(day) AS anchor FROM (
    SELECT patient, day FROM cond WHERE code IN ('D47.2', 'C88.0', 'C90.00', 'E85.81')
    UNION ALL SELECT patient, day FROM obs WHERE code IN ('24351-9', '33358-3', '25700-6')
  ) GROUP BY patient
),
p AS (
  SELECT mg.patient, mg.anchor,
    bool_or(o.code = '25700-6' AND o.word LIKE 'IgM%') AS igm,
    bool_or(o.code = '25700-6' AND o.word LIKE '%lambda%') AS lam,
    max(CASE WHEN o.code = 'electrodiagnosis.pattern' THEN o.word END) AS pattern,
    bool_or(o.code = '36916-5' AND abs(o.day - mg.anchor) <= 366) AND
      bool_or(o.code = '33944-0' AND abs(o.day - mg.anchor) <= 366) AS flc,
    bool_or(o.code IN ('33762-6', '6598-7') AND abs(o.day - mg.anchor) <= 366) AS cardiac,
    bool_or(o.code = '2889-4' AND abs(o.day - mg.anchor) <= 366) AS urine,
    bool_or(o.code = '39087-2') AS anti_mag,
    bool_or(o.code IN ('labs.vegf_plasma', 'labs.vegf_serum')) AS vegf,
    bool_or(o.code = 'systemic.sclerotic_bone_lesions') AS bone,
    max(CASE WHEN o.code = '2472-9' THEN o.value END) AS igm_mg_dl
  FROM mg LEFT JOIN obs o USING (patient) GROUP BY mg.patient, mg.anchor
),
q AS (
  SELECT p.*,
    EXISTS (SELECT 1 FROM cond c WHERE c.patient = p.patient AND c.code IN ('G62.9', 'G61.81', 'G63')) AS neuropathy,
    EXISTS (SELECT 1 FROM meds m WHERE m.patient = p.patient AND m.code = '121191') AS rituximab,
    EXISTS (SELECT 1 FROM meds m WHERE m.patient = p.patient AND m.code = '358258') AS bortezomib,
    EXISTS (SELECT 1 FROM procs r WHERE r.patient = p.patient AND r.text LIKE '%plasma%') AS exchange
  FROM p
)
SELECT patient, 'amyloid_screen' AS gap FROM q WHERE neuropathy AND NOT (coalesce(flc, false) AND coalesce(cardiac, false) AND coalesce(urine, false))
UNION ALL SELECT patient, 'anti_mag_test' FROM q WHERE neuropathy AND igm AND pattern IN ('demyelinating', 'mixed') AND NOT coalesce(anti_mag, false)
UNION ALL SELECT patient, 'vegf_before_cidp' FROM q WHERE neuropathy AND lam AND pattern = 'demyelinating' AND NOT coalesce(vegf, false)
UNION ALL SELECT patient, 'poems_bone_imaging' FROM q WHERE neuropathy AND lam AND pattern IN ('demyelinating', 'mixed') AND NOT coalesce(bone, false)
UNION ALL SELECT patient, 'plasmapheresis_before_rituximab' FROM q WHERE rituximab AND igm_mg_dl >= {igm_threshold} AND NOT exchange
UNION ALL SELECT patient, 'neurotoxic_drug_with_neuropathy' FROM q WHERE neuropathy AND bortezomib
"""


def _pss(pid: int) -> int | None:
    """Proportional resident bytes of ``pid`` (pages shared with other processes are split
    between them, so a forked child is not counted as a second copy of its parent)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _tree_rss(root: int) -> int:
    """Memory of ``root`` and all its descendants (Linux /proc): the sum of their
    proportional set sizes where the kernel gives them, else of their resident sizes."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * page
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        pss = _pss(pid)
        total += pss if pss is not None else rss.get(pid, 0)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total


def _run_child(code: str, *args: str) -> tuple[float, str, int]:
    """Run ``code`` in a fresh interpreter: (seconds, its last line of output, peak MB)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0
    while child.poll() is None:
        peak = max(peak, _tree_rss(child.pid))
        time.sleep(0.2)
    stdout, stderr = child.communicate()
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{stderr[-3000:]}")
    return seconds, stdout.strip().splitlines()[-1], round(peak / 2**20)


_ENGINE = """
import json, sys
from mgpn.screening.run import screen
run = screen(sys.argv[1], sys.argv[2], engine=sys.argv[3], workers=int(sys.argv[4]))
print(json.dumps({"gaps": run.summary["gaps"], "screened": run.summary["funnel"]["screened"],
                  "patients": run.summary["funnel"]["patients"],
                  "seconds_by_phase": run.summary["seconds_by_phase"]}))
"""

_BASELINE = """
import json, sys, duckdb
from mgpn.knowledge.loader import load_knowledge
threshold = load_knowledge().thresholds["igm_plasmapheresis_mg_dl"].value
con = duckdb.connect()
con.execute(f"SET threads = {int(sys.argv[3])}")
con.execute("SET enable_progress_bar = false")
sql = open(sys.argv[2]).read().format(export=sys.argv[1], igm_threshold=threshold)
rows = con.execute(sql).fetchall()
print(json.dumps({"gaps": len(rows)}))
"""


def generate_export(export: Path, size: int, seed: int, jobs: int) -> float:
    """``mgpn synth ehr --jobs``: shards of 50,000 patients written in parallel."""
    started = time.perf_counter()
    code = (
        "import sys; from pathlib import Path; from mgpn.screening.synth import generate;"
        "generate(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), jobs=int(sys.argv[4]))"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(export), str(size), str(seed), str(jobs)], check=True
    )
    for kind in ("Condition", "Observation", "MedicationRequest", "Procedure"):
        if not list(export.glob(f"{kind}*.ndjson")):  # the baseline query reads every type
            (export / f"{kind}.ndjson").touch()
    (export / "complete").write_text(str(size), encoding="utf-8")
    return time.perf_counter() - started


def bench_size(
    size: int, engines: list[str], workers: int, seed: int, exports: Path, drop: bool
) -> list[dict[str, Any]]:
    export = exports / f"synthetic-{size}-seed{seed}"
    if not (export / "complete").exists():
        shutil.rmtree(export, ignore_errors=True)
        seconds = generate_export(export, size, seed, max(1, workers))
        print(f"# {size:,} patients: generated in {seconds:.0f} s", file=sys.stderr)
    export_bytes = sum(path.stat().st_size for path in export.glob("*.ndjson"))
    print(f"# {size:,} patients: {export_bytes / 1e9:.2f} GB", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="mgpn-bench-screen-", dir=exports) as work:
        root = Path(work)
        sql_file = root / "baseline.sql"
        sql_file.write_text(_BASELINE_SQL, encoding="utf-8")
        results: list[dict[str, Any]] = []
        for engine in engines:
            if engine == "baseline":
                seconds, out, peak = _run_child(_BASELINE, str(export), str(sql_file), str(workers))
            else:
                seconds, out, peak = _run_child(
                    _ENGINE, str(export), str(root / f"out-{engine}"), engine, str(workers)
                )
            row = {"patients": size, "engine": engine, "seconds": round(seconds, 1),
                   "patients_per_minute": round(size / seconds * 60),
                   "mb_per_s": round(export_bytes / seconds / 1e6), "peak_mb": peak,
                   "export_gb": round(export_bytes / 1e9, 2), **json.loads(out)}  # fmt: skip
            print(json.dumps(row), file=sys.stderr, flush=True)
            results.append(row)
    if drop:
        shutil.rmtree(export, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--engines", default="baseline,duckdb,spark")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--exports",
        type=Path,
        default=Path(tempfile.gettempdir()) / "mgpn-bench-exports",
        help="where the exports are generated once and kept for the next run",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument(
        "--drop-exports", action="store_true", help="delete each export after its size is done"
    )
    args = parser.parse_args()
    engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    rows: list[dict[str, Any]] = []
    for size in args.sizes:
        rows.extend(
            bench_size(size, engines, args.workers, args.seed, args.exports, args.drop_exports)
        )
        if args.json:  # after each size: a long run keeps what it measured
            args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print(f"screening benchmark, {args.workers} cores (python {sys.version.split()[0]})\n")
    print(
        "| patients | engine | seconds | patients/min | MB/s | peak MB | screened | gaps | vs baseline |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        base = next(
            (r for r in rows if r["patients"] == row["patients"] and r["engine"] == "baseline"),
            None,
        )
        ratio = f"{row['seconds'] / base['seconds']:.1f}x time" if base else "-"
        print(f"| {row['patients']:,} | {row['engine']} | {row['seconds']} | {row['patients_per_minute']:,} | "
              f"{row['mb_per_s']} | {row['peak_mb']:,} | {row.get('screened', '-')} | {row['gaps']} | {ratio} |")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

"""Screening a synthetic Bulk export on DuckDB: the planted gaps and nothing else."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from mgpn.screening.run import ScreenRun, screen
from tests.screening.conftest import table


def _expected(truth: dict[str, Any]) -> set[tuple[str, str]]:
    return {(item["patient"], gap) for item in truth["planted"] for gap in item["gaps"]}


def test_planted_gaps_found_and_nothing_else(duckdb_run: ScreenRun, truth: dict[str, Any]) -> None:
    found = {(row["patient"], row["gap_id"]) for row in table(duckdb_run.out, "gaps")}
    expected = _expected(truth)
    true_positive = len(found & expected)
    precision = true_positive / len(found)
    recall = true_positive / len(expected)
    assert (precision, recall) == (1.0, 1.0), (
        sorted(found - expected)[:5],
        sorted(expected - found)[:5],
    )
    # every kind of gap occurs in the export, so each rule was exercised both ways
    assert {gap for _, gap in expected} == {
        "amyloid_screen", "anti_mag_test", "vegf_before_cidp", "poems_bone_imaging",
        "plasmapheresis_before_rituximab", "neurotoxic_drug_with_neuropathy",
    }  # fmt: skip


def test_patients_without_a_paraprotein_never_reach_the_engine(
    duckdb_run: ScreenRun, truth: dict[str, Any]
) -> None:
    planted = {item["patient"] for item in truth["planted"]}
    screened = {row["patient"] for row in table(duckdb_run.out, "patients")}
    assert screened == planted
    funnel = duckdb_run.summary["funnel"]
    assert funnel == {
        "patients": truth["patients"],
        "screened": len(planted),
        "with_gap": len({patient for patient, _ in _expected(truth)}),
    }


def test_each_gap_names_its_closing_test_evidence_and_version(duckdb_run: ScreenRun) -> None:
    rows = table(duckdb_run.out, "gaps")
    version = duckdb_run.summary["knowledge_version"]
    for row in rows:
        assert row["closing_test"] and row["evidence"] and row["references"]
        assert row["kb_version"] == version
    anti_mag = next(row for row in rows if row["gap_id"] == "anti_mag_test")
    assert "anti-MAG" in anti_mag["closing_test"]
    assert "IgM" in anti_mag["findings"]


def test_bad_input_is_listed_with_file_and_line_and_the_run_goes_on(
    duckdb_run: ScreenRun, truth: dict[str, Any]
) -> None:
    issues = {(row["file"], row["line"], row["kind"]) for row in table(duckdb_run.out, "issues")}
    planted = {(item["file"], item["line"], item["kind"]) for item in truth["defects"]}
    assert planted == issues
    assert duckdb_run.summary["issues"]["count"] == len(planted)
    # the patient who carries the bad code and the bad unit was still screened
    carrier = next(item["patient"] for item in truth["defects"] if "patient" in item)
    assert carrier in {row["patient"] for row in table(duckdb_run.out, "patients")}


def test_tables_reports_and_summary_are_written(duckdb_run: ScreenRun) -> None:
    out = duckdb_run.out
    with (out / "gaps.csv").open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header[:3] == ["patient", "gap_id", "gap"]
    assert {"closing_test", "evidence", "kb_version"} <= set(header)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "have at least one work-up gap" in page
    assert page.count("<svg") >= 3  # funnel, gaps by kind, leading syndromes
    assert "does not replace" in page
    assert "Observation.ndjson" in page  # the input problems, with their file
    assert (out / "summary.json").is_file()


def test_gzipped_export_gives_the_same_gaps(
    synthetic_export: Path, duckdb_run: ScreenRun, tmp_path: Path
) -> None:
    export = tmp_path / "gz"
    export.mkdir()
    for path in synthetic_export.glob("*.ndjson"):
        with path.open("rb") as source, gzip.open(export / f"{path.name}.gz", "wb") as target:
            shutil.copyfileobj(source, target)
    run = screen(export, tmp_path / "out", workers=1)
    key = ("patient", "gap_id", "closing_test")
    plain = sorted(tuple(row[k] for k in key) for row in table(duckdb_run.out, "gaps"))
    zipped = sorted(tuple(row[k] for k in key) for row in table(run.out, "gaps"))
    assert plain == zipped
    lines = sorted((row["file"], row["line"]) for row in table(run.out, "issues"))
    assert lines == sorted(
        (f"{f}.gz", n) for f, n in ((r["file"], r["line"]) for r in table(duckdb_run.out, "issues"))
    )


def test_an_export_without_patients_is_refused_clearly(tmp_path: Path) -> None:
    from mgpn.errors import ScreeningError

    (tmp_path / "Observation.ndjson").write_text("{}\n")
    with pytest.raises(ScreeningError, match="Patient"):
        screen(tmp_path, tmp_path / "out")


def test_the_bundled_example_through_the_command_line(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from mgpn.cli.main import app

    example = Path(__file__).resolve().parents[2] / "src" / "mgpn" / "examples" / "ehr-synthetic"
    result = CliRunner().invoke(
        app, ["screen", str(example), "-o", str(tmp_path / "out"), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "have at least one work-up gap" in result.output
    assert "does not replace" in result.output
    truth = json.loads((example / "truth.json").read_text(encoding="utf-8"))
    found = {(row["patient"], row["gap_id"]) for row in table(tmp_path / "out", "gaps")}
    assert found == _expected(truth)


def test_synth_command_writes_an_export_and_its_truth(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from mgpn.cli.main import app

    result = CliRunner().invoke(
        app, ["synth", "ehr", "--patients", "30", "--seed", "4", "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "Patient.ndjson").is_file() and (tmp_path / "truth.json").is_file()
    assert sum(1 for _ in (tmp_path / "Patient.ndjson").open()) == 30


def test_empty_files_and_a_patient_without_a_paraprotein(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / "Patient.ndjson").write_text('{"resourceType": "Patient", "id": "a"}\n\n')
    (export / "Condition.ndjson").write_text("")
    run = screen(export, tmp_path / "out", workers=1)
    assert run.summary["funnel"] == {"patients": 1, "screened": 0, "with_gap": 0}
    assert run.summary["issues"]["count"] == 0


def _resource(kind: str, ident: str, patient: str, system: str, code: str, **extra: Any) -> str:
    import json

    return json.dumps({
        "resourceType": kind, "id": ident, "subject": {"reference": f"Patient/{patient}"},
        "code": {"coding": [{"system": system, "code": code}]}, **extra,
    })  # fmt: skip


def test_a_patient_screened_by_a_result_alone_has_every_line_read(tmp_path: Path) -> None:
    """Patient "late" has no gammopathy diagnosis, only an electrophoresis result, found after
    their other lines were read; patient "early" has the diagnosis. Both must reach the engine
    with all their lines: a local code in each file is reported with its file and line."""
    local, loinc, icd = (
        "http://hospital.example/local",
        "http://loinc.org",
        "http://hl7.org/fhir/sid/icd-10-cm",
    )
    export = tmp_path / "export"
    export.mkdir()
    patients = [{"resourceType": "Patient", "id": pid, "birthDate": "1950-01-01", "gender": "female"}
                for pid in ("late", "early", "other")]  # fmt: skip
    (export / "Patient.ndjson").write_text("\n".join(json.dumps(p) for p in patients) + "\n")
    (export / "Condition.ndjson").write_text("\n".join([
        _resource("Condition", "c1", "late", local, "X1"),
        _resource("Condition", "c2", "early", icd, "D47.2", onsetDateTime="2024-01-01"),
        _resource("Condition", "c3", "early", local, "X2"),
        _resource("Condition", "c4", "other", local, "X3"),
    ]) + "\n")  # fmt: skip
    spep = {"effectiveDateTime": "2024-02-01", "valueQuantity": {"value": 0.4, "unit": "g/dL"}}
    (export / "Observation.ndjson").write_text("\n".join([
        _resource("Observation", "o1", "late", local, "Y1", effectiveDateTime="2024-02-01"),
        _resource("Observation", "o2", "early", local, "Y2", effectiveDateTime="2024-02-01"),
        _resource("Observation", "o3", "late", loinc, "33358-3", **spep),
        _resource("Observation", "o4", "other", local, "Y3", effectiveDateTime="2024-02-01"),
    ]) + "\n")  # fmt: skip
    run = screen(export, tmp_path / "out", workers=1)
    assert run.summary["funnel"]["screened"] == 2
    assert {row["patient"] for row in table(run.out, "patients")} == {
        "Patient/late",
        "Patient/early",
    }
    reported = {(row["file"], row["line"], row["patient"]) for row in table(run.out, "issues")
                if row["kind"] == "unknown code system"}  # fmt: skip
    assert reported == {
        ("Condition.ndjson", 1, "Patient/late"), ("Condition.ndjson", 3, "Patient/early"),
        ("Observation.ndjson", 1, "Patient/late"), ("Observation.ndjson", 2, "Patient/early"),
    }  # fmt: skip


def test_screened_lines_stream_by_patient_within_a_small_memory_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The screened patients' lines come back whole, in file order, even when they are far
    larger than DuckDB's memory cap (a per-patient list() aggregate ran out of memory at a
    million patients) and when one patient's lines span several batches."""
    from mgpn.screening import duckdb_engine

    monkeypatch.setenv("MGPN_SCREEN_MEMORY", "64MB")
    (tmp_path / "spill").mkdir()
    con = duckdb_engine._connect(tmp_path, 2)
    con.execute(
        "INSERT INTO lines SELECT 'p' || lpad((i % 300)::VARCHAR, 4, '0'), 'Observation.ndjson',"
        " i, repeat('x', 2000) FROM range(60000) t(i)"
    )  # 120 MB of lines, about twice the cap
    con.execute(
        "INSERT INTO lines SELECT 'p9999', 'Observation.ndjson', i, 'y' FROM range(20000) t(i)"
    )  # one patient over several batches
    seen: list[tuple[str, int, bool]] = []
    for group in duckdb_engine._groups(con, 7):
        assert 1 <= len(group) <= 7
        for patient, lines in group:
            numbers = [line.line for line in lines]
            seen.append((patient, len(lines), numbers == sorted(numbers)))
    assert [patient for patient, _, _ in seen] == sorted({p for p, _, _ in seen})
    assert len(seen) == 301
    assert all(in_order for _, _, in_order in seen)
    assert dict((p, n) for p, n, _ in seen)["Patient/p9999"] == 20000
    assert sum(n for _, n, _ in seen) == 80000

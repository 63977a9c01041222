"""REDCap: the dictionary follows the case catalogue; an export round-trips to case files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mgpn.case import field_catalog, load_case
from mgpn.cli.main import app
from mgpn.interop.redcap.dictionary import COLUMNS, dictionary_csv

HEADER_18 = 18


def dictionary_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(dictionary_csv())))


def test_dictionary_has_the_18_columns_and_record_id_first() -> None:
    text = dictionary_csv()
    header = next(csv.reader(io.StringIO(text)))
    assert len(header) == HEADER_18 and tuple(header) == COLUMNS
    rows = dictionary_rows()
    assert rows[0]["Variable / Field Name"] == "record_id"
    # The fields of a form are contiguous.
    forms = [row["Form Name"] for row in rows]
    seen: list[str] = []
    for form in forms:
        if not seen or seen[-1] != form:
            assert form not in seen, f"form {form} is split"
            seen.append(form)
    assert "visits" in seen and "treatments" in seen


def test_every_case_field_has_a_variable_with_its_unit_and_range() -> None:
    rows = {row["Variable / Field Name"]: row for row in dictionary_rows()}
    annotated = {row["Field Annotation"].removeprefix("mgpn-path=") for row in rows.values()}
    for descriptor in field_catalog():
        if descriptor.kind == "extensions" or descriptor.path == "format":
            continue
        assert descriptor.path in annotated, descriptor.path
    platelets = rows["labs_platelets"]
    assert platelets["Text Validation Type OR Show Slider Number"] == "number"
    assert "10*9/L" in platelets["Field Note"]
    assert rows["neuropathy_sensory_ataxia"]["Field Type"] == "yesno"
    assert rows["history_neurotoxic_drugs"]["Field Type"] == "checkbox"
    assert rows["visits_date"]["Text Validation Type OR Show Slider Number"] == "date_ymd"


RECORDS = [
    {
        "record_id": "R-1",
        "redcap_repeat_instrument": "",
        "redcap_repeat_instance": "",
        "recorded": "2025-03-14",
        "patient_age": "71",
        "patient_sex": "male",
        "paraprotein_isotype": "IgM",
        "paraprotein_m_spike": "0.6",
        "antibodies_anti_mag": "70000",
        "neuropathy_sensory_ataxia": "1",
        "neuropathy_tremor": "0",
        "neuropathy_sensory_loss": "",
        "history_neurotoxic_drugs___1": "1",
        "history_neurotoxic_drugs___2": "0",
        "history_neurotoxic_drugs_other": "herbal tea",
        "visits_date": "",
        "visits_mrs": "",
        "patient_complete": "2",
    },
    {
        "record_id": "R-1",
        "redcap_repeat_instrument": "visits",
        "redcap_repeat_instance": "2",
        "visits_date": "2025-09-01",
        "visits_mrs": "3",
    },
    {
        "record_id": "R-1",
        "redcap_repeat_instrument": "visits",
        "redcap_repeat_instance": "1",
        "visits_date": "2025-06-01",
        "visits_mrs": "2",
    },
    {
        "record_id": "R-2",
        "redcap_repeat_instrument": "",
        "redcap_repeat_instance": "",
        "patient_sex": "female",
        "antibodies_anti_mag_result": "negative",
    },
]


def write_records(path: Path, records: list[dict[str, str]]) -> Path:
    fields: list[str] = []
    for record in records:
        fields.extend(k for k in record if k not in fields)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, restval="")
        writer.writeheader()
        writer.writerows(records)
    return path


def run_import(tmp_path: Path, records: list[dict[str, str]]) -> tuple[int, str, Path]:
    runner = CliRunner()
    dictionary = tmp_path / "dict.csv"
    assert runner.invoke(app, ["redcap", "dictionary", "-o", str(dictionary)]).exit_code == 0
    out = tmp_path / "cases"
    result = runner.invoke(
        app,
        [
            "redcap",
            "import",
            str(write_records(tmp_path / "records.csv", records)),
            "--dictionary",
            str(dictionary),
            "-o",
            str(out),
        ],
    )
    return result.exit_code, result.stderr, out


def test_import_round_trips_to_case_files_that_load(tmp_path: Path) -> None:
    code, stderr, out = run_import(tmp_path, RECORDS)
    assert code == 0, stderr
    case = load_case(out / "R-1.yaml")
    assert case.id == "R-1"
    assert case.patient.age == 71
    assert case.patient.sex == "male"
    assert case.paraprotein.isotype == "IgM"
    assert case.paraprotein.m_spike is not None and case.paraprotein.m_spike.value == 0.6
    anti_mag = case.antibodies.anti_mag
    assert anti_mag is not None and not isinstance(anti_mag, str) and anti_mag.value == 70000
    assert case.neuropathy.sensory_ataxia is True
    assert case.neuropathy.tremor is False
    assert case.neuropathy.sensory_loss is None  # blank cell: unknown, not negative
    assert case.history.neurotoxic_drugs == ["bortezomib", "herbal tea"]
    assert [(str(v.date), v.mrs) for v in case.visits] == [("2025-06-01", 2), ("2025-09-01", 3)]
    other = load_case(out / "R-2.yaml")
    assert other.antibodies.anti_mag == "negative"
    assert other.neuropathy.sensory_ataxia is None


def test_import_reports_bad_values_by_record_and_field(tmp_path: Path) -> None:
    bad = [dict(RECORDS[0], patient_age="seventy", patient_sex="M")]
    code, stderr, out = run_import(tmp_path, bad)
    assert code == 1
    assert "record R-1: patient.age" in stderr
    assert "record R-1: patient.sex" in stderr
    assert not out.exists() or not any(out.iterdir())  # nothing half-written


def test_import_refuses_columns_missing_from_the_dictionary(tmp_path: Path) -> None:
    code, stderr, _ = run_import(tmp_path, [dict(RECORDS[3], favourite_colour="blue")])
    assert code == 1 and "favourite_colour" in stderr


@pytest.mark.parametrize("bad", ["not a dictionary\n", ""])
def test_import_rejects_a_file_that_is_not_a_dictionary(tmp_path: Path, bad: str) -> None:
    (tmp_path / "d.csv").write_text(bad)
    records = write_records(tmp_path / "r.csv", RECORDS)
    result = CliRunner().invoke(
        app, ["redcap", "import", str(records), "--dictionary", str(tmp_path / "d.csv")]
    )
    assert result.exit_code == 1 and "18 standard columns" in result.stderr


def study_records() -> list[dict[str, str]]:
    records = []
    for i in range(9):
        group = ["igm_pnp", "mmn", "control"][i % 3]
        records.append(
            {
                "record_id": f"S{i}",
                "redcap_repeat_instrument": "",
                "redcap_repeat_instance": "",
                "labs_il6": str(1.0 + i),
                "function_incat_arm": str(i % 2),
                "function_incat_leg": "2" if i != 4 else "",
                "antibodies_anti_mag_result": "positive" if i == 0 else "",
                "antibodies_anti_mag": "5000" if i == 3 else "",
                "cohort_group": group,
                "cohort_odss_followup": "3",
                "cohort_rituximab_response": "1" if i == 0 else "",
            }
        )
    return records


def test_import_writes_a_cohort_table_that_analyses(tmp_path: Path) -> None:
    runner = CliRunner()
    dictionary = tmp_path / "dict.csv"
    made = runner.invoke(app, ["redcap", "dictionary", "--cohort-study", "-o", str(dictionary)])
    assert made.exit_code == 0
    records = write_records(tmp_path / "records.csv", study_records())
    cohort_file = tmp_path / "cohort.csv"
    result = runner.invoke(
        app,
        [
            "redcap",
            "import",
            str(records),
            "--dictionary",
            str(dictionary),
            "--cohort",
            str(cohort_file),
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert "S3: anti-MAG given as a titre only" in result.stderr

    from mgpn.cohort import load_cohort

    cohort = load_cohort(cohort_file)
    frame = cohort.frame
    assert cohort.markers == ("il6_pg_ml",)  # VEGF columns with no values are not written
    assert frame["group"].to_list()[:3] == ["igm_pnp", "mmn", "control"]
    assert frame["odss"].to_list()[:5] == [2.0, 3.0, 2.0, 3.0, None]  # arm + leg; leg unknown
    assert frame["anti_mag"].to_list()[:4] == [True, None, None, None]  # titre alone: unknown
    assert frame["rituximab_response"].to_list()[:2] == [True, None]
    analysed = runner.invoke(app, ["cohort", "analyze", str(cohort_file), "--format", "json"])
    assert analysed.exit_code == 0


def test_cohort_import_needs_the_study_form(tmp_path: Path) -> None:
    code_dict = tmp_path / "dict.csv"
    CliRunner().invoke(app, ["redcap", "dictionary", "-o", str(code_dict)])
    records = write_records(tmp_path / "r.csv", RECORDS)
    result = CliRunner().invoke(
        app,
        ["redcap", "import", str(records), "--dictionary", str(code_dict), "--cohort", "c.csv"],
    )
    assert result.exit_code == 1 and "--cohort-study" in result.stderr

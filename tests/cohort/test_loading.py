"""Cohort files are validated with messages that name the column, the rows and the fix."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from mgpn.cli.main import app
from mgpn.cohort import load_cohort
from mgpn.errors import CohortError

Row = dict[str, object]
MakeCsv = Callable[[Sequence[Row]], Path]


def base(n: int = 4) -> list[Row]:
    return [{"id": f"P{i}", "group": "control", "il6_pg_ml": 1.0 + i} for i in range(n)]


def issues_of(path: Path) -> str:
    with pytest.raises(CohortError) as caught:
        load_cohort(path)
    return "\n".join(str(issue) for issue in caught.value.issues)


def test_text_in_a_numeric_column_names_column_rows_and_values(cohort_csv: MakeCsv) -> None:
    data = base(8)
    data[2]["il6_pg_ml"] = "n.d."
    data[6]["il6_pg_ml"] = "<2"
    message = issues_of(cohort_csv(data))
    assert "il6_pg_ml" in message
    assert "rows 3, 7" in message
    assert "'n.d.'" in message and "'<2'" in message
    assert "blank" in message  # the fix


def test_misspelled_group_is_an_error_but_a_new_group_is_allowed(cohort_csv: MakeCsv) -> None:
    data = base()
    data[1]["group"] = "Controls"
    message = issues_of(cohort_csv(data))
    assert "group" in message and "'control'" in message and "rows 2" in message
    data[1]["group"] = "cidp"
    cohort = load_cohort(cohort_csv(data))
    assert set(cohort.frame["group"].to_list()) == {"control", "cidp"}


def test_required_columns_and_duplicate_ids(cohort_csv: MakeCsv) -> None:
    message = issues_of(cohort_csv([{"id": "a", "grp": "control"}]))
    assert "group: required column is missing" in message and "'grp'" in message
    data = base()
    data[3]["id"] = "P0"
    assert "not unique (rows 1, 4)" in issues_of(cohort_csv(data))


def test_boolean_and_range_checks(cohort_csv: MakeCsv) -> None:
    data = base()
    data[0]["anti_mag"] = "maybe"
    data[1]["odss"] = 14
    message = issues_of(cohort_csv(data))
    assert "anti_mag: values are not true/false in rows 1" in message
    assert "odss: values outside 0-10 (rows 2)" in message


def test_blank_cells_are_unknown_and_text_columns_are_kept(cohort_csv: MakeCsv) -> None:
    data = base()
    data[0]["il6_pg_ml"] = None
    for row in data:
        row["site"] = "Utrecht"
    cohort = load_cohort(cohort_csv(data))
    assert cohort.frame["il6_pg_ml"].null_count() == 1
    assert cohort.markers == ("il6_pg_ml",)
    assert cohort.other_columns == ("site",)
    assert cohort.frame["site"].to_list() == ["Utrecht"] * 4
    assert any("site" in note for note in cohort.notes)


def test_parquet_is_read_like_csv(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {"id": ["a", "b", "c"], "group": ["control"] * 3, "il6_pg_ml": [1.0, None, float("nan")]}
    )
    path = tmp_path / "c.parquet"
    frame.write_parquet(path)
    cohort = load_cohort(path)
    assert cohort.markers == ("il6_pg_ml",)
    assert cohort.frame["il6_pg_ml"].null_count() == 2


def test_cli_reports_bad_file_without_traceback(cohort_csv: MakeCsv, tmp_path: Path) -> None:
    data = base()
    data[0]["il6_pg_ml"] = "high"
    data[1]["il6_pg_ml"] = 3
    result = CliRunner().invoke(app, ["cohort", "analyze", str(cohort_csv(data))])
    assert result.exit_code == 1
    assert "il6_pg_ml" in result.stderr and "Traceback" not in result.stderr
    missing = CliRunner().invoke(app, ["cohort", "analyze", str(tmp_path / "none.csv")])
    assert missing.exit_code == 1 and "file not found" in missing.stderr
    unknown_marker = CliRunner().invoke(
        app, ["cohort", "analyze", str(cohort_csv(base())), "--markers", "il6_pg_mL"]
    )
    assert unknown_marker.exit_code == 1 and "did you mean 'il6_pg_ml'" in unknown_marker.stderr

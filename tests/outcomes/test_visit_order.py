"""Visits out of date order or with a repeated date are refused with a clear message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from typer.testing import CliRunner

from mgpn.cli.main import app
from mgpn.errors import CaseError
from mgpn.outcomes import load_scales, summarize
from mgpn.outcomes.timeline import build_timeline

from .builders import case_with


@pytest.mark.parametrize(
    ("dates", "bad_index"),
    [
        (["2024-01-10", "2023-06-01"], 1),
        (["2024-01-10", "2024-01-10"], 1),
        (["2023-01-01", "2024-01-10", "2024-01-09"], 2),
    ],
)
def test_case_model_refuses_bad_order_naming_the_visit(dates: list[str], bad_index: int) -> None:
    with pytest.raises(CaseError) as caught:
        case_with([{"date": d, "mrs": 2} for d in dates])
    assert f"visits[{bad_index}].date" in [issue.path for issue in caught.value.issues]


def test_outcomes_itself_refuses_bad_order_from_a_case_built_in_code() -> None:
    # The web app may assemble visits in code; the timeline checks again.
    visits = [
        SimpleNamespace(date=dt.date(2024, 5, 1), mrs=2),
        SimpleNamespace(date=dt.date(2024, 5, 1), mrs=1),
    ]
    case = SimpleNamespace(id="x", visits=visits, treatments=[])
    with pytest.raises(CaseError) as caught:
        build_timeline(case, load_scales())
    issue = caught.value.issues[0]
    assert issue.path == "visits[1].date" and issue.fix and "one visit per date" in issue.fix
    with pytest.raises(CaseError):
        summarize(case)


def test_cli_reports_the_refusal_without_a_traceback(tmp_path: Path) -> None:
    case = {
        "format": "mgpn-case/1",
        "id": "bad",
        "visits": [{"date": "2024-06-01", "mrs": 2}, {"date": "2024-01-01", "mrs": 1}],
    }
    file = tmp_path / "bad.yaml"
    file.write_text(yaml.safe_dump(case), encoding="utf-8")
    result = CliRunner().invoke(app, ["outcomes", str(file)])
    assert result.exit_code == 1
    assert "visits[1].date" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)

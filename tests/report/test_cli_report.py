"""``mgpn report FILE -o OUT.pdf|OUT.html`` on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mgpn.cli.main import app

runner = CliRunner()


@pytest.mark.shared
@pytest.mark.parametrize("name", ["report.pdf", "report.html"])
def test_report_command_writes_the_file(shared_dir: Path, tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    result = runner.invoke(
        app, ["report", str(shared_dir / "cases" / "anti-mag-typical.yaml"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    if name.endswith(".pdf"):
        assert data.startswith(b"%PDF-")
    else:
        assert b"clinical judgment" in data and b"anti-mag-typical" in data


def test_report_command_refuses_an_unknown_output_type(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text("format: mgpn-case/1\n")
    result = runner.invoke(app, ["report", str(case), "-o", str(tmp_path / "out.docx")])
    assert result.exit_code == 2
    assert "must end in .pdf or .html" in result.output
    assert not (tmp_path / "out.docx").exists()


def test_report_command_names_the_bad_field_without_a_traceback(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text("format: mgpn-case/1\nneuropathy: {sensory_ataxai: true}\n")
    out = tmp_path / "out.html"
    result = runner.invoke(app, ["report", str(case), "-o", str(out)])
    assert result.exit_code == 1
    assert "neuropathy.sensory_ataxai" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()

"""``mgpn evaluate``: formats, exit status, and refusal of bad files without a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mgpn.cli.main import app

runner = CliRunner()

CASE = {
    "format": "mgpn-case/1",
    "id": "cli-anti-mag",
    "paraprotein": {"isotype": "IgM", "light_chain": "kappa"},
    "neuropathy": {
        "present": True,
        "symmetry": "symmetric",
        "distribution": "length_dependent",
        "course": "chronic_progressive",
        "sensory_loss": True,
        "weakness": "distal",
    },
    "electrodiagnosis": {
        "performed": True,
        "pattern": "demyelinating",
        "disproportionate_distal_latency": True,
    },
    "antibodies": {"anti_mag": ">70000 BTU"},
    "function": {"mrs": 2},
}


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(CASE), encoding="utf-8")
    return path


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    broken = {**CASE, "neuropathy": {"present": True, "sensory_ataxai": True}}
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    return path


def test_json_prints_one_assessment_per_line(case_file: Path) -> None:
    result = runner.invoke(app, ["evaluate", str(case_file), str(case_file), "--format", "json"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first["format"] == "mgpn-assessment/1"
    assert first["syndromes"][0]["id"] == "anti_mag"
    assert "for" in first["syndromes"][0]
    assert first["disclaimer"]


def test_text_view_has_differential_tests_treatment_references(case_file: Path) -> None:
    result = runner.invoke(app, ["evaluate", str(case_file)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.index("Leading:") < out.index("Treatment") < out.index("Sources")
    assert "Anti-MAG neuropathy" in out and "does not replace" in out


def test_markdown_has_sections_and_citations(case_file: Path) -> None:
    result = runner.invoke(app, ["evaluate", str(case_file), "-f", "markdown"])
    assert result.exit_code == 0
    assert "## Differential" in result.stdout and "## References" in result.stdout
    assert "Sarosiek" in result.stdout


def test_bad_file_gives_validation_errors_and_exit_1(case_file: Path, bad_file: Path) -> None:
    # 1, as `mgpn validate` gives for the same file (docs/cli.md)
    result = runner.invoke(app, ["evaluate", str(bad_file), str(case_file), "--format", "json"])
    assert result.exit_code == 1
    assert "sensory_ataxai" in result.stderr
    assert "Traceback" not in result.output
    assert len([line for line in result.stdout.splitlines() if line.strip()]) == 1


def test_missing_file_is_refused_cleanly(tmp_path: Path) -> None:
    result = runner.invoke(app, ["evaluate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output

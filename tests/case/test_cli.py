"""The validate and schema commands, run as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mgpn.cli.main import app

runner = CliRunner()


def _write(tmp_path: Path, name: str, text: str) -> Path:
    file = tmp_path / name
    file.write_text(text)
    return file


def test_validate_prints_ok_and_exits_zero(tmp_path: Path) -> None:
    file = _write(tmp_path, "ok.yaml", "format: mgpn-case/1\nneuropathy: {present: true}\n")
    result = runner.invoke(app, ["validate", str(file)])
    assert result.exit_code == 0
    assert f"OK {file}" in result.output


def test_validate_lists_every_error_and_exits_non_zero(tmp_path: Path) -> None:
    good = _write(tmp_path, "ok.yaml", "format: mgpn-case/1\n")
    bad = _write(
        tmp_path,
        "bad.yaml",
        "format: mgpn-case/1\nneuropathy: {sensory_ataxai: true}\nlabs: {vegf_serum: 3 mmol/L}\n",
    )
    result = runner.invoke(app, ["validate", str(good), str(bad)])
    assert result.exit_code == 1
    assert "neuropathy.sensory_ataxai" in result.output and "sensory_ataxia" in result.output
    assert "labs.vegf_serum" in result.output
    assert "Traceback" not in result.output


def test_validate_json_prints_the_normalised_case(tmp_path: Path) -> None:
    file = _write(
        tmp_path,
        "c.yaml",
        "format: mgpn-case/1\nparaprotein: {m_spike: 18 g/L}\nantibodies: {anti_mag: '>70000 BTU'}\n",
    )
    result = runner.invoke(app, ["validate", str(file), "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["paraprotein"]["m_spike"] == {"value": 1.8, "unit": "g/dL"}
    assert data["antibodies"]["anti_mag"] == {"value": 70000.0, "unit": "BTU", "comparator": ">"}
    assert "neuropathy" not in data  # unknown stays absent


def test_schema_is_json_schema_of_the_case(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["additionalProperties"] is False
    assert "neuropathy" in schema["properties"]
    assert schema["$defs"]["Neuropathy"]["additionalProperties"] is False

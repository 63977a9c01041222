"""``mgpn fhir import``/``export`` and ``mgpn evaluate`` on a FHIR Bundle."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from mgpn.case import load_case, parse_case
from mgpn.cli import exit_codes
from mgpn.cli.main import app
from mgpn.engine import evaluate
from mgpn.interop.fhir import case_to_bundle

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "mgpn" / "examples"
runner = CliRunner()


def _bundle(tmp_path: Path, name: str = "anti-mag-follow-up.yaml") -> Path:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(case_to_bundle(load_case(EXAMPLES / name))), encoding="utf-8")
    return path


def test_import_writes_a_case_file_that_loads(tmp_path: Path) -> None:
    out = tmp_path / "case.yaml"
    result = runner.invoke(
        app, ["fhir", "import", str(_bundle(tmp_path)), "-o", str(out), "--report"]
    )
    assert result.exit_code == 0, result.output
    case = load_case(out)
    assert case.antibodies.anti_mag is not None and len(case.visits) == 6
    assert "Case date 2024-01-22 (the Bundle's timestamp)" in result.output
    assert "antibodies.anti_mag" in result.output


def test_import_prints_yaml_without_output(tmp_path: Path) -> None:
    result = runner.invoke(app, ["fhir", "import", str(_bundle(tmp_path)), "--as-of", "2025-03-10"])
    assert result.exit_code == 0
    case = parse_case(yaml.safe_load(result.stdout))
    assert str(case.recorded) == "2025-03-10" and case.function.mrs == 1


def test_evaluate_detects_a_bundle_by_content(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, "anti-mag-neuropathy.yaml")
    renamed = tmp_path / "export.json"
    bundle.rename(renamed)
    result = runner.invoke(app, ["evaluate", "--format", "json", str(renamed)])
    assert result.exit_code == 0, result.output
    expected = evaluate(load_case(EXAMPLES / "anti-mag-neuropathy.yaml")).to_json_dict()
    assert json.loads(result.stdout.splitlines()[0]) == expected


def test_evaluate_format_fhir_prints_a_bundle() -> None:
    result = runner.invoke(
        app, ["evaluate", "--format", "fhir", str(EXAMPLES / "poems-suspected.json")]
    )
    assert result.exit_code == 0
    bundle = json.loads(result.stdout)
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"GuidanceResponse", "RiskAssessment", "ServiceRequest"} <= kinds


def test_a_bad_bundle_is_refused_with_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "two.json"
    patient = {"resourceType": "Patient", "id": "a"}
    bad.write_text(
        json.dumps(
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": patient}, {"resource": {**patient, "id": "b"}}],
            }
        )
    )
    # `evaluate` follows the unified statuses (1: an input was refused); `fhir import`
    # keeps 2 for a refused input, as docs/cli.md lists it.
    for args, status in (
        (["fhir", "import", str(bad)], 2),
        (["evaluate", str(bad)], exit_codes.INPUT_REFUSED),
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == status
        assert "2 Patient resources" in result.output

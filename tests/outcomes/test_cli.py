"""``mgpn outcomes`` end to end on the bundled example and on bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mgpn.cli.main import app

EXAMPLE = Path(__file__).resolve().parents[2] / "src/mgpn/examples/anti-mag-follow-up.yaml"
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["outcomes", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_follows_the_contract_keys() -> None:
    code, out, _ = _run(str(EXAMPLE), "--format", "json", "--since-treatment")
    assert code == 0
    data = json.loads(out)
    assert data["format"] == "mgpn-outcomes/1"
    assert data["baseline"] == "2024-01-22"  # last visit before rituximab on 2024-02-01
    assert data["treatment"]["regimen"] == "rituximab"
    incat = data["scales"]["incat"]
    assert (incat["baseline"], incat["latest"], incat["change"], incat["direction"]) == (
        3,
        1,
        -2,
        "improved",
    )
    seed = next(r for r in data["responder"] if r["reference"] == "seed:25")
    assert seed["value"] is True and "incat" in seed["scales_improved"]
    assert any("IgM rose after rituximab" in w for w in data["warnings"])


def test_json_has_every_key_of_the_contract_example() -> None:
    if not (SHARED / "spec").is_dir():
        pytest.skip("../shared is not present")
    spec = (SHARED / "spec" / "outcomes-format.md").read_text(encoding="utf-8")
    example_text = re.search(r"```json\n(.*?)```", spec, re.S)
    assert example_text
    example = json.loads(example_text.group(1).replace('"..."', '"x"'))
    _, out, _ = _run(str(EXAMPLE), "--format", "json")
    ours = json.loads(out)
    assert set(example) <= set(ours)
    assert set(example["scales"]["incat"]) <= set(ours["scales"]["incat"])
    assert set(example["markers"]["igm"]) <= set(ours["markers"]["igm"])
    assert set(example["responder"][0]) <= set(ours["responder"][0])
    assert set(example["treatment"]) <= set(ours["treatment"])


def test_text_view_and_plot_file(tmp_path: Path) -> None:
    chart = tmp_path / "follow-up.svg"
    code, out, err = _run(str(EXAMPLE), "--plot", str(chart))
    assert code == 0
    assert "INCAT disability" in out and "no significant disability despite symptoms" in out
    assert "does not replace, clinical judgment" in out
    assert 'id="panel-incat"' in chart.read_text(encoding="utf-8")
    assert str(chart) in err


def test_unknown_plot_suffix_is_refused_before_any_work(tmp_path: Path) -> None:
    code, _, err = _run(str(EXAMPLE), "--plot", str(tmp_path / "chart.gif"))
    assert code == 2 and ".png or .svg" in err
    assert not (tmp_path / "chart.gif").exists()


def test_missing_file_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    code, _, err = _run(str(tmp_path / "nope.yaml"))
    assert code == 1 and "file not found" in err and "Traceback" not in err

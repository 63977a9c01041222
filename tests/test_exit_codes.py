"""Exit statuses of the case-reading commands, as docs/cli.md states them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mgpn.cli import exit_codes
from mgpn.cli.main import app

runner = CliRunner()
DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
VALID = "format: mgpn-case/1\nneuropathy: {present: true}\nparaprotein: {isotype: IgM}\n"
INVALID = "format: mgpn-case/1\nneuropathy: {present: yes}\n"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in {
        "ok.yaml": VALID,
        "bad.yaml": INVALID,
        "dup.json": '{"format": "mgpn-case/1", "id": "a", "id": "b"}',
    }.items():
        out[name] = tmp_path / name
        out[name].write_text(text, encoding="utf-8")
    out["missing.yaml"] = tmp_path / "missing.yaml"
    return out


@pytest.mark.parametrize("command", ["validate", "evaluate"])
@pytest.mark.parametrize(
    ("names", "status"),
    [
        (["ok.yaml"], exit_codes.OK),
        (["bad.yaml"], exit_codes.INPUT_REFUSED),
        (["dup.json"], exit_codes.INPUT_REFUSED),
        (["missing.yaml"], exit_codes.INPUT_REFUSED),
        (["bad.yaml", "ok.yaml"], exit_codes.INPUT_REFUSED),
    ],
)
def test_validate_and_evaluate_agree(
    command: str, names: list[str], status: int, files: dict[str, Path]
) -> None:
    result = runner.invoke(app, [command, *(str(files[n]) for n in names)])
    assert result.exit_code == status, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["validate", "evaluate"])
def test_a_refused_file_does_not_stop_the_others(command: str, files: dict[str, Path]) -> None:
    result = runner.invoke(
        app, [command, "--format", "json", str(files["bad.yaml"]), str(files["ok.yaml"])]
    )
    assert result.exit_code == exit_codes.INPUT_REFUSED
    assert "neuropathy.present" in result.stderr
    assert result.stdout.strip(), "the valid file is still processed"


@pytest.mark.parametrize("command", ["validate", "evaluate"])
def test_usage_error_is_2(command: str, files: dict[str, Path]) -> None:
    result = runner.invoke(app, [command, "--no-such-option", str(files["ok.yaml"])])
    assert result.exit_code == exit_codes.CANNOT_RUN


def test_docs_state_the_same_statuses() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for command in ("validate", "evaluate"):
        row = next(line for line in text.splitlines() if line.startswith(f"| `mgpn {command}"))
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[2].startswith("at least one file was refused"), row
    assert re.search(r"\| 1 \| an input file was refused", text)


@pytest.mark.parametrize(
    ("name", "text", "command"),
    [
        ("bad.yaml", INVALID, ["report", "{file}", "-o", "{out}/report.html"]),
        ("bad.csv", "group,il6\ncontrol,not-a-number\n", ["cohort", "analyze", "{file}"]),
        ("bad.json", '{"resourceType": "Bundle", "type": "collection", "type": "batch"}', ["fhir", "import", "{file}"]),
        ("dict.csv", "not,a,redcap,dictionary\n", ["redcap", "import", "{file}", "--dictionary", "{file}"]),
        ("export/Observation.ndjson", "{}\n", ["screen", "{out}/export", "-o", "{out}/screened"]),
    ],
)
def test_every_command_exits_1_for_a_refused_input(name: str, text: str, command: list[str], tmp_path: Path) -> None:
    """One rule for all commands: a refused input is status 1, whatever the command."""
    file = tmp_path / name
    file.parent.mkdir(exist_ok=True)
    file.write_text(text, encoding="utf-8")
    args = [a.format(file=file, out=tmp_path) for a in command]
    result = runner.invoke(app, args)
    assert result.exit_code == exit_codes.INPUT_REFUSED, result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "report.html").exists()

"""``mgpn evaluate`` text: the bottom line on one screen (<=40 lines at 100 columns); ``--full`` more."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from mgpn.case import load_case
from mgpn.cli.main import app
from mgpn.engine import evaluate
from mgpn.report.summary import build_summary
from mgpn.report.text import SCREEN_LINES, render_text

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "mgpn" / "examples"
SHARED_CASES = Path(__file__).resolve().parents[2].parent / "shared" / "cases"


def _case_files() -> list[Path]:
    files = sorted(EXAMPLES.glob("*.yaml"))
    if SHARED_CASES.is_dir():
        files += sorted(p for p in SHARED_CASES.glob("*.yaml") if p.name != "expectations.yaml")
    return files


def _render(path: Path, *, full: bool = False, width: int = 100) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, highlight=False)
    render_text(evaluate(load_case(path)), console, full=full)
    return buffer.getvalue()


@pytest.mark.parametrize("path", _case_files(), ids=lambda p: p.name)
def test_the_default_view_fits_one_screen_and_leads_with_the_bottom_line(path: Path) -> None:
    text = _render(path)
    lines = text.splitlines()
    assert len(lines) <= SCREEN_LINES == 40
    assert all(len(line) <= 100 for line in lines)
    summary = build_summary(evaluate(load_case(path)))
    head = " ".join(" ".join(lines[:6]).split())
    flat = " ".join(text.split())
    assert f"Leading: {summary.leading[0].label}" in head
    assert "Treatment:" in text and summary.indication.words in text
    for flag in summary.red_flags:  # red flags are never dropped to make room
        assert " ".join(flag.split())[:60] in flat
    assert lines[-1].startswith("Decision support only")


def test_a_narrow_terminal_still_gets_at_most_one_screen() -> None:
    path = EXAMPLES / "al-amyloid-red-flags.yaml"
    assert len(_render(path, width=60).splitlines()) <= SCREEN_LINES


def test_full_gives_the_whole_detail_after_the_summary() -> None:
    path = EXAMPLES / "anti-mag-neuropathy.yaml"
    short, full = _render(path), _render(path, full=True)
    assert len(full.splitlines()) > len(short.splitlines())
    assert full.index("Leading:") < full.index("Differential") < full.index("References")
    assert all(f"│ {rank} " in full for rank in range(1, 13))  # all twelve syndromes listed


def test_the_cli_default_and_full(tmp_path: Path) -> None:
    runner = CliRunner()
    path = str(EXAMPLES / "anti-mag-neuropathy.yaml")
    short = runner.invoke(app, ["evaluate", path], env={"COLUMNS": "100"})
    full = runner.invoke(app, ["evaluate", path, "--full"], env={"COLUMNS": "100"})
    assert short.exit_code == 0 and full.exit_code == 0, short.output + full.output
    assert len(short.stdout.splitlines()) <= SCREEN_LINES
    assert "Differential" not in short.stdout and "Differential" in full.stdout

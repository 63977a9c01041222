"""The command table of ``mgpn`` (mgpn.cli.main.COMMANDS) says what the modules register.

``mgpn --help`` lists commands from the table without importing their modules, so the
table must name every command each module registers, under the right module, with the
help line the command itself would show. These tests import every command module and
compare; a new command module that is not in the table fails here with the entry to add.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mgpn.cli.main import COMMANDS, app, load_commands

CLI = Path(__file__).resolve().parents[1] / "src" / "mgpn" / "cli"


def _help_line(command: object) -> str:
    # What `mgpn --help` shows for a command: its short help, or its help's first paragraph.
    text = getattr(command, "short_help", None) or getattr(command, "help", None) or ""
    return " ".join(inspect.cleandoc(text).split("\n\n")[0].split())


def _modules_with_commands() -> list[str]:
    return sorted(
        path.stem for path in CLI.glob("*.py") if "\ndef register(" in path.read_text("utf-8")
    )


@pytest.mark.parametrize("module", _modules_with_commands())
def test_the_table_lists_what_each_module_registers(module: str) -> None:
    registered = load_commands(module)
    expected = {name: (module, _help_line(command)) for name, command in registered.items()}
    listed = {name: entry for name, entry in COMMANDS.items() if entry[0] == module}
    assert listed == expected, f"mgpn.cli.main.COMMANDS needs: {expected}"


def test_every_module_in_the_table_exists() -> None:
    assert {module for module, _ in COMMANDS.values()} <= set(_modules_with_commands())


def test_help_lists_every_command_with_its_help_line() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    for name, (_, help_line) in COMMANDS.items():
        row = re.search(rf"│ {re.escape(name)} +(.+?) *│", result.output)
        assert row is not None, f"{name} missing from mgpn --help"
        assert row.group(1) == help_line


def test_a_lazily_loaded_command_runs_and_shows_its_own_help() -> None:
    result = CliRunner().invoke(app, ["kb", "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Show one item of the knowledge base" in result.output


def test_a_mistyped_command_is_refused_with_a_suggestion() -> None:
    result = CliRunner().invoke(app, ["evaluat", "x.yaml"])
    assert result.exit_code == 2
    assert "No such command 'evaluat'" in result.output
    assert "'evaluate'" in result.output

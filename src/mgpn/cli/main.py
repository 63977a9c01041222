"""The ``mgpn`` command: a thin layer over the public API.

Each sub-module registers its own commands (``register(app)``); this module only knows
which module holds which command, and turns every :class:`mgpn.errors.MgpnError` into
a message and an exit status, so no Python traceback reaches a user for bad input.

A command's module is imported only when that command runs (or its own ``--help`` is
shown): ``mgpn evaluate`` does not pay for the web app's or the cohort's imports, and
``mgpn --help`` lists every command from the table below without importing any of them
(the click "lazy group" pattern). A test keeps the table equal to what the modules
register, with their help lines.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module
from typing import Any

import typer
from typer.core import TyperGroup

# Command (as typed) -> (module in mgpn.cli that registers it, its one-line help), in
# the order ``mgpn --help`` lists them. A new command module adds its commands here.
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": (
        "cases",
        "Check case files against mgpn-case/1; print every error with its field and fix.",
    ),
    "schema": ("cases", "Print the JSON Schema of mgpn-case/1 (for editors and other tools)."),
    "evaluate": (
        "evaluate",
        "Assess each case: differential, other causes, link, next tests, treatment.",
    ),
    "outcomes": (
        "outcomes",
        "Scales and paraprotein over time: change, MCID, responder definitions, warnings.",
    ),
    "serve": (
        "serve",
        "Run the web app: enter a case, see the assessment update, save it, print a report.",
    ),
    "report": ("serve", "Write a printable report (PDF or HTML) of a case file's assessment."),
    "cds-hooks": (
        "cds_hooks",
        "Run the CDS Hooks service: discovery at /cds-services, patient-view, order-select, "
        "order-sign.",
    ),
    "screen": ("screen", "Find the patients whose work-up has a gap, across a whole EHR export."),
    "kb": (
        "knowledge",
        "Review the knowledge base (rules, thresholds, references, verified flags).",
    ),
    "cohort": (
        "cohort",
        "Study a cohort: serum markers across patient groups. Research use; not for "
        "individual patient decisions.",
    ),
    "redcap": (
        "cohort",
        "Exchange cases with a REDCap registry (data dictionary, records import).",
    ),
    "users": (
        "users",
        "Manage who may sign in to the web app (mgpn serve), and read its audit log.",
    ),
    "fhir": (
        "fhir",
        "FHIR R4: read a patient's Bundle into a case file, or write a case as a Bundle.",
    ),
    "synth": (
        "screen",
        "Write labelled-synthetic data for tests, demos and benchmarks (no real patient).",
    ),
}

_SETTINGS: dict[str, Any] = {"pretty_exceptions_enable": False, "add_completion": False}


def load_commands(module_name: str) -> dict[str, typer.core.TyperCommand | TyperGroup]:
    """The click commands that ``mgpn.cli.<module_name>`` registers, by name."""
    module = import_module(f"mgpn.cli.{module_name}")
    holder = typer.Typer(**_SETTINGS)
    holder.callback()(_no_options)  # a group, even for a module with one command
    module.register(holder)
    group = typer.main.get_command(holder)
    assert isinstance(group, TyperGroup)
    return dict(group.commands)  # type: ignore[arg-type]


class _Listed(typer.core.TyperCommand):
    """What ``mgpn --help`` shows for a command not imported yet: its name and help line."""


class LazyCommands(TyperGroup):
    """The top-level group: commands from :data:`COMMANDS`, imported when resolved."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for name, (_, help_line) in COMMANDS.items():
            self.commands[name] = _Listed(name=name, help=help_line)

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        if args and isinstance(self.commands.get(args[0]), _Listed):
            self.commands.update(load_commands(COMMANDS[args[0]][0]))
        return super().resolve_command(ctx, args)


def _no_options() -> None:
    """Decision support for peripheral neuropathy with a monoclonal gammopathy."""


app = typer.Typer(
    name="mgpn",
    cls=LazyCommands,
    help=(
        "Decision support for peripheral neuropathy with a monoclonal gammopathy. "
        "It supports, and does not replace, clinical judgment."
    ),
    no_args_is_help=True,
    **_SETTINGS,
)
app.callback()(_no_options)


def run() -> None:
    """Console entry point."""
    # pydantic looks for plugins (an entry-point scan of every installed package) when it
    # builds its first validator; a command-line run has no use for them. An explicit
    # PYDANTIC_DISABLE_PLUGINS (even empty) is respected.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from mgpn.errors import MgpnError

    try:
        app()
    except MgpnError as exc:  # pragma: no cover - each command handles its own first
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)

"""The ``mgpn`` command: a thin layer over the public API.

Each sub-module registers its own commands; this module only assembles them and
turns every :class:`mgpn.errors.MgpnError` into a message and an exit status, so no
Python traceback reaches a user for bad input.
"""

from __future__ import annotations

import sys

import typer

from mgpn.cli import (
    cases,
    cds_hooks,
    cohort,
    evaluate,
    fhir,
    knowledge,
    outcomes,
    screen,
    serve,
    users,
)

app = typer.Typer(
    name="mgpn",
    help=(
        "Decision support for peripheral neuropathy with a monoclonal gammopathy. "
        "It supports, and does not replace, clinical judgment."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (cases, evaluate, knowledge, outcomes, cohort, serve, users, fhir, cds_hooks, screen):
    module.register(app)


def run() -> None:
    """Console entry point."""
    from mgpn.errors import MgpnError

    try:
        app()
    except MgpnError as exc:  # pragma: no cover - each command handles its own first
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)

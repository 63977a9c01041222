"""Placeholder: the owner of this command group replaces it."""

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""

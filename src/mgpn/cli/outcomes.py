"""``mgpn outcomes``: a case's follow-up over time (mgpn-outcomes/1) and its chart.

A thin layer over :mod:`mgpn.outcomes`; every bad input ends as a message naming
the field and the fix, never a traceback.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Literal

import typer

from mgpn.errors import InputError, MgpnError

_IMAGE_FORMATS: dict[str, Literal["svg", "png"]] = {".svg": "svg", ".png": "png"}


class OutcomesFormat(StrEnum):
    text = "text"
    json = "json"


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code=code)


def outcomes(
    file: Path = typer.Argument(..., help="case file (YAML or JSON) with dated visits"),
    output: OutcomesFormat = typer.Option(
        OutcomesFormat.text, "--format", help="text: readable summary; json: mgpn-outcomes/1"
    ),
    since_treatment: bool = typer.Option(
        False,
        "--since-treatment",
        help="baseline = last visit on or before the start of the most recent treatment",
    ),
    plot_file: Path | None = typer.Option(
        None, "--plot", help="also draw the chart to OUT.png or OUT.svg", metavar="OUT.png|OUT.svg"
    ),
) -> None:
    """Scales and paraprotein over time: change, MCID, responder definitions, warnings."""
    # Imported here, not at module level: matplotlib costs about half a second, and
    # every other command (validate, evaluate) would pay it at start-up.
    from mgpn.case import load_case
    from mgpn.outcomes import plot, summarize

    image_format = None
    if plot_file is not None:
        image_format = _IMAGE_FORMATS.get(plot_file.suffix.lower())
        if image_format is None:
            raise typer.BadParameter(
                f"cannot tell the image format from {plot_file.name!r}; "
                "name the file with .png or .svg",
                param_hint="--plot",
            )
    try:
        case = load_case(file)
        result = summarize(case, since_treatment=since_treatment)
        image = (
            plot(case, fmt=image_format, since_treatment=since_treatment) if image_format else None
        )
    except InputError as error:
        lines = [f"INVALID {error.source}"] + [f"  - {issue}" for issue in error.issues]
        raise _fail("\n".join(lines)) from None
    except MgpnError as error:
        raise _fail(f"error: {error}", code=2) from None
    if output is OutcomesFormat.json:
        typer.echo(json.dumps(result.to_json_dict(), indent=2, ensure_ascii=False))
    else:
        typer.echo(result.render_text(), nl=False)
    if plot_file is not None and image is not None:
        try:
            plot_file.write_bytes(image)
        except OSError as error:
            raise _fail(
                f"could not write the chart to {plot_file}: {error.strerror}; "
                "choose a folder you can write to",
            ) from None
        typer.echo(f"chart written to {plot_file}", err=True)


def register(app: typer.Typer) -> None:
    """Add ``mgpn outcomes`` to the main app."""
    app.command("outcomes")(outcomes)

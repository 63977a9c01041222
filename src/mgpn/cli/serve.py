"""``mgpn serve`` (the clinicians' web app) and ``mgpn report`` (a printable report of a case file)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from mgpn.errors import MgpnError


def _fail(exc: MgpnError) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``report`` to the main app."""

    @app.command()
    def serve(
        host: str = typer.Option(
            "127.0.0.1", help="Address to listen on (default: this machine only)."
        ),
        port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
        database_url: str | None = typer.Option(
            None,
            "--database-url",
            envvar="MGPN_DATABASE_URL",
            help="SQLAlchemy URL, e.g. postgresql+psycopg://user:pass@host/db "
            "(default: an SQLite file in your data directory).",
        ),
        workers: int = typer.Option(
            1,
            "--workers",
            min=1,
            help="Server processes; one per core serves the most (best with PostgreSQL). "
            "See docs/web.md.",
        ),
        access_log: bool = typer.Option(
            False, "--access-log/--no-access-log", help="Log every request (off: the proxy logs)."
        ),
    ) -> None:
        """Run the web app: enter a case, see the assessment update, save it, print a report."""
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        from mgpn.web.main import create_app
        from mgpn.web.server import run
        from mgpn.web.settings import settings_from_env

        settings = settings_from_env(database_url)
        try:
            url = make_url(settings.database_url)
            shown = url.render_as_string(hide_password=True)
        except ArgumentError:  # create_app reports a bad URL with its fix below
            url, shown = None, settings.database_url
        if settings.database_is_default and url is not None:
            typer.echo(
                f"Cases are kept in the SQLite file {url.database} (the embedded default; "
                "use --database-url or MGPN_DATABASE_URL for another database)."
            )
        else:
            typer.echo(f"Cases are kept in {shown}.")
        if host not in ("127.0.0.1", "localhost", "::1"):
            typer.echo(
                f"warning: listening on {host}: anyone who can reach this machine can read and "
                "change the saved cases (the app has no login). Put it behind your hospital's "
                "authenticating proxy.",
                err=True,
            )
        try:
            web_app = create_app(settings)
        except MgpnError as exc:
            _fail(exc)
            return
        typer.echo(f"Open http://{host}:{port}/ in a browser (API documentation at /docs).")
        run(web_app, settings, host=host, port=port, workers=workers, access_log=access_log)

    @app.command()
    def report(
        file: Path = typer.Argument(..., help="A case file (YAML or JSON, format mgpn-case/1)."),
        output: Path = typer.Option(
            ..., "-o", "--output", help="Where to write: OUT.pdf or OUT.html."
        ),
    ) -> None:
        """Write a printable report (PDF or HTML) of a case file's assessment."""
        suffix = output.suffix.lower()
        if suffix not in (".pdf", ".html", ".htm"):
            typer.echo(
                f"error: --output {output}: the file name must end in .pdf or .html "
                f"(found {suffix or 'no extension'}). Fix: e.g. -o report.pdf",
                err=True,
            )
            raise typer.Exit(2)
        from mgpn.case import dump_case, load_case
        from mgpn.engine import evaluate
        from mgpn.report import build_view, render_html, render_pdf
        from mgpn.report.outcomes import outcomes_view

        try:
            case = load_case(file)
            assessment = evaluate(case)
            view = build_view(
                assessment,
                dump_case(case),
                assessed_at=datetime.now(UTC),
                outcomes=outcomes_view(case),
            )
        except MgpnError as exc:
            _fail(exc)
            return
        try:
            if suffix == ".pdf":
                output.write_bytes(render_pdf(view))
            else:
                output.write_text(render_html(view), encoding="utf-8")
        except OSError as exc:
            typer.echo(
                f"error: cannot write {output}: {exc.strerror}. Fix: choose a writable path.",
                err=True,
            )
            raise typer.Exit(2) from exc
        typer.echo(f"wrote {output}", err=True)

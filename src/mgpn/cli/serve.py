"""``mgpn serve`` (the clinicians' web app) and ``mgpn report`` (a printable report of a case file)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from mgpn.cli import exit_codes
from mgpn.errors import MgpnError


def _fail(exc: MgpnError) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(exit_codes.status_for(exc))


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
        no_auth: bool = typer.Option(
            False,
            "--no-auth",
            help="Switch sign-in off (as MGPN_AUTH=off): one person on this machine only; "
            "refused unless --host is 127.0.0.1.",
        ),
        ssl_certfile: Path | None = typer.Option(
            None, "--ssl-certfile", help="Serve HTTPS with this certificate (PEM)."
        ),
        ssl_keyfile: Path | None = typer.Option(
            None, "--ssl-keyfile", help="The private key of --ssl-certfile (PEM)."
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
        from mgpn.web.settings import is_loopback, settings_from_env

        try:
            settings = settings_from_env(
                database_url, bind_host=host, auth_required=False if no_auth else None
            )
        except MgpnError as exc:
            _fail(exc)
            return
        if not settings.auth_required and not is_loopback(host):
            typer.echo(
                f"error: refusing to listen on {host} with sign-in off: anyone who can reach "
                "this machine could read and change the saved cases. Fix: keep sign-in on "
                "(drop --no-auth / MGPN_AUTH=off) and add users with `mgpn users add NAME`, "
                "or set MGPN_OIDC_ISSUER for your hospital's sign-in; or listen on 127.0.0.1.",
                err=True,
            )
            raise typer.Exit(2)
        if host in ("0.0.0.0", "::") and len(settings.allowed_hosts) <= 3:
            typer.echo(
                f"error: listening on {host}, but MGPN_ALLOWED_HOSTS does not name the host "
                "users will type, so every request from another machine would be refused. "
                "Fix: e.g. MGPN_ALLOWED_HOSTS=mgpn.hospital.example",
                err=True,
            )
            raise typer.Exit(2)
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
        try:
            web_app = create_app(settings)
            users = web_app.state.accounts.count_users()
        except MgpnError as exc:
            _fail(exc)
            return
        if settings.auth_required and users == 0 and settings.oidc is None:
            typer.echo(
                "error: sign-in is on but no one could sign in: there are no users and no "
                "hospital sign-in (OpenID Connect). Fix: add a user with `mgpn users add NAME` "
                "(same --database-url), or set MGPN_OIDC_ISSUER, MGPN_OIDC_CLIENT_ID and "
                "MGPN_OIDC_CLIENT_SECRET; for one person on this machine only, "
                "`mgpn serve --no-auth`.",
                err=True,
            )
            raise typer.Exit(2)
        if settings.auth_required:
            kinds = [f"{users} local user(s)"] + (["hospital sign-in"] if settings.oidc else [])
            typer.echo(f"Sign-in is on ({', '.join(kinds)}).")
        else:
            typer.echo("Sign-in is off (--no-auth): only for one person on this machine.")
        if settings.secure_cookies and ssl_certfile is None:
            typer.echo(
                "note: sign-in cookies are Secure (HTTPS only): serve behind your HTTPS proxy "
                "or pass --ssl-certfile and --ssl-keyfile.",
                err=True,
            )
        scheme = "https" if ssl_certfile else "http"
        shown_host = f"[{host}]" if ":" in host else host
        typer.echo(
            f"Open {scheme}://{shown_host}:{port}/ in a browser (API documentation at /docs)."
        )
        run(
            web_app,
            settings,
            host=host,
            port=port,
            workers=workers,
            access_log=access_log,
            ssl_certfile=ssl_certfile,
            ssl_keyfile=ssl_keyfile,
        )

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

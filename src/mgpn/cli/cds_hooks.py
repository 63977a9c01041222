"""``mgpn cds-hooks``: run the CDS Hooks 2.0 service alone (``mgpn serve`` includes it too)."""

from __future__ import annotations

from pathlib import Path

import typer

from mgpn.errors import InputError, MgpnError

_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def cds_hooks(
    host: str = typer.Option(
        "127.0.0.1", help="Address to listen on (default: this machine only)."
    ),
    port: int = typer.Option(8010, min=1, max=65535, help="Port to listen on."),
    cds_config: Path | None = typer.Option(
        None,
        "--cds-config",
        envvar="MGPN_CDS_CONFIG",
        help="YAML settings: base_url, trusted issuers and their keys (see docs/ehr.md).",
    ),
    database_url: str | None = typer.Option(
        None,
        "--database-url",
        envvar="MGPN_DATABASE_URL",
        help="SQLAlchemy URL of the database (feedback, replay cache, case links).",
    ),
    insecure_dev: bool = typer.Option(
        False,
        "--insecure-dev",
        help="Development only: do not check tokens. Refused unless listening on 127.0.0.1.",
    ),
) -> None:
    """Run the CDS Hooks service: discovery at /cds-services, patient-view, order-select, order-sign."""
    import uvicorn

    from mgpn.cdshooks.app import create_cds_app
    from mgpn.cdshooks.settings import load_cds_settings
    from mgpn.web.settings import settings_from_env

    try:
        settings = load_cds_settings(cds_config)
    except InputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if insecure_dev:
        settings = settings.model_copy(update={"insecure_skip_auth": True})
    if settings.insecure_skip_auth and host not in _LOOPBACK:
        typer.echo(
            f"error: token checking is off (--insecure-dev or insecure_skip_auth) and --host is {host}. "
            "Fix: listen on 127.0.0.1, or turn token checking on.",
            err=True,
        )
        raise typer.Exit(2)
    if settings.insecure_skip_auth:
        typer.echo("WARNING: CDS Hooks token checking is OFF (development only). "
                   "Only calls from this machine are answered.", err=True)  # fmt: skip
    elif not settings.issuers or settings.base_url is None:
        typer.echo("warning: no trusted EHR or no base_url configured: every call will get 401 "
                   "(see docs/ehr.md, CDS Hooks settings).", err=True)  # fmt: skip
    try:
        app = create_cds_app(settings_from_env(database_url).database_url, settings)
    except MgpnError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"CDS Hooks discovery at http://{host}:{port}/cds-services", err=True)
    uvicorn.run(app, host=host, port=port, log_level="info")


def register(app: typer.Typer) -> None:
    """Add ``mgpn cds-hooks`` to the main app."""
    app.command("cds-hooks")(cds_hooks)

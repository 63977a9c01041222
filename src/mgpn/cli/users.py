"""``mgpn users``: the people who may sign in to the web app, and what they did.

``add``/``list``/``remove``/``password`` manage local users (passwords are stored as
Argon2id hashes only); ``audit`` prints who viewed or changed which case. Every command
works on the database ``mgpn serve`` uses (``--database-url`` / ``MGPN_DATABASE_URL``)
and migrates it to the current schema first.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from mgpn.errors import InputError, MgpnError

if TYPE_CHECKING:
    from mgpn.web.accounts import AccountStore
    from mgpn.web.store import CaseStore

users_app = typer.Typer(
    name="users",
    help="Manage who may sign in to the web app (mgpn serve), and read its audit log.",
    no_args_is_help=True,
)

DATABASE_OPTION = typer.Option(
    None,
    "--database-url",
    envvar="MGPN_DATABASE_URL",
    help="SQLAlchemy URL of the web app's database (default: the SQLite file mgpn serve uses).",
)


def _fail(exc: MgpnError) -> None:
    """Say what was refused (each field problem on its own line) and exit 2."""
    if isinstance(exc, InputError):
        for issue in exc.issues:
            typer.echo(f"error: {issue}", err=True)
    else:
        typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(2) from exc


def _stores(database_url: str | None) -> tuple[AccountStore, CaseStore]:
    from mgpn.web.accounts import AccountStore
    from mgpn.web.db import make_engine, session_factory, upgrade
    from mgpn.web.settings import settings_from_env
    from mgpn.web.store import CaseStore

    settings = settings_from_env(database_url)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    sessions = session_factory(engine)
    return AccountStore(sessions), CaseStore(sessions)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@users_app.command("add")
def add(
    username: str = typer.Argument(..., help="the name to sign in with, e.g. j.smith"),
    display_name: str | None = typer.Option(None, "--name", help="the name shown on pages"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="read the password from the first line of standard input"
    ),
    database_url: str | None = DATABASE_OPTION,
) -> None:
    """Add a local user (asks for the password twice; at least 12 characters)."""
    try:
        accounts, _ = _stores(database_url)
        user = accounts.add_user(username, _read_password(password_stdin), display_name)
    except MgpnError as exc:
        _fail(exc)
        return
    typer.echo(f"added user {user.username}")


@users_app.command("password")
def password(
    username: str = typer.Argument(...),
    password_stdin: bool = typer.Option(False, "--password-stdin"),
    database_url: str | None = DATABASE_OPTION,
) -> None:
    """Set a new password for a local user (signs them out everywhere)."""
    try:
        accounts, _ = _stores(database_url)
        accounts.set_password(username, _read_password(password_stdin))
    except MgpnError as exc:
        _fail(exc)
        return
    typer.echo(f"changed the password of {username}")


@users_app.command("list")
def list_users(database_url: str | None = DATABASE_OPTION) -> None:
    """Every user: name, kind (local or hospital sign-in), shown name, since when."""
    try:
        accounts, _ = _stores(database_url)
        users = accounts.list_users()
    except MgpnError as exc:
        _fail(exc)
        return
    if not users:
        typer.echo("no users yet: add one with `mgpn users add NAME`")
        return
    for user in users:
        since = user.created_at.strftime("%Y-%m-%d")
        typer.echo(f"{user.username}\t{user.kind}\t{user.display_name or ''}\tsince {since}")


@users_app.command("remove")
def remove(
    username: str = typer.Argument(...),
    yes: bool = typer.Option(False, "--yes", help="do not ask for confirmation"),
    database_url: str | None = DATABASE_OPTION,
) -> None:
    """Remove a user and end their sessions (the audit log keeps their name)."""
    if not yes:
        typer.confirm(f"Remove {username}?", abort=True)
    try:
        accounts, _ = _stores(database_url)
        accounts.remove_user(username)
    except MgpnError as exc:
        _fail(exc)
        return
    typer.echo(f"removed user {username}")


@users_app.command("audit")
def audit(
    case_id: str | None = typer.Option(None, "--case", help="only this case id"),
    limit: int = typer.Option(50, min=1, max=100_000, help="how many events, newest first"),
    database_url: str | None = DATABASE_OPTION,
) -> None:
    """Who viewed or changed which case, newest first (no patient values are recorded)."""
    try:
        _, store = _stores(database_url)
        events = store.audit_events(case_id, limit)
    except MgpnError as exc:
        _fail(exc)
        return
    for e in events:
        at = e.at.strftime("%Y-%m-%d %H:%M:%S")
        where = f"{e.case_id} v{e.version}" if e.case_id and e.version else (e.case_id or "-")
        typer.echo(f"{at}\t{e.username or '(sign-in off)'}\t{e.action}\t{where}\t{e.client or ''}")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app)

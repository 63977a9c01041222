"""Connecting to the database and migrating it to the current schema (Alembic)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mgpn.errors import StorageError

MIGRATIONS = Path(__file__).parent / "migrations"


# How long a writer waits for another writer's lock before giving up (SQLite).
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Execution option a write transaction sets so SQLite takes the write lock at BEGIN.
WRITE = {"mgpn_write": True}


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (SQLite file or ``postgresql+psycopg://``).

    SQLite: the file and its folder are created readable by their owner only (0600 and
    0700), the journal is WAL (readers never block the writer; a killed process loses no
    committed transaction), ``synchronous=FULL`` (a committed save survives power loss),
    foreign keys are on, and a writer waits up to 30 s for another writer's lock. Write
    transactions begin with ``BEGIN IMMEDIATE`` so two savers queue instead of one failing
    half-way on a lock upgrade.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StorageError(
            f"database URL {url!r} cannot be read ({exc}). Fix: give a URL such as "
            "sqlite:///path/to/mgpn.sqlite3 or postgresql+psycopg://user:pass@host/db"
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_sqlite_file(Path(parsed.database).expanduser())
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _private_sqlite_file(path: Path) -> None:
    """Create the database's folder (0700) and file (0600); tighten an existing file."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)  # mkdir's mode is masked by the umask
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        os.chmod(path, 0o600)
    except FileExistsError:
        pass
    for existing in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if existing.stat().st_mode & 0o077:
                os.chmod(existing, 0o600)
        except FileNotFoundError:
            continue
        except PermissionError as exc:
            raise StorageError(
                f"the database file {existing} is readable by other users and cannot be "
                f"made private ({exc.strerror}). Fix: chmod 600 {existing}"
            ) from exc


def _sqlite_connect(dbapi_connection: Any, _record: object) -> None:
    # Let SQLAlchemy's "begin" event, not the driver, start transactions (BEGIN IMMEDIATE).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get("mgpn_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def alembic_config() -> Config:
    """Alembic's configuration, built in code so an installed package can migrate."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest schema)."""
    config = alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except SQLAlchemyError as exc:
        raise StorageError(
            f"could not migrate the database at {engine.url.render_as_string(hide_password=True)}: "
            f"{exc.__class__.__name__}: {exc.orig if hasattr(exc, 'orig') else exc}. "
            "Fix: check that the server runs and the URL, user and password are right."
        ) from exc


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)

"""Fixtures for the web tests: databases (SQLite and PostgreSQL), the app, a test client."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from tests.web.helpers import BASE_URL, PASSWORD, sign_in, with_csrf

from mgpn.web.db import make_engine, session_factory, upgrade
from mgpn.web.main import create_app
from mgpn.web.settings import Settings
from mgpn.web.store import CaseStore

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
POSTGRES_ENV = "MGPN_TEST_POSTGRES_URL"


@pytest.fixture
def shared_dir() -> Path:
    if not (SHARED / "cases").is_dir():
        pytest.skip(f"the shared folder is absent ({SHARED})")
    return SHARED


def _postgres_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set (scripts/ci-services.sh prints one)")
    return url


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database at the newest schema: a fresh SQLite file, or the test PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cases.sqlite3'}"
        return
    yield from _postgres_schema(_postgres_url())


def _postgres_schema(url: str) -> Iterator[str]:
    """A URL whose connections work in a new, empty schema, dropped afterwards."""
    schema = f"mgpn_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine: Engine) -> CaseStore:
    return CaseStore(session_factory(engine))


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The app on a fresh SQLite file (real engine, real store), sign-in off (loopback)."""
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'app.sqlite3'}"))
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield with_csrf(test_client)


@pytest.fixture
def db_client(database_url: str) -> Iterator[TestClient]:
    """The app on each database: SQLite and PostgreSQL."""
    app = create_app(Settings(database_url=database_url))
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield with_csrf(test_client)
    app.state.engine.dispose()


@pytest.fixture
def anti_mag_case(shared_dir: Path) -> dict[str, Any]:
    """The shared typical anti-MAG vignette as the JSON a client would send."""
    data = yaml.safe_load((shared_dir / "cases" / "anti-mag-typical.yaml").read_text())
    return dict(json.loads(json.dumps(data, default=str)))


@pytest.fixture
def auth_app(tmp_path: Path) -> Iterator[Any]:
    """The app with sign-in on and two local users, alice and bob."""
    app = create_app(
        Settings(database_url=f"sqlite:///{tmp_path / 'auth.sqlite3'}", auth_required=True)
    )
    for name in ("alice", "bob"):
        app.state.accounts.add_user(name, PASSWORD)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def anonymous(auth_app: Any) -> Iterator[TestClient]:
    with TestClient(auth_app, base_url=BASE_URL) as test_client:
        yield test_client


@pytest.fixture
def alice(auth_app: Any) -> Iterator[TestClient]:
    with TestClient(auth_app, base_url=BASE_URL) as test_client:
        yield sign_in(test_client, "alice")

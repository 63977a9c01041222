"""``mgpn serve``: where the cases are kept, the database migrated, 127.0.0.1 by default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from mgpn.cli.main import app

runner = CliRunner()


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record what would be served instead of blocking on a real server."""
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    return calls


def test_serve_uses_the_given_database_and_migrates_it(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MGPN_DATABASE_URL", raising=False)
    db = tmp_path / "given.sqlite3"
    result = runner.invoke(app, ["serve", "--database-url", f"sqlite:///{db}", "--port", "8765"])
    assert result.exit_code == 0, result.output
    assert str(db) in result.output
    assert uvicorn_calls[0]["host"] == "127.0.0.1"
    assert uvicorn_calls[0]["port"] == 8765
    assert {"cases", "case_versions"} <= set(
        inspect(create_engine(f"sqlite:///{db}")).get_table_names()
    )


def test_serve_without_a_url_uses_sqlite_in_the_data_directory_and_says_where(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MGPN_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    expected = tmp_path / "data" / "mgpn" / "mgpn.sqlite3"
    assert str(expected) in result.output
    assert "embedded default" in result.output
    assert expected.exists()


def test_serve_reads_the_environment_variable(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "env.sqlite3"
    monkeypatch.setenv("MGPN_DATABASE_URL", f"sqlite:///{db}")
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert str(db) in result.output
    assert db.exists()


def test_an_unreachable_database_is_a_message_not_a_traceback(
    uvicorn_calls: list[dict[str, Any]],
) -> None:
    url = "postgresql+psycopg://nobody:secret@127.0.0.1:1/none?connect_timeout=2"
    result = runner.invoke(app, ["serve", "--database-url", url])
    assert result.exit_code == 2
    assert "could not migrate the database" in result.output
    assert "secret" not in result.output
    assert "Traceback" not in result.output
    assert uvicorn_calls == []

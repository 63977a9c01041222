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
    result = runner.invoke(
        app, ["serve", "--no-auth", "--database-url", f"sqlite:///{db}", "--port", "8765"]
    )
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
    result = runner.invoke(app, ["serve", "--no-auth"])
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
    monkeypatch.setenv("MGPN_AUTH", "off")
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert str(db) in result.output
    assert db.exists()


def test_an_unreachable_database_is_a_message_not_a_traceback(
    uvicorn_calls: list[dict[str, Any]],
) -> None:
    url = "postgresql+psycopg://nobody:secret@127.0.0.1:1/none?connect_timeout=2"
    result = runner.invoke(app, ["serve", "--no-auth", "--database-url", url])
    assert result.exit_code == 2
    assert "could not migrate the database" in result.output
    assert "secret" not in result.output
    assert "Traceback" not in result.output
    assert uvicorn_calls == []


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::"])
def test_listening_beyond_loopback_without_sign_in_is_refused(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]], host: str
) -> None:
    db = tmp_path / "open.sqlite3"
    result = runner.invoke(
        app, ["serve", "--no-auth", "--host", host, "--database-url", f"sqlite:///{db}"]
    )
    assert result.exit_code == 2
    assert f"refusing to listen on {host} with sign-in off" in result.output
    assert "mgpn users add" in result.output
    assert uvicorn_calls == []


def test_sign_in_is_on_by_default_and_needs_someone_who_can_sign_in(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MGPN_AUTH", raising=False)
    url = f"sqlite:///{tmp_path / 'users.sqlite3'}"
    refused = runner.invoke(app, ["serve", "--database-url", url])
    assert refused.exit_code == 2
    assert "no one could sign in" in refused.output
    assert uvicorn_calls == []

    added = runner.invoke(
        app,
        ["users", "add", "j.smith", "--password-stdin", "--database-url", url],
        input="a long pass phrase\n",
    )
    assert added.exit_code == 0, added.output
    served = runner.invoke(app, ["serve", "--database-url", url])
    assert served.exit_code == 0, served.output
    assert "Sign-in is on (1 local user(s))" in served.output
    web_app = uvicorn_calls[0]["app"]
    assert web_app.state.settings.auth_required is True


def test_a_named_address_with_sign_in_is_served_with_secure_cookies(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MGPN_AUTH", raising=False)
    monkeypatch.setenv("MGPN_ALLOWED_HOSTS", "mgpn.hospital.example")
    url = f"sqlite:///{tmp_path / 'lan.sqlite3'}"
    runner.invoke(
        app,
        ["users", "add", "j.smith", "--password-stdin", "--database-url", url],
        input="a long pass phrase\n",
    )
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--database-url", url])
    assert result.exit_code == 0, result.output
    settings = uvicorn_calls[0]["app"].state.settings
    assert settings.secure_cookies is True
    assert "mgpn.hospital.example" in settings.allowed_hosts
    assert "HTTPS" in result.output


def test_a_wildcard_address_without_host_names_is_refused(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MGPN_ALLOWED_HOSTS", raising=False)
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--database-url", url])
    assert result.exit_code == 2
    assert "MGPN_ALLOWED_HOSTS" in result.output
    assert uvicorn_calls == []

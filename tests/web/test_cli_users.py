"""``mgpn users``: add, list, change the password, remove, and read the audit log."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from mgpn.cli.main import app
from mgpn.web.accounts import AccountStore
from mgpn.web.db import make_engine, session_factory

runner = CliRunner()
PASSWORD = "a long pass phrase"


def _run(url: str, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["users", *args, "--database-url", url], input=stdin)
    return result.exit_code, result.output


def test_add_list_password_remove(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'users.sqlite3'}"
    assert "no users yet" in _run(url, "list")[1]
    code, out = _run(
        url, "add", "j.smith", "--name", "Dr Smith", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert code == 0, out
    code, out = _run(url, "list")
    assert code == 0 and "j.smith\tlocal\tDr Smith" in out
    accounts = AccountStore(session_factory(make_engine(url)))
    assert accounts.authenticate("j.smith", PASSWORD) is not None
    assert accounts.authenticate("j.smith", "another pass phrase") is None

    code, _ = _run(url, "password", "j.smith", "--password-stdin", stdin="another pass phrase\n")
    assert code == 0
    assert accounts.authenticate("j.smith", "another pass phrase") is not None

    code, out = _run(url, "remove", "j.smith", "--yes")
    assert code == 0 and "removed" in out
    assert accounts.list_users() == []
    code, out = _run(url, "remove", "j.smith", "--yes")
    assert code == 2 and "no user is called" in out


def test_the_password_is_asked_twice_without_echo(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'prompt.sqlite3'}"
    code, out = _run(url, "add", "a.jones", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert code == 0, out
    assert PASSWORD not in out


def test_bad_names_short_passwords_and_duplicates_are_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bad.sqlite3'}"
    code, out = _run(url, "add", "short.pw", "--password-stdin", stdin="tooshort\n")
    assert code == 2 and "12 to 1024 characters" in out
    code, out = _run(url, "add", "bad name!", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 2 and "not a valid user name" in out
    assert _run(url, "add", "twice", "--password-stdin", stdin=PASSWORD + "\n")[0] == 0
    code, out = _run(url, "add", "twice", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 2 and "exists already" in out
    assert "Traceback" not in out


def test_the_audit_log_lists_who_did_what(tmp_path: Path) -> None:
    from mgpn.web.store import Actor, CaseStore

    url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    _run(url, "list")  # creates and migrates the database
    store = CaseStore(session_factory(make_engine(url)))
    saved = store.create({"id": "x"}, {}, "1", actor=Actor("j.smith", "127.0.0.1"))
    store.record(Actor("a.jones", "10.0.0.2"), "view", saved.case_id, 1)
    code, out = _run(url, "audit", "--case", saved.case_id)
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].split("\t")[1:4] == ["a.jones", "view", f"{saved.case_id} v1"]
    assert lines[1].split("\t")[1:3] == ["j.smith", "create"]

"""Migration 0002 on a database that already holds cases (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, inspect, text

from mgpn.web.db import make_engine, session_factory, upgrade
from mgpn.web.store import CaseStore


def _stamp(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


def _head() -> str:
    from alembic.script import ScriptDirectory

    from mgpn.web.db import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def test_0002_keeps_existing_cases_and_adds_sign_in_and_audit(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0001")
    now = datetime(2025, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO cases (id, label, created_at) VALUES (:id, 'old', :at)"),
            {"id": "a" * 32, "at": now},
        )
        conn.execute(
            text(
                "INSERT INTO case_versions (case_id, version, case_json, assessment_json, "
                "knowledge_version, assessed_at) VALUES (:id, 1, :case, :assessment, '1', :at)"
            ),
            {
                "id": "a" * 32,
                "case": '{"id": "old"}',
                "assessment": '{"syndromes": [{"label": "Old label", "rank": 1, "status": "possible"}]}',
                "at": now,
            },
        )
    upgrade(engine, "0002_security_and_concurrency")
    tables = set(inspect(engine).get_table_names())
    assert {"users", "user_sessions", "audit_events"} <= tables
    assert _stamp(engine) == "0002_security_and_concurrency"
    # later migrations chain after 0002 and keep the old case readable by today's store
    upgrade(engine)
    assert _stamp(engine) == _head()
    store = CaseStore(session_factory(engine))
    (listed,) = store.list_cases()
    assert (listed.leading, listed.status) == ("Old label", "possible")
    from alembic import command

    from mgpn.web.db import alembic_config

    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")
    assert "users" not in set(inspect(engine).get_table_names())
    upgrade(engine)
    engine.dispose()

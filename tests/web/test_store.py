"""The case store on SQLite and PostgreSQL: versions are appended, never overwritten."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, inspect, text

from mgpn.errors import NotFoundError, StorageError
from mgpn.web.store import CaseStore

CASE = {"format": "mgpn-case/1", "id": "store-test", "neuropathy": {"present": True}}
ASSESSMENT = {"format": "mgpn-assessment/1", "knowledge_version": "1.0", "syndromes": []}


def test_migration_creates_both_tables(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {"cases", "case_versions", "alembic_version"} <= tables


def test_migrations_go_down_and_up_again(engine: Engine) -> None:
    from alembic import command

    from mgpn.web.db import alembic_config, upgrade

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert not {"cases", "case_versions"} & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert {"cases", "case_versions"} <= set(inspect(engine).get_table_names())


def test_a_new_case_is_version_one_and_reads_back(store: CaseStore) -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    saved = store.create(CASE, ASSESSMENT, "1.0", at)
    assert saved.version == 1
    read = store.get(saved.case_id)
    assert read.case == CASE
    assert read.assessment == ASSESSMENT
    assert read.knowledge_version == "1.0"
    assert read.assessed_at == at
    assert read.label == "store-test"


def test_a_new_version_keeps_the_earlier_one(store: CaseStore) -> None:
    first = store.create(CASE, ASSESSMENT, "1.0")
    changed = {**CASE, "neuropathy": {"present": False}}
    second = store.add_version(
        first.case_id, changed, {**ASSESSMENT, "knowledge_version": "1.1"}, "1.1", base_version=1
    )
    assert second.version == 2
    assert store.get(first.case_id).case == changed
    assert store.get(first.case_id, 1).case == CASE
    assert store.get(first.case_id, 1).knowledge_version == "1.0"
    assert [v.version for v in store.versions(first.case_id)] == [1, 2]
    assert [v.knowledge_version for v in store.versions(first.case_id)] == ["1.0", "1.1"]


def test_the_list_shows_the_latest_version_newest_first(store: CaseStore) -> None:
    old = store.create({**CASE, "id": "old"}, ASSESSMENT, "1.0", datetime(2025, 1, 1, tzinfo=UTC))
    new = store.create({**CASE, "id": "new"}, ASSESSMENT, "1.0", datetime(2025, 6, 1, tzinfo=UTC))
    store.add_version(
        old.case_id,
        {**CASE, "id": "old"},
        ASSESSMENT,
        "1.0",
        datetime(2025, 9, 1, tzinfo=UTC),
        base_version=1,
    )
    listed = store.list_cases()
    assert [(c.label, c.latest_version) for c in listed] == [("old", 2), ("new", 1)]
    assert new.case_id in {c.case_id for c in listed}


def test_unknown_ids_and_versions_are_not_found(store: CaseStore) -> None:
    saved = store.create(CASE, ASSESSMENT, "1.0")
    with pytest.raises(NotFoundError, match="no saved case"):
        store.get("nope")
    with pytest.raises(NotFoundError, match="no version 7"):
        store.get(saved.case_id, 7)
    with pytest.raises(NotFoundError):
        store.add_version("nope", CASE, ASSESSMENT, "1.0", base_version=1)
    assert [v.version for v in store.versions(saved.case_id)] == [1]


def test_a_failed_write_stores_nothing(store: CaseStore, engine: Engine) -> None:
    too_long_kb = "x" * 500  # the column holds 64 characters on PostgreSQL; SQLite ignores it
    saved = store.create(CASE, ASSESSMENT, "1.0")
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE case_versions"))
    with pytest.raises(StorageError, match="nothing was saved"):
        store.create(CASE, ASSESSMENT, too_long_kb)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM cases")).scalar_one()
    assert count == 1  # the failed case row was rolled back with its version
    assert saved.case_id

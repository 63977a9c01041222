"""The CDS Hooks tables on SQLite and PostgreSQL: replay cache, feedback, case links."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect

from mgpn.cdshooks.models import FeedbackItem
from mgpn.cdshooks.store import CdsStore
from mgpn.web.db import make_engine, session_factory, upgrade
from mgpn.web.store import CaseStore
from tests.web.conftest import _postgres_schema, _postgres_url


@pytest.fixture(
    params=[pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path / 'cds.sqlite3'}"])
    else:
        urls = _postgres_schema(_postgres_url())
    url = next(urls)
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()
    for _ in urls:  # let the PostgreSQL schema be dropped
        pass


def test_the_migration_creates_the_tables(engine: Engine) -> None:
    assert {"cds_feedback", "cds_seen_tokens", "cds_patient_cases"} <= set(
        inspect(engine).get_table_names()
    )


def test_a_token_id_is_claimed_once(engine: Engine) -> None:
    store = CdsStore(session_factory(engine))
    later = datetime.now(UTC) + timedelta(minutes=5)
    assert store.claim_token("https://ehr", "jti-1", later) is True
    assert store.claim_token("https://ehr", "jti-1", later) is False
    assert store.claim_token("https://other-ehr", "jti-1", later) is True
    assert CdsStore(session_factory(engine)).claim_token("https://ehr", "jti-1", later) is False


def test_feedback_and_case_links(engine: Engine) -> None:
    store = CdsStore(session_factory(engine))
    item = FeedbackItem(card="c1", outcome="overridden", outcomeTimestamp="2026-12-01T10:00:00Z",
                        overrideReason={"reason": {"code": "disagree", "display": "Disagree"}, "userComment": "no"})  # fmt: skip
    assert store.add_feedback("mgpn-patient-view", [item], "https://ehr") == 1
    (stored,) = store.feedback()
    assert (stored.outcome, stored.override_reason, stored.comment) == (
        "overridden",
        "Disagree",
        "no",
    )
    case_id = CaseStore(session_factory(engine)).create({"format": "mgpn-case/1"}, {}, "1").case_id
    assert store.case_for("https://ehr", "https://fhir", "p1") is None
    store.link_case("https://ehr", "https://fhir", "p1", case_id)
    assert store.case_for("https://ehr", "https://fhir", "p1") == case_id

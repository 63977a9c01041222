"""No lost or half-saved data: many savers, stale pages, and a server killed mid-stream.

Run against the real server (``mgpn serve`` in a subprocess on 127.0.0.1) on SQLite and
on PostgreSQL (the latter when MGPN_TEST_POSTGRES_URL is set).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from tests.web.live_server import LiveServer, start_server

from mgpn.errors import ConflictError
from mgpn.web.store import CaseStore

CLIENTS = 16
ROUNDS = 3
CASE: dict[str, Any] = {
    "format": "mgpn-case/1",
    "paraprotein": {"isotype": "IgM"},
    "neuropathy": {"present": True},
}
ASSESSMENT: dict[str, Any] = {"format": "mgpn-assessment/1", "syndromes": []}


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    live = start_server(database_url, tmp_path / "server.log")
    yield live
    live.stop()


# --- the store itself --------------------------------------------------------------------


def test_a_stale_base_version_is_refused_and_stores_nothing(store: CaseStore) -> None:
    first = store.create({**CASE, "id": "v1"}, ASSESSMENT, "1.0")
    store.add_version(first.case_id, {**CASE, "id": "v2"}, ASSESSMENT, "1.0", base_version=1)
    with pytest.raises(ConflictError) as caught:
        store.add_version(first.case_id, {**CASE, "id": "lost?"}, ASSESSMENT, "1.0", base_version=1)
    assert (caught.value.base_version, caught.value.latest_version) == (1, 2)
    assert store.get(first.case_id).case["id"] == "v2"
    assert [v.version for v in store.versions(first.case_id)] == [1, 2]


def test_threads_saving_one_case_through_the_store(store: CaseStore) -> None:
    """Every thread edits version 1 at once: exactly one wins, the others get a conflict."""
    first = store.create({**CASE, "id": "start"}, ASSESSMENT, "1.0")
    barrier = threading.Barrier(CLIENTS, timeout=60)
    outcomes: list[str] = []

    def save(i: int) -> None:
        barrier.wait()
        try:
            store.add_version(
                first.case_id, {**CASE, "id": f"t{i}"}, ASSESSMENT, "1.0", base_version=1
            )
            outcomes.append(f"t{i}")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    winners = [o for o in outcomes if o != "conflict"]
    assert len(outcomes) == CLIENTS and len(winners) == 1
    assert store.get(first.case_id).case["id"] == winners[0]


# --- pages: an earlier version, a page opened before someone else saved ------------------


def test_an_earlier_version_says_so_and_cannot_be_saved_over_the_latest(
    client: TestClient,
) -> None:
    case_id = client.post("/api/v1/cases", json={**CASE, "id": "first"}).json()["id"]
    client.put(
        f"/api/v1/cases/{case_id}", json={**CASE, "id": "second"}, headers={"If-Match": '"1"'}
    )
    latest = client.get(f"/cases/{case_id}").text
    assert 'id="not-latest"' not in latest
    assert 'name="base_version" value="2"' in latest
    old = client.get(f"/cases/{case_id}?version=1").text
    assert 'id="not-latest"' in old and "This is not the latest version" in old
    assert 'name="base_version" value="1"' in old

    refused = client.post(
        f"/cases/{case_id}", data={"id": "from-the-old-page", "base_version": "1"}
    )
    assert refused.status_code == 409
    assert 'id="version-conflict"' in refused.text
    assert f'href="/cases/{case_id}"' in refused.text  # offers to reload the latest
    assert 'value="from-the-old-page"' in refused.text  # the user's entries are kept on screen
    visit = client.post(
        f"/cases/{case_id}/visits", data={"base_version": "1", "visit.date": "2025-01-01"}
    )
    assert visit.status_code == 409
    stored = client.get(f"/api/v1/cases/{case_id}").json()
    assert stored["version"] == 2 and stored["case"]["id"] == "second"


# --- the real server ----------------------------------------------------------------------


def test_sixteen_clients_saving_one_case_lose_nothing(server: LiveServer) -> None:
    """Each round every client reads the latest version, then all save at once."""
    with httpx.Client(base_url=server.url, timeout=120) as c:
        case_id = c.post("/api/v1/cases", json={**CASE, "id": "start"}).json()["id"]
    barrier = threading.Barrier(CLIENTS, timeout=300)
    results: list[tuple[str, int, int | None]] = []
    errors: list[BaseException] = []

    def client(i: int) -> None:
        try:
            with httpx.Client(base_url=server.url, timeout=300) as c:
                for r in range(ROUNDS):
                    etag = c.get(f"/api/v1/cases/{case_id}").headers["etag"]
                    barrier.wait()
                    marker = f"c{i}-r{r}"
                    answer = c.put(
                        f"/api/v1/cases/{case_id}",
                        json={**CASE, "id": marker},
                        headers={"If-Match": etag},
                    )
                    body = answer.json()
                    results.append((marker, answer.status_code, body.get("version")))
        except BaseException as exc:  # reported below; a broken barrier frees the others
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not errors, errors[:3]
    assert len(results) == CLIENTS * ROUNDS
    assert {status for _, status, _ in results} <= {200, 409}, sorted(results)[:5]
    won = sorted((v, marker) for marker, status, v in results if status == 200)
    assert [v for v, _ in won] == list(range(2, ROUNDS + 2))  # one winner per round
    with httpx.Client(base_url=server.url, timeout=120) as c:
        versions = c.get(f"/api/v1/cases/{case_id}").json()["versions"]
        assert [v["version"] for v in versions] == list(range(1, ROUNDS + 2))
        for version, marker in won:  # nothing overwritten: each version holds its winner
            stored = c.get(f"/api/v1/cases/{case_id}?version={version}").json()
            assert stored["case"]["id"] == marker
    assert "c0-r0" not in server.log.read_text(errors="replace")  # no case data in the log


def test_a_killed_server_loses_no_acknowledged_save(database_url: str, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    server = start_server(database_url, log)
    acknowledged: list[tuple[str, int, str]] = []
    refused: list[str] = []
    stop = threading.Event()

    def stream() -> None:
        n = 0
        with httpx.Client(base_url=server.url, timeout=30) as c:
            while not stop.is_set():
                n += 1
                marker = f"save-{n}"
                try:
                    if acknowledged and n % 2 == 0:
                        case_id, version, _ = acknowledged[-1]
                        answer = c.put(
                            f"/api/v1/cases/{case_id}",
                            json={**CASE, "id": marker},
                            headers={"If-Match": f'"{version}"'},
                        )
                    else:
                        answer = c.post("/api/v1/cases", json={**CASE, "id": marker})
                except httpx.TransportError:
                    return  # the server died mid-request: that save was never acknowledged
                if answer.status_code in (200, 201):
                    body = answer.json()
                    acknowledged.append((body["id"], body["version"], marker))
                else:
                    refused.append(f"{answer.status_code} {answer.text[:200]}")

    worker = threading.Thread(target=stream)
    worker.start()
    deadline = time.monotonic() + 300
    while len(acknowledged) < 20 and time.monotonic() < deadline and worker.is_alive():
        time.sleep(0.05)
    server.kill()  # SIGKILL in the middle of the stream
    stop.set()
    worker.join(timeout=60)
    assert len(acknowledged) >= 20
    assert refused == []

    if database_url.startswith("sqlite"):
        path = make_url(database_url).database
        assert path
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert db.execute("PRAGMA foreign_key_check").fetchall() == []

    again = start_server(database_url, log)
    try:
        with httpx.Client(base_url=again.url, timeout=60) as c:
            for case_id, version, marker in acknowledged:
                stored = c.get(f"/api/v1/cases/{case_id}?version={version}")
                assert stored.status_code == 200, (case_id, version)
                assert stored.json()["case"]["id"] == marker
            # the restarted server goes on saving where the killed one stopped
            case_id, version, _ = acknowledged[-1]
            latest = c.get(f"/api/v1/cases/{case_id}").json()["version"]
            after = c.put(
                f"/api/v1/cases/{case_id}",
                json={**CASE, "id": "after-restart"},
                headers={"If-Match": f'"{latest}"'},
            )
            assert after.status_code == 200
    finally:
        again.stop()

"""Every error path answers its 4xx status with a page or JSON, never a traceback or SQL."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.web.helpers import BASE_URL

CASE: dict[str, Any] = {
    "format": "mgpn-case/1",
    "id": "errors-case",
    "paraprotein": {"isotype": "IgM"},
    "neuropathy": {"present": True},
}
HUGE = "9223372036854775808"  # 2**63: beyond every integer column
_LEAKS = re.compile(
    r"Traceback|File \"|(?i:sqlalchemy|psycopg|sqlite3)|SELECT |INSERT INTO|UPDATE \w+ SET|"
    r"OperationalError|IntegrityError|\[SQL|site-packages"
)


def _clean(response: Any, status: int, kind: str) -> None:
    assert response.status_code == status, (response.request.url, response.text[:300])
    assert not _LEAKS.search(response.text), response.text[:500]
    media = response.headers["content-type"]
    if kind == "json":
        assert media.startswith("application/json"), media
        assert "detail" in response.json()
    else:
        assert media.startswith("text/html"), media
        assert "<html" in response.text and "clinical judgment" in response.text


@pytest.fixture
def saved(db_client: TestClient) -> str:
    response = db_client.post("/api/v1/cases", json=CASE)
    assert response.status_code == 201
    return str(response.json()["id"])


def test_unknown_cases_and_versions(db_client: TestClient, saved: str) -> None:
    _clean(db_client.get("/cases/unknown"), 404, "html")
    _clean(db_client.get("/api/v1/cases/unknown"), 404, "json")
    _clean(db_client.get(f"/cases/{saved}?version=99"), 404, "html")
    _clean(db_client.get(f"/api/v1/cases/{saved}?version=99"), 404, "json")
    _clean(db_client.get(f"/api/v1/cases/{'0' * 32}/report.pdf"), 404, "json")


@pytest.mark.parametrize("version", ["abc", "0", "-1", "1.5", HUGE, "9" * 400])
def test_bad_and_huge_version_numbers(db_client: TestClient, saved: str, version: str) -> None:
    _clean(db_client.get(f"/cases/{saved}?version={version}"), 422, "html")
    response = db_client.get(f"/api/v1/cases/{saved}?version={version}")
    _clean(response, 422, "json")
    assert response.json()["detail"][0]["loc"] == ["query", "version"]
    _clean(db_client.get(f"/api/v1/cases/{saved}/report.html?version={version}"), 422, "json")
    _clean(db_client.get(f"/cases/{saved}/case.yaml?version={version}"), 422, "html")


def test_nul_bytes_in_ids(db_client: TestClient, saved: str) -> None:
    _clean(db_client.get("/cases/%00"), 404, "html")
    _clean(db_client.get(f"/api/v1/cases/{saved[:-1]}%00"), 404, "json")
    _clean(db_client.put("/api/v1/cases/a%00b?base_version=1", json=CASE), 404, "json")
    _clean(db_client.post("/cases/%00/visits", data={"base_version": "1"}), 404, "html")
    # a NUL inside the case's own id is refused by the strict reader, naming the field,
    # and nothing is stored (PostgreSQL would refuse it in text anyway)
    before = db_client.get("/api/v1/cases").json()["cases"]
    refused = db_client.post("/api/v1/cases", json={**CASE, "id": "a\u0000b"})
    _clean(refused, 422, "json")
    assert refused.json()["detail"][0]["loc"] == ["body", "id"]
    assert db_client.get("/api/v1/cases").json()["cases"] == before
    # a tab, which the reader allows, is kept in the case but not put into the label column
    stored = db_client.post("/api/v1/cases", json={**CASE, "id": "a\tb"})
    assert stored.status_code == 201, stored.text
    listed = {c["id"]: c["label"] for c in db_client.get("/api/v1/cases").json()["cases"]}
    assert listed[stored.json()["id"]] == "a b"
    kept = db_client.get(f"/api/v1/cases/{stored.json()['id']}").json()
    assert kept["case"]["id"] == "a\tb"


@pytest.mark.parametrize(
    "quantity",
    [
        "9" * 400,
        "1e999",
        '"' + "9" * 400 + ' g/dL"',
        '{"value": ' + "9" * 400 + ', "unit": "g/dL"}',
    ],
)
def test_huge_quantities(db_client: TestClient, quantity: str) -> None:
    body = '{"format": "mgpn-case/1", "paraprotein": {"m_spike": ' + quantity + "}}"
    response = db_client.post(
        "/api/v1/cases", content=body, headers={"Content-Type": "application/json"}
    )
    _clean(response, 422, "json")
    assert response.json()["detail"][0]["loc"][:3] == ["body", "paraprotein", "m_spike"]
    assert db_client.get("/api/v1/cases").json()["cases"] == []


def test_huge_quantities_from_the_form(client: TestClient) -> None:
    form = {"paraprotein.m_spike": "9" * 400, "paraprotein.m_spike:unit": "g/dL"}
    response = client.post("/cases", data=form)
    _clean(response, 422, "html")
    assert 'data-path="paraprotein.m_spike"' in response.text


def test_methods_that_do_not_exist(client: TestClient) -> None:
    _clean(client.delete("/api/v1/cases"), 405, "json")
    _clean(client.patch("/cases/new"), 405, "html")
    _clean(client.put("/"), 405, "html")


def test_too_large(client: TestClient) -> None:
    limit = client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    _clean(client.post("/cases", data={"id": "x" * limit}), 413, "html")
    _clean(client.post("/api/v1/cases", json={**CASE, "id": "x" * limit}), 413, "json")


def test_forged_requests_and_wrong_content_types(client: TestClient) -> None:
    bare = TestClient(client.app, base_url=BASE_URL)
    _clean(bare.post("/cases", data={"id": "forged"}), 403, "html")
    _clean(
        client.post("/cases", data={"id": "f"}, headers={"Sec-Fetch-Site": "cross-site"}),
        403,
        "html",
    )
    _clean(
        client.post("/api/v1/cases", content="{}", headers={"Content-Type": "text/plain"}),
        415,
        "json",
    )
    _clean(client.get("/", headers={"Host": "rebound.example"}), 400, "html")
    _clean(client.get("/api/v1/cases", headers={"Host": "rebound.example"}), 400, "json")


def test_unauthenticated(anonymous: TestClient) -> None:
    _clean(anonymous.get("/api/v1/cases"), 401, "json")
    redirect = anonymous.get("/cases/new", follow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["location"].startswith("/login")
    _clean(anonymous.post("/ui/assess", data={}), 401, "html")


def test_stale_and_unnamed_versions(db_client: TestClient, saved: str) -> None:
    ok = db_client.put(f"/api/v1/cases/{saved}", json=CASE, headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok.headers["etag"] == '"2"'
    stale = db_client.put(f"/api/v1/cases/{saved}", json=CASE, headers={"If-Match": '"1"'})
    _clean(stale, 409, "json")
    assert stale.json()["latest_version"] == 2 and stale.json()["base_version"] == 1
    assert stale.headers["etag"] == '"2"'
    _clean(db_client.put(f"/api/v1/cases/{saved}", json=CASE), 428, "json")
    _clean(
        db_client.put(f"/api/v1/cases/{saved}", json=CASE, headers={"If-Match": "*"}), 400, "json"
    )
    _clean(db_client.post(f"/cases/{saved}", data={"id": "x", "base_version": "1"}), 409, "html")
    _clean(db_client.post(f"/cases/{saved}", data={"id": "x"}), 428, "html")
    _clean(db_client.post(f"/cases/{saved}", data={"id": "x", "base_version": HUGE}), 400, "html")
    versions = db_client.get(f"/api/v1/cases/{saved}").json()["versions"]
    assert [v["version"] for v in versions] == [1, 2]


def test_an_unexpected_failure_is_a_plain_500(tmp_path: Any) -> None:
    from mgpn.web.deps import get_evaluator
    from mgpn.web.main import create_app
    from mgpn.web.settings import Settings

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'e.sqlite3'}"))

    def broken() -> Any:
        def evaluate(data: Any, source: str) -> Any:
            raise RuntimeError("SELECT secret FROM patients")

        return evaluate

    app.dependency_overrides[get_evaluator] = broken
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as c:
        response = c.post("/api/v1/cases", json=CASE)
    assert response.status_code == 500
    assert "secret" not in response.text and "Traceback" not in response.text

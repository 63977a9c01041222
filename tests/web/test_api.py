"""The JSON API under /api/v1: assessments, cases with versions, reports, and the 422 paths."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from mgpn.case import parse_case
from mgpn.engine import evaluate

pytestmark = pytest.mark.shared


def test_assessment_is_the_same_json_as_the_engine_gives(
    client: TestClient, anti_mag_case: dict[str, Any]
) -> None:
    response = client.post("/api/v1/assessments", json=anti_mag_case)
    assert response.status_code == 200, response.text
    expected = evaluate(parse_case(anti_mag_case, source="test")).to_json_dict()
    assert response.json() == expected
    assert "for" in response.json()["syndromes"][0]


def test_every_problem_comes_back_as_422_with_its_field_path(client: TestClient) -> None:
    bad = {
        "format": "mgpn-case/1",
        "neuropathy": {"sensory_ataxai": True},
        "labs": {"platelets": "45000 mg"},
        "visits": [{"date": "yesterday"}],
    }
    response = client.post("/api/v1/assessments", json=bad)
    assert response.status_code == 422
    detail = response.json()["detail"]
    paths = {d["path"] for d in detail}
    assert {"neuropathy.sensory_ataxai", "labs.platelets", "visits[0].date"} <= paths
    by_path = {d["path"]: d for d in detail}
    assert by_path["visits[0].date"]["loc"] == ["body", "visits", 0, "date"]
    assert all(d["msg"] for d in detail)
    assert any(d["fix"] for d in detail)


@pytest.mark.parametrize("body", ["[1, 2]", "{not json", '"text"', "3", "null", ""])
@pytest.mark.parametrize("path", ["/api/v1/assessments", "/api/v1/cases"])
def test_a_body_that_is_not_a_case_object_is_422(client: TestClient, body: str, path: str) -> None:
    """The project's error (path, what was found, the fix), never FastAPI's own wording."""
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    (detail,) = response.json()["detail"]
    assert detail["loc"] == ["body"]
    assert detail["type"] == "case_error"
    assert detail["fix"]
    assert "valid dictionary" not in detail["msg"] and "Field required" not in detail["msg"]
    if body in ("[1, 2]", '"text"', "3", "null"):
        assert detail["found"] in ("list", "str", "int", "null")


def test_cases_are_saved_listed_read_and_versioned(
    db_client: TestClient, anti_mag_case: dict[str, Any]
) -> None:
    created = db_client.post("/api/v1/cases", json=anti_mag_case)
    assert created.status_code == 201, created.text
    case_id = created.json()["id"]
    assert created.json()["version"] == 1

    listed = db_client.get("/api/v1/cases").json()["cases"]
    assert [(c["id"], c["label"], c["latest_version"]) for c in listed] == [
        (case_id, "anti-mag-typical", 1)
    ]

    changed = {**anti_mag_case, "function": {"mrs": 1, "progressing": False}}
    updated = db_client.put(f"/api/v1/cases/{case_id}", json=changed, headers={"If-Match": '"1"'})
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2

    latest = db_client.get(f"/api/v1/cases/{case_id}").json()
    assert latest["version"] == 2
    assert latest["case"]["function"] == {"mrs": 1, "progressing": False}
    assert [v["version"] for v in latest["versions"]] == [1, 2]
    first = db_client.get(f"/api/v1/cases/{case_id}", params={"version": 1}).json()
    assert first["case"]["function"]["mrs"] == 2
    assert first["assessment"]["knowledge_version"] == first["knowledge_version"]
    assert first["assessed_at"]


def test_bad_input_saves_nothing_half_way(
    db_client: TestClient, anti_mag_case: dict[str, Any]
) -> None:
    bad = {**anti_mag_case, "neuropathy": {"present": "maybe"}}
    assert db_client.post("/api/v1/cases", json=bad).status_code == 422
    assert db_client.get("/api/v1/cases").json()["cases"] == []

    case_id = db_client.post("/api/v1/cases", json=anti_mag_case).json()["id"]
    response = db_client.put(f"/api/v1/cases/{case_id}?base_version=1", json=bad)
    assert response.status_code == 422
    assert response.json()["detail"][0]["path"] == "neuropathy.present"
    assert [v["version"] for v in db_client.get(f"/api/v1/cases/{case_id}").json()["versions"]] == [
        1
    ]


def test_unknown_cases_are_404(client: TestClient, anti_mag_case: dict[str, Any]) -> None:
    assert client.get("/api/v1/cases/nope").status_code == 404
    assert client.put("/api/v1/cases/nope?base_version=1", json=anti_mag_case).status_code == 404
    assert client.get("/api/v1/cases/nope/report.pdf").status_code == 404
    assert "no saved case" in client.get("/api/v1/cases/nope").json()["detail"]


def test_reports_of_a_saved_case(client: TestClient, anti_mag_case: dict[str, Any]) -> None:
    saved = client.post("/api/v1/cases", json=anti_mag_case).json()
    pdf = client.get(saved["links"]["report_pdf"])
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    html = client.get(saved["links"]["report_html"])
    assert html.status_code == 200
    assert "does not replace, clinical judgment" in html.text
    assert saved["knowledge_version"] in html.text
    first = min(
        client.get(saved["links"]["self"]).json()["assessment"]["syndromes"],
        key=lambda s: s["rank"],
    )
    assert first["label"] in html.text


def test_openapi_documents_the_api(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "cdn." not in docs.text  # nothing is loaded from the internet
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/assessments",
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/report.pdf",
        "/api/v1/cases/{case_id}/report.html",
    ):
        assert path in paths
    assert "422" in paths["/api/v1/cases"]["post"]["responses"]

"""The case list's clinical columns come from the stored assessment, in words."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from mgpn.case import parse_case
from mgpn.engine import evaluate
from mgpn.web.listing import INDICATION_WORDS, SYNDROME_STATUS_WORDS, list_summary

CASE: dict[str, Any] = {
    "format": "mgpn-case/1",
    "id": "list-case",
    "paraprotein": {"isotype": "IgM", "m_spike": "0.6 g/dL"},
    "neuropathy": {"present": True, "sensory_ataxia": True, "distribution": "length_dependent"},
    "antibodies": {"anti_mag": ">70000 BTU"},
}


def _cell(page: str, case_id: str, column: str) -> str:
    row = re.search(rf'<tr data-case-id="{case_id}">(.*?)</tr>', page, re.S)
    assert row, "the case is not in the list"
    cell = re.search(rf'<td class="col-{column}">(.*?)</td>', row.group(1), re.S)
    assert cell, column
    return re.sub(r"<[^>]+>", "", cell.group(1)).strip()


def test_the_list_shows_leading_syndrome_status_indication_and_last_visit(
    client: TestClient,
) -> None:
    case_id = client.post("/api/v1/cases", json=CASE).json()["id"]
    visit = client.post(
        f"/cases/{case_id}/visits",
        data={"base_version": "1", "visit.date": "2025-09-14", "visit.incat_leg": "2"},
        follow_redirects=False,
    )
    assert visit.status_code == 303, visit.text
    stored = client.get(f"/api/v1/cases/{case_id}").json()
    assessment = evaluate(parse_case(stored["case"], source="test"))
    leading = min(assessment.syndromes, key=lambda s: s.rank)

    page = client.get("/").text
    assert _cell(page, case_id, "leading") == leading.label
    assert _cell(page, case_id, "status") == SYNDROME_STATUS_WORDS[leading.status]
    assert _cell(page, case_id, "indication") == INDICATION_WORDS[assessment.treatment.indication]
    assert _cell(page, case_id, "last-visit") == "2025-09-14"
    for header in ("Leading syndrome", "Status", "Treatment", "Last visit", "Updated"):
        assert f'<th scope="col">{header}</th>' in page
    assert "_" not in _cell(page, case_id, "status") + _cell(page, case_id, "indication")

    item = client.get("/api/v1/cases").json()["cases"][0]
    assert item["leading_syndrome"] == leading.label
    assert item["treatment_indication"] == INDICATION_WORDS[assessment.treatment.indication]
    assert item["last_visit"] == "2025-09-14"


def test_cases_saved_before_the_summary_column_get_it_from_their_assessment(
    client: TestClient,
) -> None:
    case_id = client.post("/api/v1/cases", json=CASE).json()["id"]
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(text("UPDATE cases SET summary = NULL"))
    stored = client.get(f"/api/v1/cases/{case_id}").json()
    expected = list_summary(stored["case"], stored["assessment"])
    assert expected["leading"]
    assert _cell(client.get("/").text, case_id, "leading") == expected["leading"]


def test_the_summary_of_an_empty_assessment_is_empty() -> None:
    assert list_summary({}, {}) == {
        "leading": None,
        "status": None,
        "indication": None,
        "last_visit": None,
    }

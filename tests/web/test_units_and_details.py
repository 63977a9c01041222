"""No unit traps, values shown back as entered, and report details kept out of the case file and logs."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from mgpn.case import field_catalog, parse_case
from mgpn.errors import CaseError
from mgpn.web.form import build_form, form_to_case, missing_units
from mgpn.web.settings import parse_site_units


def test_a_number_without_a_unit_is_refused_at_its_field_not_guessed() -> None:
    form = {"paraprotein.igm": ["45"], "paraprotein.igm:unit": [""]}
    with pytest.raises(CaseError) as caught:
        form_to_case(field_catalog(), form)
    (issue,) = caught.value.issues
    assert issue.path == "paraprotein.igm"
    assert "mg/dL" in str(issue.expected) and "g/L" in str(issue.expected)


def test_the_chosen_unit_or_the_sites_unit_is_used() -> None:
    chosen = form_to_case(
        field_catalog(), {"paraprotein.igm": ["45"], "paraprotein.igm:unit": ["g/L"]}
    )
    assert chosen["paraprotein"]["igm"] == "45 g/L"
    site = form_to_case(field_catalog(), {"paraprotein.igm": ["45"]}, {"paraprotein.igm": "g/L"})
    case = parse_case(site, source="form")
    assert case.paraprotein is not None and case.paraprotein.igm is not None
    assert case.paraprotein.igm.value == pytest.approx(4500.0)  # 45 g/L, not 45 mg/dL


def test_a_field_with_one_unit_needs_no_choice() -> None:
    assert missing_units(field_catalog(), {"antibodies.anti_mag": [">70000"]}) == []
    data = form_to_case(field_catalog(), {"antibodies.anti_mag": [">70000"]})
    assert data["antibodies"]["anti_mag"] == ">70000 BTU"


def test_no_unit_is_preselected_unless_the_site_set_one() -> None:
    form = build_form(field_catalog(), None)
    igm = next(f for s in form.sections for f in s.fields if f.spec.path == "paraprotein.igm")
    assert igm.value.unit == "" and igm.site_unit == ""
    sited = build_form(field_catalog(), None, site_units={"paraprotein.igm": "g/L"})
    igm = next(f for s in sited.sections for f in s.fields if f.spec.path == "paraprotein.igm")
    assert igm.site_unit == "g/L"


def test_site_units_setting_is_read_strictly() -> None:
    assert parse_site_units("paraprotein.igm=g/L; history.hba1c=mmol/mol") == {
        "paraprotein.igm": "g/L",
        "history.hba1c": "mmol/mol",
    }
    with pytest.raises(ValueError, match="field=unit"):
        parse_site_units("paraprotein.igm")


def test_the_form_sections_follow_the_work_up() -> None:
    keys = [s.key for s in build_form(field_catalog(), None).sections]
    assert keys[:5] == ["paraprotein", "neuropathy", "history", "electrodiagnosis", "antibodies"]
    assert keys.index("systemic") < keys.index("function")


def test_the_empty_page_preselects_no_unit(client: TestClient) -> None:
    page = client.get("/cases/new").text
    select = re.search(r'<select id="f-paraprotein-igm-unit".*?</select>', page, re.S)
    assert select is not None
    assert '<option value="" selected>unit?</option>' in select.group(0)


def test_live_panel_names_the_field_without_a_unit(client: TestClient) -> None:
    response = client.post("/ui/assess", data={"paraprotein.igm": "45"})
    assert response.status_code == 200
    assert 'data-path="paraprotein.igm"' in response.text
    assert "choose the unit" in response.text


def test_values_come_back_in_the_unit_entered_and_details_stay_out_of_the_case_file(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    form = {
        "id": "units-case",
        "paraprotein.isotype": "IgM",
        "history.hba1c": "36",
        "history.hba1c:unit": "mmol/mol",
        "report.patient_name": "Jane Testpatient",
        "report.record_number": "MRN-000123",
        "report.author": "Dr Example",
    }
    with caplog.at_level(logging.DEBUG):
        saved = client.post("/cases", data=form, follow_redirects=False)
        assert saved.status_code == 303
        url = saved.headers["location"]
        page = client.get(url).text
        case_id = url.rsplit("/", 1)[1]
        report = client.get(f"/api/v1/cases/{case_id}/report.html").text
        yaml_text = client.get(f"{url}/case.yaml").text
    hba1c = re.search(r'id="f-history-hba1c" name="history.hba1c"[^>]*value="([^"]*)"', page)
    assert hba1c is not None and hba1c.group(1) == "36"  # not 5.44398847104
    assert re.search(r'<option value="mmol/mol" selected>', page)
    assert "36 mmol/mol (5.4 %)" in report  # as entered, converted value beside it
    assert "Jane Testpatient" in report and "MRN-000123" in report
    assert "Jane Testpatient" in page  # shown back in the form's report fields
    assert "Jane Testpatient" not in yaml_text and "MRN" not in yaml_text
    assert yaml.safe_load(yaml_text)["history"]["hba1c"]["value"] == pytest.approx(5.44, abs=0.01)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Jane Testpatient" not in logged and "MRN-000123" not in logged


def test_the_store_keeps_report_details_and_entered_values_per_version(store: Any) -> None:
    details = {"patient_name": "Jane Testpatient", "record_number": "MRN-1"}
    first = store.create(
        {"format": "mgpn-case/1", "id": "d"}, {"x": 1}, "kb", details=details,
        entered={"history.hba1c": "36 mmol/mol"},
    )  # fmt: skip
    again = store.get(first.case_id)
    assert again.details == details and again.entered == {"history.hba1c": "36 mmol/mol"}
    assert "Jane" not in repr(again)  # a log line of the stored version cannot carry them
    second = store.add_version(
        first.case_id, {"format": "mgpn-case/1", "id": "d"}, {}, "kb", base_version=first.version
    )
    assert second.details == {} and store.get(first.case_id, 1).details == details

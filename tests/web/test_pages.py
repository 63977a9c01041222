"""The clinicians' pages: labels on every input, live assessment, save, open, upload, visits."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from mgpn.case import parse_case
from mgpn.engine import evaluate

DISCLAIMER = "Decision support only: it supports, and does not replace, clinical judgment."


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.legends = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in ("input", "select", "textarea") and attributes.get("type") != "hidden":
            self.controls.append(attributes)
        elif tag == "label" and attributes.get("for"):
            self.label_for.add(str(attributes["for"]))
        elif tag == "legend":
            self.legends += 1


def test_every_page_shows_the_disclaimer_and_knowledge_version(client: TestClient) -> None:
    from mgpn.knowledge import load_knowledge

    version = load_knowledge().meta.version
    for url in ("/", "/cases/new"):
        page = client.get(url)
        assert page.status_code == 200
        assert DISCLAIMER in page.text
        assert f'<span class="kb-version">{version}</span>' in page.text


@pytest.mark.parametrize("which", ["new", "saved"])
def test_every_input_of_the_case_form_has_a_label(client: TestClient, which: str) -> None:
    url = "/cases/new"
    if which == "saved":  # adds the treatment rows, the visit form and the upload form
        url = client.post("/cases", data={"id": "labels"}, follow_redirects=False).headers[
            "location"
        ]
    parser = _Inputs()
    parser.feed(client.get(url).text)
    assert len(parser.controls) > 150
    unlabelled = [c.get("name") for c in parser.controls if c.get("id") not in parser.label_for]
    assert unlabelled == []
    ids = [c.get("id") for c in parser.controls]
    assert len(ids) == len(set(ids))
    assert parser.legends >= 12  # one fieldset per section of the case format


def test_the_live_fragment_follows_the_form(client: TestClient) -> None:
    empty = client.post("/ui/assess", data={})
    assert empty.status_code == 200
    form = {
        "paraprotein.isotype": "IgM",
        "neuropathy.present": "true",
        "antibodies.anti_mag": "70000",
        "antibodies.anti_mag:cmp": ">",
        "antibodies.anti_mag:unit": "BTU",
    }
    response = client.post("/ui/assess", data=form)
    assert response.status_code == 200
    case = parse_case(
        {
            "format": "mgpn-case/1",
            "paraprotein": {"isotype": "IgM"},
            "neuropathy": {"present": True},
            "antibodies": {"anti_mag": ">70000 BTU"},
        }
    )
    first = min(evaluate(case).syndromes, key=lambda s: s.rank)
    labels = re.findall(r'class="syndrome-label">([^<]+)<', response.text)
    assert labels[0] == first.label
    assert "<html" not in response.text  # a fragment, not a page


def test_the_live_fragment_names_bad_fields(client: TestClient) -> None:
    response = client.post("/ui/assess", data={"function.mrs": "9"})
    assert response.status_code == 200
    assert 'data-path="function.mrs"' in response.text


@pytest.mark.shared
def test_save_open_and_new_version_from_the_form(
    client: TestClient, anti_mag_case: dict[str, Any]
) -> None:
    form = {
        "id": "form-case",
        "paraprotein.isotype": "IgM",
        "neuropathy.present": "true",
        "neuropathy.sensory_ataxia": "false",
        "treatments[0].regimen": "rituximab",
        "treatments[0].start": "2025-04-01",
    }
    saved = client.post("/cases", data=form, follow_redirects=False)
    assert saved.status_code == 303
    url = saved.headers["location"]
    page = client.get(url)
    assert page.status_code == 200
    assert "Case form-case" in page.text
    assert re.search(
        r'id="f-neuropathy-sensory_ataxia-2" name="neuropathy.sensory_ataxia" value="false" checked',
        page.text,
    )  # "no" stays no (not unknown) after the round trip
    assert 'value="rituximab"' in page.text
    listing = client.get("/").text
    assert "form-case" in listing and url in listing

    again = client.post(
        url,
        data={**form, "neuropathy.sensory_ataxia": "true", "base_version": "1"},
        follow_redirects=False,
    )
    assert again.status_code == 303
    case_id = url.rsplit("/", 1)[1]
    versions = client.get(f"/api/v1/cases/{case_id}").json()["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    old = client.get(f"{url}?version=1").text
    assert "version 1" in old


def test_a_bad_form_is_shown_again_with_the_problem_and_not_saved(client: TestClient) -> None:
    response = client.post(
        "/cases", data={"id": "bad", "function.mrs": "9"}, follow_redirects=False
    )
    assert response.status_code == 422
    assert 'data-path="function.mrs"' in response.text
    assert 'value="bad"' in response.text
    assert client.get("/api/v1/cases").json()["cases"] == []


@pytest.mark.shared
def test_upload_fills_the_form_and_yaml_download_round_trips(
    client: TestClient, shared_dir: Any, anti_mag_case: dict[str, Any]
) -> None:
    text = (shared_dir / "cases" / "anti-mag-typical.yaml").read_bytes()
    page = client.post(
        "/cases/upload", files={"file": ("anti-mag-typical.yaml", text, "application/yaml")}
    )
    assert page.status_code == 200
    assert 'id="f-id" name="id" type="text" value="anti-mag-typical"' in page.text
    assert 'class="syndrome-label"' in page.text

    saved = client.post("/api/v1/cases", json=anti_mag_case).json()
    download = client.get(f"/cases/{saved['id']}/case.yaml")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    reread = parse_case(yaml.safe_load(download.text), source="download")
    assert reread.model_dump() == parse_case(anti_mag_case, source="x").model_dump()


def test_uploading_something_that_is_not_a_case_says_so(client: TestClient) -> None:
    page = client.post(
        "/cases/upload", files={"file": ("x.yaml", b"- just\n- a list\n", "text/plain")}
    )
    assert page.status_code == 422
    assert "does not hold a mapping" in page.text


@pytest.mark.shared
def test_adding_a_visit_makes_a_new_version_with_the_follow_up(
    client: TestClient, anti_mag_case: dict[str, Any]
) -> None:
    case_id = client.post("/api/v1/cases", json=anti_mag_case).json()["id"]
    for base, date, incat in ((1, "2025-03-14", "3"), (2, "2025-09-14", "2")):
        response = client.post(
            f"/cases/{case_id}/visits",
            data={
                "base_version": str(base),
                "visit.date": date,
                "visit.incat_arm": "1",
                "visit.incat_leg": incat,
            },
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
    stored = client.get(f"/api/v1/cases/{case_id}").json()
    assert stored["version"] == 3
    assert [v["date"] for v in stored["case"]["visits"]] == ["2025-03-14", "2025-09-14"]
    page = client.get(f"/cases/{case_id}").text
    assert "Course over time" in page
    assert "data:image/svg+xml;base64," in page
    assert client.get(f"/api/v1/cases/{case_id}/report.pdf").content.startswith(b"%PDF-")


def test_a_stored_version_shows_what_the_program_said_then(
    client: TestClient, anti_mag_case: dict[str, Any]
) -> None:
    """The page and the report of a version render its stored assessment, not a new one."""
    from datetime import UTC, datetime

    from mgpn.case import dump_case

    case = parse_case(anti_mag_case, source="test")
    then = evaluate(case).to_json_dict()
    then["knowledge_version"] = "2000.1-then"
    store = client.app.state.store  # type: ignore[attr-defined]
    stored = store.create(
        dump_case(case), then, "2000.1-then", datetime(2000, 1, 2, 3, 4, tzinfo=UTC)
    )
    page = client.get(f"/cases/{stored.case_id}?version=1").text
    assert '<span class="kb-version">2000.1-then</span>' in page
    assert "2000-01-02 03:04 UTC" in page
    report = client.get(f"/api/v1/cases/{stored.case_id}/report.html?version=1").text
    assert "2000.1-then" in report and "2000-01-02 03:04 UTC" in report

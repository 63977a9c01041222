"""The fhirServer path against a real FHIR server written by someone else: fhirsnake (PyPI).

fhirsnake (beda-software) serves FHIR resources from files: reads by id and searches by
type. It ignores search parameters such as ``patient=``, so the service must (and does)
drop another patient's resources itself, which these tests check too.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from mgpn.interop.fhir import case_to_bundle
from tests.cdshooks.cases import example
from tests.cdshooks.ehr import Ehr, hook_body, prefetch, split_bundle

fhirsnake = pytest.importorskip("fhirsnake")
PV = "/cds-services/mgpn-patient-view"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _write(root: Path, resources: list[dict[str, Any]]) -> None:
    for index, resource in enumerate(resources):
        folder = root / "resources" / resource["resourceType"]
        folder.mkdir(parents=True, exist_ok=True)
        rid = resource.get("id") or f"r{index}"
        (folder / f"{rid}.json").write_text(json.dumps({**resource, "id": rid}), encoding="utf-8")


@pytest.fixture(scope="module")
def fhir_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("fhirsnake")
    patient, others = split_bundle(case_to_bundle(example("anti-mag-neuropathy.yaml")))
    stranger = {"resourceType": "Observation", "id": "stranger", "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "2472-9"}]},
                "valueQuantity": {"value": 9000, "unit": "mg/dL", "system": "http://unitsofmeasure.org", "code": "mg/dL"},
                "subject": {"reference": "Patient/p2"}}  # fmt: skip
    _write(root, [patient, *others, stranger, {"resourceType": "Patient", "id": "p2"}])
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", os.path.dirname(fhirsnake.__file__), "main:app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{url}/Patient/p1", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                pytest.skip("fhirsnake did not start")
            time.sleep(0.1)
        else:
            pytest.skip("fhirsnake did not answer")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_server_really_serves_searches(fhir_server: str) -> None:
    bundle = httpx.get(f"{fhir_server}/Observation", params={"patient": "p1"}, timeout=5).json()
    assert bundle["resourceType"] == "Bundle" and bundle["total"] > 5


def test_patient_view_fetches_what_prefetch_left_out(
    client: TestClient, ehr: Ehr, fhir_server: str
) -> None:
    full = prefetch(case_to_bundle(example("anti-mag-neuropathy.yaml")))
    with_prefetch = client.post(
        PV, json=hook_body("patient-view", full), headers=ehr.auth(PV)
    ).json()["cards"]
    body = hook_body(
        "patient-view",
        {"patient": full["patient"]},
        fhir_server=fhir_server,
        token="access-token-1",
    )
    fetched = client.post(PV, json=body, headers=ehr.auth(PV))
    assert fetched.status_code == 200, fetched.text
    cards = fetched.json()["cards"]
    assert [c["summary"] for c in cards] == [c["summary"] for c in with_prefetch]
    # the other patient's IgM of 9000 mg/dL, returned by the server's unfiltered search, is not used
    case_id = cards[0]["links"][0]["url"].rsplit("/", 1)[1]
    stored = client.app.state.cds.cases.get(case_id).case  # type: ignore[attr-defined]
    own = example("anti-mag-neuropathy.yaml").paraprotein.igm
    assert own is not None and stored["paraprotein"]["igm"]["value"] == own.value != 9000


def test_everything_from_the_server(client: TestClient, ehr: Ehr, fhir_server: str) -> None:
    body = hook_body("patient-view", None, fhir_server=fhir_server, token="access-token-2")
    response = client.post(PV, json=body, headers=ehr.auth(PV))
    assert response.status_code == 200 and response.json()["cards"]


def test_a_patient_the_server_does_not_have_is_412(
    client: TestClient, ehr: Ehr, fhir_server: str
) -> None:
    body = hook_body("patient-view", None, patient_id="nobody", fhir_server=fhir_server, token="t")
    assert client.post(PV, json=body, headers=ehr.auth(PV)).status_code == 412

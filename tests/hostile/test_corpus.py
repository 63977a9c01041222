"""The hostile corpus: every input from issue 9 that was misread or crashed, and its answer.

Each file in ``corpus/`` goes through every door a case comes in by: ``load_case``
(with libyaml and with the pure-Python parser), ``mgpn validate``, the web upload and
``POST /api/v1/assessments``. Each must give mgpn's own error with the field path that
``expectations.yaml`` names, or load exactly as written; never another exception.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mgpn import strict_reader
from mgpn.case import dump_case, load_case
from mgpn.cli.main import app as cli
from mgpn.errors import CaseError, InputError, Issue
from mgpn.strict_reader import read_file, read_yaml
from mgpn.web.main import create_app
from mgpn.web.settings import Settings
from tests.web.helpers import BASE_URL, with_csrf

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
EXPECTATIONS: dict[str, dict[str, Any]] = read_file(HERE / "expectations.yaml", error=InputError)
NAMES = sorted(EXPECTATIONS)
REFUSED = [name for name in NAMES if "loads" not in EXPECTATIONS[name]]
runner = CliRunner()


def _alternatives(value: Any) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def _matches(name: str, path: str, message: str) -> bool:
    expected = EXPECTATIONS[name]
    return path in _alternatives(expected["path"]) and any(
        fragment in message for fragment in _alternatives(expected["message"])
    )


def _assert_refused(name: str, issues: list[Issue]) -> None:
    assert any(_matches(name, i.path, i.message) for i in issues), (
        f"{name}: expected {EXPECTATIONS[name]['path']!r} / {EXPECTATIONS[name]['message']!r}, "
        f"got {[str(i) for i in issues]}"
    )


def _normalised(file: Path) -> dict[str, Any]:
    data = dump_case(load_case(file))
    data.pop("format")
    return data


def test_every_corpus_file_has_an_expectation() -> None:
    assert sorted(path.name for path in CORPUS.iterdir()) == NAMES
    assert len(REFUSED) >= 50


@pytest.mark.parametrize("use_libyaml", [True, False], ids=["libyaml", "pure-python"])
@pytest.mark.parametrize("name", NAMES)
def test_load_case(name: str, use_libyaml: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if use_libyaml and not strict_reader.LIBYAML:
        pytest.skip("PyYAML was built without libyaml")
    monkeypatch.setattr(strict_reader, "LIBYAML", use_libyaml)
    file = CORPUS / name
    expected = EXPECTATIONS[name]
    if "loads" in expected:
        assert _normalised(file) == expected["loads"]
        return
    with pytest.raises(CaseError) as caught:
        load_case(file)
    _assert_refused(name, caught.value.issues)


@pytest.mark.parametrize("name", NAMES)
def test_mgpn_validate(name: str) -> None:
    result = runner.invoke(cli, ["validate", "--format", "json", str(CORPUS / name)])
    assert "Traceback" not in result.output
    payload = json.loads(result.stdout)
    if "loads" in EXPECTATIONS[name]:
        assert result.exit_code == 0
        payload.pop("format")
        assert payload == EXPECTATIONS[name]["loads"]
        return
    assert result.exit_code == 1, result.output
    assert payload["valid"] is False
    _assert_refused(name, [Issue(i["path"], i["message"]) for i in payload["issues"]])


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    database = tmp_path_factory.mktemp("hostile") / "cases.sqlite3"
    app = create_app(Settings(database_url=f"sqlite:///{database}"))
    with TestClient(app, base_url=BASE_URL) as test_client:
        # the upload is a form POST: like the page, send back the CSRF token it was given
        yield with_csrf(test_client)


@pytest.mark.parametrize("name", NAMES)
def test_web_upload(name: str, client: TestClient) -> None:
    response = client.post(
        "/cases/upload", files={"file": (name, (CORPUS / name).read_bytes(), "text/plain")}
    )
    if "loads" in EXPECTATIONS[name]:
        assert response.status_code == 200
        return
    assert response.status_code == 422
    shown = [
        f'data-path="{html.escape(path)}"' for path in _alternatives(EXPECTATIONS[name]["path"])
    ]
    assert any(item in response.text for item in shown), response.text[:2000]


def _json_body(name: str) -> bytes | None:
    """The bytes a client would POST: JSON files as they are, YAML that parses as JSON."""
    raw = (CORPUS / name).read_bytes()
    if name.endswith(".json"):
        return raw
    try:
        return json.dumps(read_yaml(raw, name)).encode()
    except CaseError:
        return None  # refused by the YAML reader itself: the upload test covers it


@pytest.mark.parametrize("name", NAMES)
def test_api_assessment(name: str, client: TestClient) -> None:
    body = _json_body(name)
    if body is None:
        pytest.skip("a YAML-only problem: the API takes JSON")
    response = client.post(
        "/api/v1/assessments", content=body, headers={"content-type": "application/json"}
    )
    if "loads" in EXPECTATIONS[name]:
        assert response.status_code == 200
        return
    assert response.status_code == 422, response.text[:500]
    detail = response.json()["detail"]
    # mgpn's issues carry `path`; FastAPI's own body check (a list, not a mapping) only `loc`.
    paths = [d.get("path", ".".join(map(str, d["loc"][1:]))) for d in detail]
    _assert_refused(name, [Issue(p, d["msg"]) for p, d in zip(paths, detail, strict=True)])

"""Serving fast: the knowledge base read once at app creation, work off the event loop,
and the server settings ``mgpn serve`` passes to uvicorn. Throughput itself is measured
in ``benchmarks/bench_web.py``, not here."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.web.helpers import BASE_URL, with_csrf

from mgpn.case import dump_case, load_case
from mgpn.engine import evaluate
from mgpn.web import server, services
from mgpn.web.main import create_app
from mgpn.web.settings import Settings

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "src" / "mgpn" / "examples" / "anti-mag-neuropathy.yaml"
)


@pytest.fixture
def knowledge_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every call the web layer makes to the knowledge-base loader, from a cold cache."""
    calls: list[str] = []
    real = services.load_knowledge

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append("load")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "load_knowledge", counting)
    services.knowledge.cache_clear()
    yield calls
    services.knowledge.cache_clear()


def test_knowledge_base_is_read_at_app_creation_not_per_request(
    tmp_path: Path, knowledge_reads: list[str]
) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'a.sqlite3'}"))
    assert knowledge_reads == ["load"]  # warmed before serving
    case = json.loads(json.dumps(dump_case(load_case(EXAMPLE))))
    with TestClient(app) as client, ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: client.post("/api/v1/assessments", json=case), range(16)))
    assert [a.status_code for a in answers] == [200] * 16
    assert knowledge_reads == ["load"]  # 16 requests arriving together read nothing again
    assert answers[0].headers["content-type"] == "application/json"
    assert answers[0].json() == evaluate(load_case(EXAMPLE)).to_json_dict()


def test_live_form_answers_while_other_requests_run(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'a.sqlite3'}"))
    # the live form is an HTMX POST: like the page, send the CSRF token it was given
    with TestClient(app, base_url=BASE_URL) as raw, ThreadPoolExecutor(8) as pool:
        client = with_csrf(raw)
        answers = list(
            pool.map(
                lambda _: client.post("/ui/assess", data={"neuropathy.present": "true"}),
                range(8),
            )
        )
    assert [a.status_code for a in answers] == [200] * 8
    assert all("text/html" in a.headers["content-type"] for a in answers)


def test_server_options_use_the_c_loop_and_parser_and_no_access_log() -> None:
    options = server.uvicorn_options(workers=2)
    assert options["access_log"] is False
    if server.has_uvloop():
        assert options["loop"] == "uvloop"
        assert options["workers"] == 2
    else:  # several workers only with uvloop (TCP_NODELAY, see mgpn.web.server)
        assert options["workers"] == 1
    assert server.uvicorn_options(access_log=True)["access_log"] is True


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def test_evaluation_and_rendering_run_off_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine and the templates never run on the loop: other requests go on meanwhile."""
    where: list[tuple[str, bool]] = []
    real_evaluate = services.evaluate

    def watched(*args: Any, **kwargs: Any) -> Any:
        where.append(("evaluate", _on_event_loop()))
        return real_evaluate(*args, **kwargs)

    monkeypatch.setattr(services, "evaluate", watched)
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'a.sqlite3'}"))
    real_render = app.state.templates.env.get_template("_assessment.html").render

    def render(*args: Any, **kwargs: Any) -> str:
        where.append(("render", _on_event_loop()))
        return str(real_render(*args, **kwargs))

    monkeypatch.setattr(app.state.templates.env.get_template("_assessment.html"), "render", render)
    case = json.loads(json.dumps(dump_case(load_case(EXAMPLE))))
    with TestClient(app, base_url=BASE_URL) as raw:
        client = with_csrf(raw)
        assert client.post("/api/v1/assessments", json=case).status_code == 200
        assert client.post("/ui/assess", data={"neuropathy.present": "true"}).status_code == 200
    assert ("evaluate", False) in where and ("render", False) in where
    assert all(on_loop is False for _, on_loop in where), where


def test_templates_are_compiled_once_not_per_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'a.sqlite3'}"))
    compiled: list[str] = []
    env = app.state.templates.env
    real_compile = env.compile

    def counting(source: Any, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        compiled.append(str(name))
        return real_compile(source, name, *args, **kwargs)

    monkeypatch.setattr(env, "compile", counting)
    with TestClient(app, base_url=BASE_URL) as raw:
        client = with_csrf(raw)
        for _ in range(3):
            assert client.post("/ui/assess", data={"neuropathy.present": "true"}).status_code == 200
        assert client.get("/").status_code == 200
    assert compiled == []

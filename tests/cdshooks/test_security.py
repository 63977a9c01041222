"""Every endpoint refuses a bad or missing token with 401 and evaluates nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mgpn.cdshooks import router as cds_router
from tests.cdshooks.cases import example_prefetch
from tests.cdshooks.ehr import (
    Ehr,
    JwksServer,
    draft_medication,
    hmac_token,
    hook_body,
    searchset,
    unsigned_token,
)

FEEDBACK = {"feedback": [{"card": "c0ffee00-0000-4000-8000-000000000000", "outcome": "accepted",
                          "acceptedSuggestions": [{"id": "s1"}], "outcomeTimestamp": "2026-12-01T10:00:00Z"}]}  # fmt: skip


def _endpoints() -> list[tuple[str, str, dict[str, Any] | None]]:
    data = example_prefetch()
    orders = {
        "draftOrders": searchset([draft_medication("Rituximab", "o1")]),
        "selections": ["MedicationRequest/o1"],
    }
    return [
        ("GET", "/cds-services", None),
        ("POST", "/cds-services/mgpn-patient-view", hook_body("patient-view", data)),
        (
            "POST",
            "/cds-services/mgpn-order-select",
            hook_body("order-select", data, context=orders),
        ),
        ("POST", "/cds-services/mgpn-order-sign", hook_body("order-sign", data, context=orders)),
        ("POST", "/cds-services/mgpn-patient-view/feedback", FEEDBACK),
    ]


ENDPOINTS = _endpoints()


def _call(
    client: TestClient, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]
):  # type: ignore[no-untyped-def]
    if method == "GET":
        return client.get(path, headers=headers)
    return client.post(path, json=body, headers=headers)


@pytest.fixture
def evaluations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = cds_router.resources_to_case

    def counting(*args: Any, **kw: Any) -> Any:
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(cds_router, "resources_to_case", counting)
    return calls


BAD_TOKENS: dict[str, Callable[[Ehr, str], dict[str, str]]] = {
    "missing header": lambda ehr, path: {},
    "wrong aud": lambda ehr, path: ehr.auth(path, aud="http://testserver/cds-services/another"),
    "base url as aud": lambda ehr, path: ehr.auth(path, aud="http://testserver"),
    "expired": lambda ehr, path: ehr.auth(path, exp_in=-3600),
    "iat in the future": lambda ehr, path: ehr.auth(path, iat_offset=3600, exp_in=7200),
    "alg none": lambda ehr, path: {"Authorization": f"Bearer {unsigned_token(path)}"},
    "HS256": lambda ehr, path: {"Authorization": f"Bearer {hmac_token(path)}"},
    "unknown issuer": lambda ehr, path: ehr.auth(path, iss="https://other-ehr.example"),
    "jku not allowlisted": lambda ehr, path: ehr.auth(
        path, headers={"jku": "http://127.0.0.1:9/evil.json"}
    ),
    "not a JWT": lambda ehr, path: {"Authorization": "Bearer not-a-jwt"},
    "foreign key": lambda ehr, path: Ehr().auth(path),
}


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=[p for _, p, _ in ENDPOINTS])
@pytest.mark.parametrize("bad", list(BAD_TOKENS))
def test_bad_tokens_get_401_and_nothing_is_evaluated(
    client: TestClient,
    ehr: Ehr,
    evaluations: list[int],
    method: str,
    path: str,
    body: dict[str, Any] | None,
    bad: str,
) -> None:
    response = _call(client, method, path, body, BAD_TOKENS[bad](ehr, path))
    assert response.status_code == 401, response.text
    assert response.json()["resourceType"] == "OperationOutcome"
    assert "WWW-Authenticate" in response.headers
    assert evaluations == []
    assert client.app.state.cds.store.feedback() == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=[p for _, p, _ in ENDPOINTS])
def test_a_good_token_is_accepted_once(
    client: TestClient, ehr: Ehr, method: str, path: str, body: dict[str, Any] | None
) -> None:
    headers = ehr.auth(path)
    first = _call(client, method, path, body, headers)
    assert first.status_code == 200, first.text
    replay = _call(client, method, path, body, headers)
    assert replay.status_code == 401
    assert "replay" in replay.json()["issue"][0]["diagnostics"]


def test_the_replay_cache_survives_a_restart(
    make_client: Callable[..., TestClient], ehr: Ehr
) -> None:
    headers = ehr.auth("/cds-services")
    assert make_client().get("/cds-services", headers=headers).status_code == 200
    assert make_client().get("/cds-services", headers=headers).status_code == 401


def test_an_allowlisted_jku_is_used(
    make_client: Callable[..., TestClient], cds_settings: Any, ehr: Ehr, jwks_server: JwksServer
) -> None:
    issuer = cds_settings.issuers[0].model_copy(
        update={"jwks_url": None, "jku_allowlist": [jwks_server.url]}
    )
    client = make_client(cds_settings.model_copy(update={"issuers": [issuer]}))
    ok = client.get(
        "/cds-services", headers=ehr.auth("/cds-services", headers={"jku": jwks_server.url})
    )
    assert ok.status_code == 200


def test_a_jwks_file_works_too(
    make_client: Callable[..., TestClient], cds_settings: Any, ehr: Ehr, tmp_path: Any
) -> None:
    import json

    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(ehr.jwks))
    issuer = cds_settings.issuers[0].model_copy(update={"jwks_url": None, "jwks_file": path})
    client = make_client(cds_settings.model_copy(update={"issuers": [issuer]}))
    assert client.get("/cds-services", headers=ehr.auth("/cds-services")).status_code == 200


def test_the_development_switch_answers_only_this_machine(
    make_client: Callable[..., TestClient], cds_settings: Any
) -> None:
    client = make_client(cds_settings.model_copy(update={"insecure_skip_auth": True}))
    # The test client's address is "testclient", not 127.0.0.1: refused even without checks.
    assert client.get("/cds-services").status_code == 401


def test_the_cli_refuses_the_development_switch_off_loopback() -> None:
    from typer.testing import CliRunner

    from mgpn.cli.main import app

    result = CliRunner().invoke(app, ["cds-hooks", "--insecure-dev", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "127.0.0.1" in result.output

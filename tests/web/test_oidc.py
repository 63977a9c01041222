"""OpenID Connect sign-in, end to end against a real OIDC provider on 127.0.0.1.

The provider is ``oidc-provider-mock`` (a test provider built on Authlib, from PyPI): it
publishes discovery metadata and keys, issues codes, tokens and signed ID tokens. A
hospital's production provider (Keycloak, Entra ID, ...) cannot run here; the same
authorization-code flow with PKCE and nonce is what mgpn does against it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from tests.web.helpers import BASE_URL

from mgpn.errors import SettingsError
from mgpn.web.main import create_app
from mgpn.web.settings import OidcSettings, Settings, settings_from_env

oidc_provider_mock = pytest.importorskip("oidc_provider_mock")


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with oidc_provider_mock.run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def oidc_app(provider: str, tmp_path: Path) -> Iterator[Any]:
    app = create_app(
        Settings(
            database_url=f"sqlite:///{tmp_path / 'oidc.sqlite3'}",
            auth_required=True,
            oidc=OidcSettings(issuer=provider, client_id="mgpn", client_secret="s3cret"),
        )
    )
    yield app
    app.state.engine.dispose()


def _sign_in(browser: TestClient, provider: str, subject: str) -> httpx.Response:
    start = browser.get("/auth/oidc/login?next=/cases/new", follow_redirects=False)
    assert start.status_code == 302, start.text
    authorize = start.headers["location"]
    assert authorize.startswith(f"{provider}/oauth2/authorize?")
    query = parse_qs(urlsplit(authorize).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"] and query["nonce"][0]
    assert query["redirect_uri"] == [f"{BASE_URL}/auth/oidc/callback"]
    # The user signs in at the provider, which sends the browser back with a code.
    consent = httpx.post(authorize, data={"sub": subject}, follow_redirects=False)
    assert consent.status_code == 302, consent.text
    back = urlsplit(consent.headers["location"])
    return browser.get(f"{back.path}?{back.query}", follow_redirects=False)


def test_a_hospital_user_signs_in_and_is_created_once(oidc_app: Any, provider: str) -> None:
    with TestClient(oidc_app, base_url=BASE_URL) as browser:
        assert "Sign in with your hospital account" in browser.get("/login").text
        done = _sign_in(browser, provider, "dr.who@hospital.example")
        assert done.status_code == 303, done.text
        assert done.headers["location"] == "/cases/new"
        page = browser.get("/")
        assert page.status_code == 200
        assert "Signed in as dr.who@hospital.example" in page.text
    with TestClient(oidc_app, base_url=BASE_URL) as again:
        assert _sign_in(again, provider, "dr.who@hospital.example").status_code == 303
    users = oidc_app.state.accounts.list_users()
    assert [(u.username, u.kind) for u in users] == [("dr.who@hospital.example", "oidc")]
    actions = [e.action for e in oidc_app.state.store.audit_events()]
    assert actions.count("sign_in") == 2


def test_a_forged_or_replayed_callback_does_not_sign_in(oidc_app: Any, provider: str) -> None:
    with TestClient(oidc_app, base_url=BASE_URL) as attacker:
        forged = attacker.get("/auth/oidc/callback?code=abc&state=xyz", follow_redirects=False)
        assert forged.status_code == 401
        assert attacker.get("/", follow_redirects=False).status_code == 303
    with TestClient(oidc_app, base_url=BASE_URL) as browser:
        start = browser.get("/auth/oidc/login", follow_redirects=False)
        consent = httpx.post(start.headers["location"], data={"sub": "x"}, follow_redirects=False)
        back = urlsplit(consent.headers["location"])
        # the code arrives in another browser (no state cookie): refused
        with TestClient(oidc_app, base_url=BASE_URL) as other:
            stolen = other.get(f"{back.path}?{back.query}", follow_redirects=False)
            assert stolen.status_code == 401
            assert other.get("/", follow_redirects=False).status_code == 303


def test_the_provider_saying_no_is_a_page_not_a_crash(oidc_app: Any, provider: str) -> None:
    with TestClient(oidc_app, base_url=BASE_URL) as browser:
        start = browser.get("/auth/oidc/login", follow_redirects=False)
        denied = httpx.post(
            start.headers["location"], data={"action": "deny"}, follow_redirects=False
        )
        back = urlsplit(denied.headers["location"])
        answer = browser.get(f"{back.path}?{back.query}", follow_redirects=False)
        assert answer.status_code == 401
        assert "could not sign you in" in answer.text


def test_oidc_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MGPN_OIDC_ISSUER", "https://login.hospital.example/realms/x")
    monkeypatch.setenv("MGPN_OIDC_CLIENT_ID", "mgpn")
    monkeypatch.setenv("MGPN_OIDC_CLIENT_SECRET", "s3cret")
    settings = settings_from_env("sqlite://")
    assert settings.oidc is not None
    assert settings.oidc.server_metadata_url == (
        "https://login.hospital.example/realms/x/.well-known/openid-configuration"
    )
    assert settings.auth_required
    monkeypatch.delenv("MGPN_OIDC_CLIENT_SECRET")
    with pytest.raises(SettingsError, match="MGPN_OIDC_CLIENT_SECRET"):
        settings_from_env("sqlite://")

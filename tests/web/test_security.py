"""Locked doors: sign-in, CSRF, Host check, body limit, headers, exemptions, audit, file modes."""

from __future__ import annotations

import logging
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import text
from tests.web.helpers import BASE_URL, PASSWORD, sign_in

from mgpn.web.main import create_app
from mgpn.web.settings import Settings

CASE: dict[str, Any] = {
    "format": "mgpn-case/1",
    "id": "security-case",
    "paraprotein": {"isotype": "IgM", "m_spike": "0.6 g/dL"},
    "neuropathy": {"present": True, "sensory_ataxia": True},
}


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no CSRF field"
    return found.group(1)


# --- sign-in -------------------------------------------------------------------------


def test_a_second_person_cannot_see_or_change_a_case_without_signing_in(
    alice: TestClient, anonymous: TestClient
) -> None:
    saved = alice.post("/api/v1/cases", json=CASE)
    assert saved.status_code == 201, saved.text
    case_id = saved.json()["id"]
    assert alice.get(f"/cases/{case_id}").status_code == 200

    page = anonymous.get(f"/cases/{case_id}?version=1", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == f"/login?next=%2Fcases%2F{case_id}%3Fversion%3D1"
    for url in ("/", "/openapi.json", "/docs", f"/cases/{case_id}/case.yaml"):
        assert anonymous.get(url, follow_redirects=False).status_code == 303, url
    for method, url in (
        ("GET", f"/api/v1/cases/{case_id}"),
        ("GET", "/api/v1/cases"),
        ("GET", f"/api/v1/cases/{case_id}/report.html"),
        ("GET", f"/api/v1/cases/{case_id}/report.pdf"),
    ):
        response = anonymous.request(method, url)
        assert response.status_code == 401, url
        assert "security-case" not in response.text
    anonymous.get("/login")  # a CSRF cookie, so that only the missing sign-in is refused
    anonymous.headers["X-CSRF-Token"] = anonymous.cookies.get("mgpn_csrf", "")
    changed = anonymous.put(
        f"/api/v1/cases/{case_id}", json={**CASE, "id": "hijacked"}, headers={"If-Match": '"1"'}
    )
    assert changed.status_code == 401
    form = anonymous.post(f"/cases/{case_id}", data={"id": "hijacked", "base_version": "1"})
    assert form.status_code == 401
    htmx = anonymous.post("/ui/assess", data={}, headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"] == "/login"
    versions = alice.get(f"/api/v1/cases/{case_id}").json()["versions"]
    assert [v["version"] for v in versions] == [1]


def test_wrong_passwords_and_unknown_names_are_refused_alike(anonymous: TestClient) -> None:
    anonymous.get("/login")
    token = anonymous.cookies["mgpn_csrf"]
    answers = [
        anonymous.post(
            "/login",
            data={"username": name, "password": pw, "csrf_token": token},
            follow_redirects=False,
        )
        for name, pw in (("alice", "wrong password!"), ("nobody", PASSWORD))
    ]
    assert [a.status_code for a in answers] == [401, 401]
    assert answers[0].text.count("wrong") == answers[1].text.count("wrong")
    assert "mgpn_session" not in anonymous.cookies


def test_sign_in_sets_a_private_session_cookie_and_sign_out_ends_it(
    auth_app: Any, alice: TestClient
) -> None:
    token = alice.cookies["mgpn_session"]
    assert alice.get("/").status_code == 200
    assert "Signed in as alice" in alice.get("/").text
    with auth_app.state.engine.connect() as conn:
        stored = conn.execute(text("SELECT id FROM user_sessions")).scalars().all()
        hashes = conn.execute(text("SELECT password_hash FROM users")).scalars().all()
    assert token not in stored  # only the token's hash is kept
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)
    out = alice.post("/logout", follow_redirects=False)
    assert out.status_code == 303
    with TestClient(auth_app, base_url=BASE_URL) as replay:
        replay.cookies.set("mgpn_session", token)
        assert replay.get("/", follow_redirects=False).status_code == 303


def test_the_session_cookie_flags(auth_app: Any) -> None:
    with TestClient(auth_app, base_url=BASE_URL) as browser:
        browser.get("/login")
        response = browser.post(
            "/login",
            data={
                "username": "alice",
                "password": PASSWORD,
                "csrf_token": browser.cookies["mgpn_csrf"],
            },
            follow_redirects=False,
        )
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("mgpn_session="))
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Path=/" in session
    csrf = next(c for c in cookies if c.startswith("mgpn_csrf="))
    assert "HttpOnly" in csrf and "SameSite=Strict" in csrf


def test_secure_cookies_beyond_loopback_use_host_prefixed_names(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 's.sqlite3'}",
        auth_required=True,
        bind_host="0.0.0.0",
        allowed_hosts=("mgpn.example",),
    )
    app = create_app(settings)
    with TestClient(app, base_url="https://mgpn.example") as browser:
        page = browser.get("/login")
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("__Host-mgpn_csrf=") and "; Secure" in cookie
    assert page.headers["strict-transport-security"].startswith("max-age=")


def test_removing_a_user_ends_their_sessions(auth_app: Any, alice: TestClient) -> None:
    assert alice.get("/").status_code == 200
    auth_app.state.accounts.remove_user("alice")
    assert alice.get("/", follow_redirects=False).status_code == 303


def test_after_sign_in_only_local_paths_are_followed(anonymous: TestClient) -> None:
    anonymous.get("/login")
    for target, expected in (
        ("/cases/new", "/cases/new"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil", "/"),
    ):
        response = anonymous.post(
            "/login",
            data={
                "username": "bob",
                "password": PASSWORD,
                "csrf_token": anonymous.cookies["mgpn_csrf"],
                "next": target,
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == expected, target


# --- CSRF ----------------------------------------------------------------------------


def test_cross_site_form_posts_are_refused(client: TestClient) -> None:
    """A page on another site posts the case form: with or without our cookie, refused."""
    bare = TestClient(client.app, base_url=BASE_URL)
    forged = {"id": "forged", "paraprotein.isotype": "IgM"}
    for headers in (
        {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "null"},
        {},
    ):
        for url in ("/cases", "/cases/upload", "/ui/assess"):
            response = bare.post(url, data=forged, headers=headers, follow_redirects=False)
            assert response.status_code == 403, (url, headers)
            assert "Nothing was changed" in response.text
    # with a valid token but from another site (the browser says so): still refused
    response = client.post(
        "/cases",
        data=forged,
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert client.get("/api/v1/cases").json()["cases"] == []


def test_the_pages_forms_carry_the_token_and_htmx_sends_it(client: TestClient) -> None:
    page = client.get("/cases/new").text
    token = _token(page)
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in page
    bare = TestClient(client.app, base_url=BASE_URL, cookies={"mgpn_csrf": token})
    assert bare.post("/ui/assess", data={}, headers={"X-CSRF-Token": token}).status_code == 200
    assert bare.post("/ui/assess", data={"csrf_token": token}).status_code == 200
    assert bare.post("/ui/assess", data={"csrf_token": "x" * 43}).status_code == 403
    saved = bare.post("/cases", data={"id": "ok", "csrf_token": token}, follow_redirects=False)
    assert saved.status_code == 303


def test_the_json_api_takes_json_only(client: TestClient) -> None:
    """A cross-site page can send text/plain or no content type without a preflight."""
    body = '{"format": "mgpn-case/1", "id": "plain"}'
    bare = TestClient(client.app, base_url=BASE_URL)
    for headers in ({"Content-Type": "text/plain"}, {}):
        response = bare.post("/api/v1/cases", content=body, headers=headers)
        assert response.status_code in (403, 415), headers
    assert (
        bare.post(
            "/api/v1/cases", content=body, headers={"Content-Type": "application/json"}
        ).status_code
        == 201
    )


def test_a_signed_in_browser_needs_the_token_for_the_api_too(alice: TestClient) -> None:
    token = alice.headers.pop("X-CSRF-Token")
    assert alice.post("/api/v1/cases", json=CASE).status_code == 403
    assert (
        alice.post("/api/v1/cases", json=CASE, headers={"X-CSRF-Token": token}).status_code == 201
    )


# --- Host, size, headers ----------------------------------------------------------------


def test_other_host_names_are_refused_dns_rebinding(client: TestClient) -> None:
    client.post("/api/v1/cases", json=CASE)
    for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example"):
        response = client.get("/api/v1/cases", headers={"Host": host})
        assert response.status_code == 400, host
        assert "security-case" not in response.text
    for host in ("127.0.0.1:8000", "localhost", "[::1]:8000"):
        assert client.get("/api/v1/cases", headers={"Host": host}).status_code == 200, host


def test_bodies_over_the_limit_are_refused(tmp_path: Path) -> None:
    app = create_app(
        Settings(database_url=f"sqlite:///{tmp_path / 'l.sqlite3'}", max_body_bytes=4096)
    )
    with TestClient(app, base_url=BASE_URL) as small:
        big = {**CASE, "id": "x" * 5000}
        declared = small.post("/api/v1/cases", json=big)
        assert declared.status_code == 413
        assert declared.json()["detail"].startswith("At most 4096 bytes")

        def chunks() -> Any:  # no Content-Length: counted as it streams
            for _ in range(10):
                yield b"a" * 1000

        streamed = small.post(
            "/api/v1/cases", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert streamed.status_code == 413
        page = small.post("/cases/upload", files={"file": ("x.yaml", b"a" * 5000)})
        assert page.status_code == 413 and "<html" in page.text
        assert small.get("/api/v1/cases").json()["cases"] == []


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for url in ("/", "/cases/new", "/api/v1/cases", "/cases/nope", "/static/app.css", "/docs"):
        headers = client.get(url).headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp, url
        assert "script-src 'self'" in csp and "unsafe-inline' ;" not in csp, url
        script = re.search(r"script-src ([^;]+)", csp)
        assert script and "unsafe" not in script.group(1), url
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
    assert client.get("/").headers["cache-control"] == "no-store"


def test_no_page_has_inline_script_or_event_handlers(client: TestClient) -> None:
    saved = client.post("/api/v1/cases", json=CASE).json()
    pages = [client.get(u).text for u in ("/", "/cases/new", f"/cases/{saved['id']}", "/docs")]
    pages.append(client.get(f"/api/v1/cases/{saved['id']}/report.html").text)
    for page in pages:
        for script in re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S):
            assert "src=" in script[0] and not script[1].strip()
        assert not re.search(r"\son[a-z]+\s*=", page)
        assert "javascript:" not in page


# --- exempt prefixes (CDS Hooks) ------------------------------------------------------


def test_exempt_prefixes_skip_sign_in_and_csrf_but_nothing_else(tmp_path: Path) -> None:
    app = create_app(
        Settings(database_url=f"sqlite:///{tmp_path / 'cds.sqlite3'}", auth_required=True)
    )
    # The real CDS Hooks router owns POST /cds-services/{service_id}; a two-segment path
    # under the same exempt prefix reaches the stand-in instead.
    dummy = APIRouter(prefix="/cds-services")

    @dummy.post("/dummy/check")
    def dummy_service() -> dict[str, str]:  # stands for a service that checks its own JWT
        return {"ok": "yes"}

    app.include_router(dummy)
    with TestClient(app, base_url=BASE_URL) as ehr:
        assert ehr.post("/cds-services/dummy/check", json={}).json() == {"ok": "yes"}
        assert ehr.post("/cds-services-evil/x", json={}).status_code == 401
        assert ehr.post("/api/v1/cases", json=CASE).status_code == 401
        assert (
            ehr.post(
                "/cds-services/dummy/check", json={}, headers={"Host": "evil.example"}
            ).status_code
            == 400
        )


@pytest.mark.parametrize("prefix", ["/", "/api", "/cases", "/c", "no-slash"])
def test_exempting_the_apps_own_paths_is_refused(tmp_path: Path, prefix: str) -> None:
    from mgpn.errors import SettingsError

    with pytest.raises(SettingsError):
        Settings(database_url="sqlite://", exempt_prefixes=(prefix,))


# --- audit log and the application log -----------------------------------------------


def test_views_and_changes_are_in_the_audit_log_and_no_value_in_the_server_log(
    auth_app: Any, alice: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    marker = "Zebedee-Quarrington"
    case_id = alice.post("/api/v1/cases", json={**CASE, "id": marker}).json()["id"]
    alice.get(f"/cases/{case_id}")
    alice.put(f"/api/v1/cases/{case_id}", json=CASE, headers={"If-Match": '"1"'})
    alice.get(f"/api/v1/cases/{case_id}/report.html?version=2")
    events = auth_app.state.store.audit_events(case_id)
    seen = [(e.username, e.action, e.version) for e in reversed(events)]
    assert seen == [
        ("alice", "create", 1),
        ("alice", "view", 1),
        ("alice", "update", 2),
        ("alice", "report", 2),
    ]
    with auth_app.state.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM audit_events")).all()
    assert marker not in repr(rows)
    assert marker not in caplog.text


def test_the_sqlite_file_and_folder_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "new-folder"
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'cases.sqlite3'}"))
    with TestClient(app, base_url=BASE_URL) as browser:
        browser.post("/api/v1/cases", json=CASE)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    with app.state.engine.connect() as conn:
        pragmas = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 30000,
        "synchronous": 2,
    }


def test_an_existing_world_readable_file_is_made_private(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    db.touch(mode=0o644)
    db.chmod(0o644)
    create_app(Settings(database_url=f"sqlite:///{db}"))
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_sign_in_helper_is_the_real_form(auth_app: Any) -> None:
    with TestClient(auth_app, base_url=BASE_URL) as browser:
        page = browser.get("/login")
        assert 'name="csrf_token"' in page.text
        sign_in(browser, "bob")
        assert "Signed in as bob" in browser.get("/").text


def test_the_deployed_settings_accept_only_loopback_and_configured_hosts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mgpn.web.settings import settings_from_env

    monkeypatch.delenv("MGPN_ALLOWED_HOSTS", raising=False)
    monkeypatch.delenv("MGPN_AUTH", raising=False)
    deployed = settings_from_env("sqlite://")
    assert set(deployed.allowed_hosts) == {"127.0.0.1", "localhost", "::1"}
    assert deployed.auth_required is True
    monkeypatch.setenv("MGPN_ALLOWED_HOSTS", "mgpn.hospital.example, mgpn")
    named = settings_from_env("sqlite://", bind_host="10.1.2.3")
    assert {"mgpn.hospital.example", "mgpn", "10.1.2.3"} <= set(named.allowed_hosts)
    assert "testserver" not in named.allowed_hosts


def test_password_guessing_is_stopped_after_ten_failures(anonymous: TestClient) -> None:
    from mgpn.web.routers.auth import MAX_FAILURES

    anonymous.get("/login")
    token = anonymous.cookies["mgpn_csrf"]

    def attempt(password: str) -> int:
        form = {"username": "alice", "password": password, "csrf_token": token}
        return anonymous.post("/login", data=form, follow_redirects=False).status_code

    assert [attempt(f"guess number {i}") for i in range(MAX_FAILURES)] == [401] * MAX_FAILURES
    assert attempt(PASSWORD) == 429  # even the right password, until the window has passed
    assert "mgpn_session" not in anonymous.cookies

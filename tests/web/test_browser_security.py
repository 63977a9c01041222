"""In headless Chromium: the CSP breaks nothing, sign-in works, a stale save shows the conflict.

Debian's /usr/bin/chromium through Playwright (no browser download), against the real app
under uvicorn on 127.0.0.1.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from tests.web.helpers import PASSWORD
from tests.web.live_server import free_port

from mgpn.web.main import create_app
from mgpn.web.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]

CASE: dict[str, Any] = {
    "format": "mgpn-case/1",
    "id": "browser-security",
    "paraprotein": {"isotype": "IgM"},
    "neuropathy": {"present": True},
}


def _serve(settings: Settings) -> Iterator[tuple[str, Any]]:
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", app
    server.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    db = tmp_path_factory.mktemp("open") / "cases.sqlite3"
    yield from _serve(Settings(database_url=f"sqlite:///{db}"))


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    db = tmp_path_factory.mktemp("auth") / "cases.sqlite3"
    settings = Settings(database_url=f"sqlite:///{db}", auth_required=True)
    for url, app in _serve(settings):
        app.state.accounts.add_user("clinician", PASSWORD, "Dr Clinician")
        yield url, app


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        yield launched
        launched.close()


def _watch_csp(page: Any) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return violations


def test_no_page_violates_its_content_security_policy(
    open_server: tuple[str, Any], browser: Any
) -> None:
    from playwright.sync_api import expect

    url, _ = open_server
    case_id = httpx.post(f"{url}/api/v1/cases", json=CASE).json()["id"]
    page = browser.new_page()
    violations = _watch_csp(page)
    for path in ("/", f"/cases/{case_id}", f"/api/v1/cases/{case_id}/report.html", "/docs"):
        page.goto(url + path)
    expect(page.locator(".opblock").first).to_be_visible()  # Swagger UI started (no inline JS)
    page.goto(f"{url}/cases/new")
    page.locator("#f-paraprotein-isotype").select_option("IgM")
    # yes/no findings are radio buttons in a fieldset since the one-click form
    page.locator("#f-neuropathy-present").get_by_label("yes", exact=True).check()
    expect(page.locator("#assessment .leading-label").first).to_be_visible()  # HTMX ran
    page.close()
    assert violations == []


def test_a_stale_save_in_the_browser_shows_the_conflict_and_offers_the_latest(
    open_server: tuple[str, Any], browser: Any
) -> None:
    from playwright.sync_api import expect

    url, _ = open_server
    case_id = httpx.post(f"{url}/api/v1/cases", json=CASE).json()["id"]
    page = browser.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{url}/cases/{case_id}")
    # meanwhile a colleague saves version 2
    other = httpx.put(
        f"{url}/api/v1/cases/{case_id}",
        json={**CASE, "id": "colleague"},
        headers={"If-Match": '"1"'},
    )
    assert other.status_code == 200
    page.locator("#f-id").fill("mine")
    with page.expect_response(f"{url}/cases/{case_id}") as answer:
        page.locator("#save").click()
    assert answer.value.status == 409
    expect(page.locator("#version-conflict")).to_contain_text("someone saved a newer version")
    expect(page.locator("#f-id")).to_have_value("mine")  # the user's entry is still there
    page.locator("#reload-latest").click()
    expect(page.locator("h1")).to_contain_text("version 2")
    expect(page.locator("#f-id")).to_have_value("colleague")
    page.goto(f"{url}/cases/{case_id}?version=1")
    expect(page.locator("#not-latest")).to_contain_text("This is not the latest version")
    page.close()


def test_sign_in_then_work_then_sign_out(auth_server: tuple[str, Any], browser: Any) -> None:
    from playwright.sync_api import expect

    url, _ = auth_server
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = _watch_csp(page)
    page.goto(f"{url}/cases/new")
    assert "/login?next=" in page.url
    page.get_by_label("User name").fill("clinician")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".issues")).to_contain_text("wrong")
    page.get_by_label("User name").fill("clinician")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/cases/new")
    expect(page.locator(".user")).to_contain_text("Dr Clinician")
    # the case name sits in a section collapsed on a new case: open it as a user would
    page.locator("details.section:has(#f-id) > summary").click()
    page.locator("#f-id").fill("signed-in-case")
    page.locator("#f-paraprotein-isotype").select_option("IgM")
    expect(page.locator("#assessment .leading-label").first).to_be_visible()  # HTMX + CSRF
    page.locator("#save").click()
    page.wait_for_url(f"{url}/cases/*")
    expect(page.locator("h1")).to_contain_text("signed-in-case")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{url}/login")
    page.goto(f"{url}/")
    assert "/login" in page.url
    context.close()
    assert violations == []

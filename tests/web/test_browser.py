"""End to end in headless Chromium (Debian's /usr/bin/chromium; Playwright downloads nothing).

A clinician enters a typical anti-MAG case by hand, watches the differential follow,
saves, reloads, finds the case in the list and downloads its PDF. What the page must
show is computed by the real engine from the same findings, not written here.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from mgpn.case import parse_case
from mgpn.engine import evaluate
from mgpn.web.main import create_app
from mgpn.web.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]

# What the clinician enters, section by section: (fieldset id, label, value).
ENTRIES: list[tuple[str, str, str]] = [
    ("section-case", "id", "pw-anti-mag"),
    ("section-patient", "age (a)", "71"),
    ("section-patient", "sex", "male"),
    ("section-paraprotein", "isotype", "IgM"),
    ("section-paraprotein", "light chain", "kappa"),
    ("section-paraprotein", "m spike (g/dL)", "0.6"),
    ("section-paraprotein", "clone", "MGUS"),
    ("section-neuropathy", "present", "yes"),
    ("section-neuropathy", "course", "chronic progressive"),
    ("section-neuropathy", "symmetry", "symmetric"),
    ("section-neuropathy", "distribution", "length dependent"),
    ("section-neuropathy", "sensory loss", "yes"),
    ("section-neuropathy", "large fiber sensory loss", "yes"),
    ("section-neuropathy", "sensory ataxia", "yes"),
    ("section-neuropathy", "tremor", "yes"),
    ("section-neuropathy", "weakness", "distal"),
    ("section-neuropathy", "reflexes", "absent"),
    ("section-electrodiagnosis", "performed", "yes"),
    ("section-electrodiagnosis", "pattern", "demyelinating"),
    ("section-electrodiagnosis", "disproportionate distal latency", "yes"),
    ("section-history", "diabetes", "no"),
    ("section-function", "mrs", "2"),
    ("section-function", "progressing", "yes"),
]
ANTI_MAG = ("section-antibodies", "anti mag (BTU)", "70000")
ANTI_MAG_STATUS = '#assessment [data-syndrome="anti_mag"] .status'

# The same findings as a case file, to ask the engine what the page should show.
CASE: dict[str, Any] = {
    "format": "mgpn-case/1",
    "id": "pw-anti-mag",
    "patient": {"age": 71, "sex": "male"},
    "paraprotein": {"isotype": "IgM", "light_chain": "kappa", "m_spike": "0.6 g/dL", "clone": "MGUS"},
    "neuropathy": {
        "present": True, "course": "chronic_progressive", "symmetry": "symmetric",
        "distribution": "length_dependent", "sensory_loss": True, "large_fiber_sensory_loss": True,
        "sensory_ataxia": True, "tremor": True, "weakness": "distal", "reflexes": "absent",
    },
    "electrodiagnosis": {"performed": True, "pattern": "demyelinating",
                         "disproportionate_distal_latency": True},
    "history": {"diabetes": False},
    "function": {"mrs": 2, "progressing": True},
}  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app under uvicorn on 127.0.0.1 and a free port, with a temporary SQLite file."""
    db = tmp_path_factory.mktemp("browser") / "cases.sqlite3"
    app = create_app(Settings(database_url=f"sqlite:///{db}"))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        yield browser
        browser.close()


def _enter(page: Any, section: str, label: str, value: str) -> None:
    control = page.locator(f"#{section}").get_by_label(label, exact=True)
    if control.evaluate("e => e.tagName") == "SELECT":
        control.select_option(label=value)
    else:
        control.fill(value)


def _first_syndrome(page: Any) -> str:
    return str(page.locator("#assessment .syndrome-label").first.text_content()).strip()


def _expected(case: dict[str, Any]) -> tuple[str, str]:
    """The engine's first syndrome and its anti-MAG status for these findings."""
    assessment = evaluate(parse_case(case, source="browser test"))
    first = min(assessment.syndromes, key=lambda s: s.rank).label
    return first, assessment.syndrome("anti_mag").status


def test_a_clinician_enters_saves_reopens_and_prints_an_anti_mag_case(
    server: str, browser: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1366, "height": 800}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{server}/cases/new")
    expect(page.locator("#assessment")).to_contain_text("Enter what you know")

    for section, label, value in ENTRIES:
        _enter(page, section, label, value)
    before, before_status = _expected(CASE)
    expect(page.locator("#assessment .syndrome-label").first).to_have_text(before)
    expect(page.locator(ANTI_MAG_STATUS)).to_have_text(before_status)

    # The anti-MAG titre, censored as the laboratory reports it.
    section, label, value = ANTI_MAG
    page.locator(f"#{section}").get_by_label("anti mag: censoring").select_option(">")
    _enter(page, section, label, value)
    page.locator(f"#{section}").get_by_label("anti mag: unit").select_option("BTU")
    with_anti_mag = {**CASE, "antibodies": {"anti_mag": ">70000 BTU"}}
    after, after_status = _expected(with_anti_mag)
    expect(page.locator("#assessment .syndrome-label").first).to_have_text(after)
    expect(page.locator(ANTI_MAG_STATUS)).to_have_text(after_status)
    assert "Anti-MAG" in after
    assert after_status != before_status  # the titre changed what the page says

    page.get_by_role("button", name="Save case").click()
    page.wait_for_url(f"{server}/cases/*")
    case_url = page.url
    page.reload()
    expect(page.locator("h1")).to_contain_text("pw-anti-mag")
    expect(page.locator("#f-antibodies-anti_mag")).to_have_value("70000")
    expect(page.locator("#f-antibodies-anti_mag-cmp")).to_have_value(">")
    expect(page.locator("#f-neuropathy-tremor")).to_have_value("true")
    expect(page.locator("#f-neuropathy-atrophy")).to_have_value("")  # never entered: unknown
    assert _first_syndrome(page) == after

    page.goto(f"{server}/")
    page.get_by_role("link", name="pw-anti-mag").click()
    page.wait_for_url(case_url)

    with page.expect_download() as download_info:
        page.locator("#report-pdf").click()
    target = tmp_path / "report.pdf"
    download_info.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF-")
    context.close()


def test_keyboard_order_and_layouts_for_laptop_and_tablet(server: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 800})
    page = context.new_page()
    page.goto(f"{server}/cases/new")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.locator("#f-patient-age").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-patient-sex"

    form = page.locator(".form-column").bounding_box()
    panel = page.locator(".assessment-column").bounding_box()
    assert panel["x"] > form["x"] + form["width"] - 1  # side by side on a laptop

    page.set_viewport_size({"width": 800, "height": 1100})
    form = page.locator(".form-column").bounding_box()
    panel = page.locator(".assessment-column").bounding_box()
    assert panel["y"] >= form["y"] + form["height"] - 1  # stacked on a tablet
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 800  # nothing wider than the screen
    context.close()


def test_pages_load_nothing_from_outside_the_server(server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    context = browser.new_context()
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for path in ("/", "/cases/new", "/docs"):
        page.goto(f"{server}{path}")
    expect(page.locator(".opblock").first).to_be_visible()  # Swagger UI ran from vendored files
    outside = [u for u in requested if not u.startswith((server, "data:"))]
    assert outside == []
    assert any(u.endswith("/static/vendor/htmx/htmx.min.js") for u in requested)
    context.close()

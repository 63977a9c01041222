"""End to end in headless Chromium (Debian's /usr/bin/chromium; Playwright downloads nothing).

A clinician enters a typical anti-MAG case by hand at laptop (1440 px) and tablet
(768 px) width with the bottom line in view, counts the clicks, saves, reloads and
downloads the PDF. What the page must
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
from mgpn.report.language import status_words
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

# The typical anti-MAG case as a clinician enters it, in the form's order (the work-up):
# (field path, value as shown). Sections that hold these fields are open on a new case.
ENTRIES: list[tuple[str, str]] = [
    ("paraprotein.isotype", "IgM"),
    ("neuropathy.present", "yes"),
    ("neuropathy.course", "chronic progressive"),
    ("neuropathy.symmetry", "symmetric"),
    ("neuropathy.distribution", "length dependent"),
    ("neuropathy.sensory_ataxia", "yes"),
    ("history.diabetes", "no"),
    ("electrodiagnosis.pattern", "demyelinating"),
    ("electrodiagnosis.disproportionate_distal_latency", "yes"),
    ("function.mrs", "2"),
]
ANTI_MAG = ("antibodies.anti_mag", ">70000")  # typed as the laboratory reports it
ANTI_MAG_STATUS = '#assessment .bottom-line [data-syndrome="anti_mag"] .status'
OLD_CLICKS = 21  # issue 12: 12 fields and 21 clicks before this form

# The same findings as a case file, to ask the engine what the page should show.
CASE: dict[str, Any] = {
    "format": "mgpn-case/1",
    "paraprotein": {"isotype": "IgM"},
    "neuropathy": {"present": True, "course": "chronic_progressive", "symmetry": "symmetric",
                   "distribution": "length_dependent", "sensory_ataxia": True},
    "history": {"diabetes": False},
    "electrodiagnosis": {"pattern": "demyelinating", "disproportionate_distal_latency": True},
    "function": {"mrs": 2},
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


def _dom_id(path: str) -> str:
    return "f-" + path.replace(".", "-")


class Actions:
    """What a user does: a click on a radio button or a button is 1 click, a drop-down 2
    (open, pick), a text field 1 click plus typing."""

    def __init__(self) -> None:
        self.clicks = 0
        self.fields = 0


def _enter(page: Any, path: str, value: str, actions: Actions) -> None:
    control = page.locator(f"#{_dom_id(path)}")
    tag = control.evaluate("e => e.tagName")
    actions.fields += 1
    if tag == "FIELDSET":  # radio buttons: one click on the choice
        control.get_by_label(value, exact=True).check()
        actions.clicks += 1
    elif tag == "SELECT":
        control.select_option(label=value)
        actions.clicks += 2
    else:
        control.fill(value)
        actions.clicks += 1


def _expected(case: dict[str, Any]) -> tuple[str, str]:
    """The engine's leading syndrome and its anti-MAG status for these findings."""
    assessment = evaluate(parse_case(case, source="browser test"))
    first = min(assessment.syndromes, key=lambda s: s.rank).label
    return first, assessment.syndrome("anti_mag").status


def _in_view(page: Any, selector: str) -> dict[str, float]:
    """The element's box; asserts that it starts inside the viewport (above the fold)."""
    box = page.locator(selector).first.bounding_box()
    viewport = page.viewport_size
    assert box is not None, selector
    assert 0 <= box["y"] < viewport["height"], (selector, box, viewport)
    return dict(box)


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (768, 1024)])
def test_a_clinician_enters_the_typical_anti_mag_case_with_the_summary_in_view(
    server: str, browser: Any, width: int, height: int
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{server}/cases/new")
    expect(page.locator("#assessment")).to_contain_text("Enter what you know")

    actions = Actions()
    for path, value in ENTRIES:
        _enter(page, path, value, actions)
    before, before_status = _expected(CASE)
    expect(page.locator("#assessment .leading-label").first).to_have_text(before)

    path, value = ANTI_MAG
    _enter(page, path, value, actions)
    after, after_status = _expected({**CASE, "antibodies": {"anti_mag": ">70000 BTU"}})
    assert "Anti-MAG" in after and after_status != before_status
    expect(page.locator("#assessment .leading-label").first).to_have_text(after)
    expect(page.locator(ANTI_MAG_STATUS)).to_have_text(status_words("syndrome", after_status))

    # While the focus is still in the form, the bottom line is on screen.
    if width >= 1000:
        box = _in_view(page, "#assessment .bottom-line")
        indication = page.locator("#assessment .bottom-line .indication").bounding_box()
        assert indication is not None and indication["y"] + indication["height"] <= height
    else:
        bar = page.locator("#summary-bar")
        expect(bar).to_contain_text(after)
        expect(bar).to_contain_text("Treatment:")
        box = _in_view(page, "#summary-bar")
    # Everything else is collapsed under the summary.
    assert page.locator("#full-assessment").get_attribute("open") is None
    # The live region announces the summary only, not the whole panel.
    live = page.locator("[aria-live]")
    assert live.count() == 1
    announced = str(live.first.text_content())
    assert after in announced and len(announced) < 600

    actions.clicks += 1  # save
    page.get_by_role("button", name="Save case").click()
    page.wait_for_url(f"{server}/cases/*")
    page.reload()
    expect(page.locator("#f-antibodies-anti_mag")).to_have_value("70000")
    expect(page.locator("#f-antibodies-anti_mag-cmp")).to_have_value(">")
    expect(page.locator("#f-neuropathy-sensory_ataxia-1")).to_be_checked()
    expect(page.locator("#f-neuropathy-tremor-unknown")).to_be_checked()  # never entered
    assert actions.fields == len(ENTRIES) + 1
    assert actions.clicks <= OLD_CLICKS - 5, actions.clicks
    print(
        f"\nbrowser {width}x{height}: summary box x={box['x']:.0f} y={box['y']:.0f} "
        f"w={box['width']:.0f} h={box['height']:.0f}; {actions.fields} fields, "
        f"{actions.clicks} clicks incl. save (was 12 fields, {OLD_CLICKS} clicks)"
    )
    if width >= 1000:
        # The printable report opens from the page (its PDF is checked page by page in
        # tests/report; rendering it here would only time the shared CPU).
        assert "/report.pdf" in str(page.locator("#report-pdf").get_attribute("href"))
        page.locator("#report-html").click()
        expect(page.locator(".bottom-line .leading-label").first).to_have_text(after)
    context.close()


def test_what_would_change_it_jumps_to_the_field(server: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{server}/cases/new")
    actions = Actions()
    for path, value in ENTRIES[:6]:  # IgM and the phenotype, no titre yet
        _enter(page, path, value, actions)
    link = page.locator("#assessment .would-change .field-link").first
    link.wait_for()
    target = str(link.get_attribute("href")).lstrip("#")
    link.click()
    assert page.evaluate("document.activeElement.id") == target
    # The fields that decide the differential are marked (and offered first in their section).
    wrapper = page.locator(f".field:has(#{target})").first
    assert "decides" in str(wrapper.get_attribute("class"))
    context.close()


def _contrast(a: str, b: str) -> float:
    def luminance(color: str) -> float:
        parts = color[color.index("(") + 1 : color.index(")")].split(",")[:3]
        channels = [int(float(x)) / 255 for x in parts]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_focus_rings_meet_the_contrast_minimum(server: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/cases/new")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Tab")
    style, width, color = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement); "
        "return [s.outlineStyle, s.outlineWidth, s.outlineColor]; })()"
    )
    assert style == "solid" and float(width.rstrip("px")) >= 2
    assert _contrast(color, "rgb(255, 255, 255)") >= 3.0  # WCAG 2.2 non-text contrast
    context.close()


def test_layouts_for_laptop_and_tablet(server: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/cases/new")
    form = page.locator(".form-column").bounding_box()
    panel = page.locator(".assessment-column").bounding_box()
    assert panel["x"] > form["x"] + form["width"] - 1  # side by side on a laptop
    assert not page.locator("#summary-bar").is_visible()  # the panel itself stays in view

    page.set_viewport_size({"width": 768, "height": 1024})
    form = page.locator(".form-column").bounding_box()
    panel = page.locator(".assessment-column").bounding_box()
    assert panel["y"] >= form["y"] + form["height"] - 1  # stacked on a tablet
    assert page.locator("#summary-bar").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 768  # nothing wider than the screen
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

"""The printed report, page by page (poppler's pdftoppm and pdftotext from Debian's poppler-utils).

Page 1 holds the bottom line; no page is empty (only a footer); nothing runs into the
left or right margin. The case with follow-up visits is the one that used to print
nearly blank first pages.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from mgpn.case import dump_case, load_case
from mgpn.engine import evaluate
from mgpn.report import build_view, render_pdf
from mgpn.report.outcomes import outcomes_view
from mgpn.report.summary import build_summary
from mgpn.report.view import ReportDetails

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "mgpn" / "examples"
A4_MM = (210.0, 297.0)
SIDE_MARGIN_MM = 14.0  # report.css @page margin, left and right
TOP_MM, BOTTOM_MM = 16.0, 22.0

pytestmark = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils is not installed (scripts/ci-services.sh installs it)",
)


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], object]:
    case = load_case(EXAMPLES / "anti-mag-follow-up.yaml")
    assert case.visits, "the example must have follow-up visits"
    assessment = evaluate(case)
    view = build_view(
        assessment,
        dump_case(case),
        assessed_at=datetime(2026, 5, 4, 10, 30, tzinfo=UTC),
        outcomes=outcomes_view(case),
        details=ReportDetails(patient_name="Test Patient", record_number="R-1", author="Dr A"),
    )
    folder = tmp_path_factory.mktemp("pdf")
    pdf = folder / "report.pdf"
    pdf.write_bytes(render_pdf(view))
    subprocess.run(["pdftoppm", "-r", "40", "-gray", "-png", str(pdf), str(folder / "page")],
                   check=True, timeout=120)  # fmt: skip
    pages = sorted(folder.glob("page-*.png"))
    return pdf, pages, build_summary(assessment)


def _page_text(pdf: Path, number: int) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(pdf), "-"],
        check=True, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    return " ".join(out.stdout.split())


def _ink(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    """Dark pixels inside ``box`` (left, top, right, bottom)."""
    return sum(image.convert("L").crop(box).histogram()[:200])


def test_page_one_holds_the_summary(printed: tuple[Path, list[Path], object]) -> None:
    pdf, _pages, summary = printed
    first = _page_text(pdf, 1)
    assert "Bottom line" in first
    assert summary.leading[0].label in first  # type: ignore[attr-defined]
    assert summary.indication.words in first  # type: ignore[attr-defined]
    assert "Test Patient" in first and "R-1" in first
    assert "does not replace" in first


def test_no_page_is_empty(printed: tuple[Path, list[Path], object]) -> None:
    _, pages, _ = printed
    assert pages
    for number, path in enumerate(pages, start=1):
        with Image.open(path) as image:
            width, height = image.size
            top = int(height * TOP_MM / A4_MM[1])
            bottom = int(height * (1 - BOTTOM_MM / A4_MM[1]))
            body = _ink(image, (0, top, width, bottom))
            assert body > width * 2, f"page {number} of {len(pages)} has no body text"


def test_nothing_runs_past_the_side_margins(printed: tuple[Path, list[Path], object]) -> None:
    _, pages, _ = printed
    for number, path in enumerate(pages, start=1):
        with Image.open(path) as image:
            width, height = image.size
            strip = int(width * (SIDE_MARGIN_MM - 2) / A4_MM[0])  # 2 mm of tolerance
            left = _ink(image, (0, 0, strip, height))
            right = _ink(image, (width - strip, 0, width, height))
            assert left == 0 and right == 0, f"page {number}: ink in the margin ({left}, {right})"


def test_page_count_is_reported(printed: tuple[Path, list[Path], object]) -> None:
    _, pages, _ = printed
    print(f"\nreport with follow-up: {len(pages)} pages")
    assert 1 <= len(pages) <= 12

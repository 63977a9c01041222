"""HTML and PDF renderers: the same content, the disclaimer, the version and the date."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from weasyprint import HTML

from mgpn.assessment import Assessment
from mgpn.report import OutcomeRow, OutcomesView, build_view, render_html, render_pdf

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


def test_html_report_has_every_part(
    assessment: Assessment, case_data: dict[str, Any], assessed_at: datetime
) -> None:
    html = render_html(build_view(assessment, case_data, assessed_at=assessed_at))
    for text in (
        "Decision support only: it supports, and does not replace, clinical judgment.",
        "9.9-test",
        "2026-05-04 10:30 UTC",
        "Case summary",
        "Anti-MAG neuropathy",
        "MYD88 L265P",
        "rituximab",
        "IgM flare",
        "Author A. A review. J Neurol 2020.",
    ):
        assert text in html, text
    assert '<a href="https://doi.org/10.1/review"' in html
    # short citations in the text, full ones at the end; the review named like any paper
    assert '<a href="#ref-seed-10">Sarosiek, Doughty, Castillo 2025, ref. 10</a>' in html
    assert "seed:10" not in html.replace('id="ref-seed-10"', "").replace("#ref-seed-10", "")
    assert (
        html.index('class="bottom-line"') < html.index("Case summary") < html.index("Differential")
    )
    assert html.index("Anti-MAG neuropathy") < html.index("Coincidental")


def test_html_escapes_engine_text(
    assessment: Assessment, case_data: dict[str, Any], assessed_at: datetime
) -> None:
    html = render_html(build_view(assessment, case_data, assessed_at=assessed_at))
    assert "Coincidental &lt;b&gt;gammopathy&lt;/b&gt;" in html
    assert "<b>gammopathy</b>" not in html


def test_outcomes_section_appears_only_with_visits(
    assessment: Assessment, case_data: dict[str, Any], assessed_at: datetime
) -> None:
    without = render_html(build_view(assessment, case_data, assessed_at=assessed_at))
    assert "Course over time" not in without
    outcomes = OutcomesView(
        svg=SVG,
        baseline="2024-01-10",
        latest="2025-01-15",
        rows=(OutcomeRow("INCAT", "4", "2", "-2", "improved"),),
        warnings=("IgM rose",),
    )
    html = render_html(
        build_view(assessment, case_data, assessed_at=assessed_at, outcomes=outcomes)
    )
    assert "Course over time (2024-01-10 to 2025-01-15)" in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert "IgM rose" in html


def test_pdf_is_a_real_document_with_the_report_text(
    assessment: Assessment, case_data: dict[str, Any], assessed_at: datetime
) -> None:
    outcomes = OutcomesView(svg=SVG, baseline=None, latest=None)
    view = build_view(assessment, case_data, assessed_at=assessed_at, outcomes=outcomes)
    pdf = render_pdf(view)
    assert pdf.startswith(b"%PDF-")
    assert b"%%EOF" in pdf[-1024:]
    # The same HTML laid out by WeasyPrint: read the text of its pages back.
    document = HTML(string=render_html(view)).render()
    assert len(document.pages) >= 1
    text = _page_text(document)
    assert "Anti-MAG neuropathy" in text
    assert "does not replace, clinical judgment" in text
    assert "9.9-test" in text


def test_every_pdf_page_carries_the_disclaimer_version_and_date(
    assessment: Assessment, case_data: dict[str, Any], assessed_at: datetime
) -> None:
    view = build_view(assessment, case_data, assessed_at=assessed_at)
    document = HTML(string=render_html(view)).render()
    assert len(document.pages) >= 2  # long enough to need more than one page
    date = view.generated_at.strftime("%Y-%m-%d")
    for number, page in enumerate(document.pages, start=1):
        margins = [b for b in page._page_box.children if type(b).__name__ == "MarginBox"]
        footer = " ".join(_texts(margins))
        assert "does not replace, clinical judgment" in footer, number
        assert "9.9-test" in footer and date in footer
        assert f"page {number} of {len(document.pages)}" in footer


def _texts(boxes: list[Any]) -> list[str]:
    parts: list[str] = []

    def walk(box: Any) -> None:
        if isinstance(getattr(box, "text", None), str):
            parts.append(box.text)
        for child in getattr(box, "children", []) or []:
            walk(child)

    for box in boxes:
        walk(box)
    return parts


def _page_text(document: Any) -> str:
    parts: list[str] = []

    def walk(box: Any) -> None:
        if hasattr(box, "text") and isinstance(box.text, str):
            parts.append(box.text)
        for child in getattr(box, "children", []) or []:
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return " ".join(parts)

"""Reports: one summary and one view model built from an assessment, and renderers.

>>> summary = build_summary(assessment)                                    # doctest: +SKIP
>>> view = build_view(assessment, dump_case(case), assessed_at=now)        # doctest: +SKIP
>>> render_html(view); render_pdf(view)                                     # doctest: +SKIP

The terminal and Markdown renderers are :mod:`mgpn.report.text` and
:mod:`mgpn.report.markdown`; words for clinicians come from :mod:`mgpn.report.language`.
"""

from typing import TYPE_CHECKING

from mgpn.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from mgpn.report.html import render_html
    from mgpn.report.pdf import render_pdf
    from mgpn.report.summary import Summary, build_summary
    from mgpn.report.view import OutcomeRow, OutcomesView, ReportDetails, ReportView, build_view

__all__ = [
    "OutcomeRow",
    "OutcomesView",
    "ReportDetails",
    "ReportView",
    "Summary",
    "build_summary",
    "build_view",
    "render_html",
    "render_pdf",
]

# Imported on first use: the terminal and Markdown renderers (sub-modules of this
# package) must not load Jinja2 and the PDF renderer with it.
_SOURCES: dict[str, str] = {
    "OutcomeRow": "mgpn.report.view",
    "OutcomesView": "mgpn.report.view",
    "ReportDetails": "mgpn.report.view",
    "ReportView": "mgpn.report.view",
    "build_view": "mgpn.report.view",
    "Summary": "mgpn.report.summary",
    "build_summary": "mgpn.report.summary",
    "render_html": "mgpn.report.html",
    "render_pdf": "mgpn.report.pdf",
}

__getattr__, __dir__ = lazy_exports(__name__, globals(), _SOURCES)

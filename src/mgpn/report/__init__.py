"""Reports: one view model built from an assessment, and renderers (HTML, PDF).

>>> view = build_view(assessment, dump_case(case), assessed_at=now)   # doctest: +SKIP
>>> render_html(view); render_pdf(view)                                 # doctest: +SKIP
"""

from mgpn.report.html import render_html
from mgpn.report.pdf import render_pdf
from mgpn.report.view import OutcomeRow, OutcomesView, ReportView, build_view

__all__ = ["OutcomeRow", "OutcomesView", "ReportView", "build_view", "render_html", "render_pdf"]

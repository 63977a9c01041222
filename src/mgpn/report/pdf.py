"""Render a :class:`~mgpn.report.view.ReportView` as PDF, from the same HTML as the web report."""

from __future__ import annotations

from mgpn.report.html import render_html
from mgpn.report.view import ReportView


def render_pdf(view: ReportView) -> bytes:
    """The report as PDF bytes (WeasyPrint; no browser).

    Only inline ``data:`` resources are fetched: a report never loads anything from a
    file or the network.
    """
    from weasyprint import HTML  # heavy: imported only when a PDF is made
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    pdf = HTML(string=render_html(view), url_fetcher=fetcher).write_pdf()
    if not isinstance(pdf, bytes):  # pragma: no cover - write_pdf() without a target returns bytes
        raise TypeError("WeasyPrint returned no PDF bytes")
    return pdf

"""URLs of a saved case, shared by the API and the pages."""

from __future__ import annotations

from mgpn.web.schemas import Links


def case_links(case_id: str, version: int | None = None) -> Links:
    query = f"?version={version}" if version is not None else ""
    return Links(
        self=f"/api/v1/cases/{case_id}",
        page=f"/cases/{case_id}{query}",
        report_pdf=f"/api/v1/cases/{case_id}/report.pdf{query}",
        report_html=f"/api/v1/cases/{case_id}/report.html{query}",
    )

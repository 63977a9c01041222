"""Printable reports of a saved case: ``report.pdf`` and ``report.html`` (what was said then)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from mgpn.report import render_html, render_pdf
from mgpn.report.view import ReportView
from mgpn.web.deps import ActorDep, StoreDep
from mgpn.web.routers.cases import VersionQuery
from mgpn.web.schemas import MessageOut
from mgpn.web.services import stored_view

router = APIRouter(prefix="/api/v1/cases", tags=["reports"])


# The standalone report carries its stylesheet inline (it must print as one file); it has
# no script at all.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


def _view(
    store: StoreDep, actor: ActorDep, case_id: str, version: int | None
) -> tuple[ReportView, str]:
    stored = store.get(case_id, version)
    store.record(actor, "report", stored.case_id, stored.version)
    view = stored_view(
        stored.case,
        stored.assessment,
        stored.assessed_at,
        details=stored.details,
        entered=stored.entered,
    )
    name = f"mgpn-{stored.label or stored.case_id}-v{stored.version}"
    return view, "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


@router.get(
    "/{case_id}/report.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, 404: {"model": MessageOut}},
    summary="The printable report (PDF)",
)
def report_pdf(
    case_id: str, store: StoreDep, actor: ActorDep, version: VersionQuery = None
) -> Response:
    view, name = _view(store, actor, case_id, version)
    return Response(
        render_pdf(view),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )


@router.get(
    "/{case_id}/report.html",
    response_class=HTMLResponse,
    responses={404: {"model": MessageOut}},
    summary="The printable report (HTML)",
)
def report_html(
    case_id: str, store: StoreDep, actor: ActorDep, version: VersionQuery = None
) -> HTMLResponse:
    view, _ = _view(store, actor, case_id, version)
    return HTMLResponse(render_html(view), headers={"Content-Security-Policy": REPORT_CSP})

"""The page that lists the EHR's feedback on the cards (accepted, overridden and why)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mgpn.web.deps import KnowledgeDep, TemplatesDep

router = APIRouter(include_in_schema=False)


@router.get("/cds/feedback", response_class=HTMLResponse)
def feedback_page(
    request: Request, templates: TemplatesDep, knowledge: KnowledgeDep
) -> HTMLResponse:
    runtime = getattr(request.app.state, "cds", None)
    items = runtime.store.feedback() if runtime is not None else []
    accepted = sum(1 for item in items if item.outcome == "accepted")
    return templates.TemplateResponse(
        request,
        "cds_feedback.html",
        {
            "knowledge": knowledge,
            "items": items,
            "accepted": accepted,
            "overridden": len(items) - accepted,
        },
    )

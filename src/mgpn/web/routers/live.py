"""HTML fragments for the case page: the live assessment, and the form as YAML.

``POST /ui/assess`` is what HTMX calls as fields change; it answers the assessment
panel only (200 also for a case with problems, so the panel shows them in place).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from mgpn.errors import CaseError
from mgpn.web.deps import CatalogDep, EvaluatorDep, KnowledgeDep, TemplatesDep
from mgpn.web.form import form_to_case
from mgpn.web.formdata import read_form
from mgpn.web.routers.pages import form_lists, yaml_download
from mgpn.web.services import live_view
from mgpn.web.settings import site_units

router = APIRouter(prefix="/ui", include_in_schema=False)


@router.post("/assess", response_class=HTMLResponse)
async def assess_form(
    request: Request,
    templates: TemplatesDep,
    knowledge: KnowledgeDep,
    catalog: CatalogDep,
    evaluate: EvaluatorDep,
) -> HTMLResponse:
    submitted = form_lists(await read_form(request))

    def assess() -> HTMLResponse:
        context: dict[str, object] = {
            "knowledge": knowledge,
            "view": None,
            "issues": [],
            "hide_outcomes": True,  # the case page shows follow-up in its own section
            "oob": True,  # also refresh the sticky summary bar and the live region
        }
        try:
            data = form_to_case(catalog, submitted, site_units())
            context["view"] = live_view(evaluate(data, "form"))
        except CaseError as exc:
            context["issues"] = exc.issues
        return templates.TemplateResponse(request, "_assessment.html", context)

    # Evaluation and rendering are CPU work: off the event loop, so other requests go on.
    return await run_in_threadpool(assess)


@router.post("/case.yaml")
async def form_as_yaml(request: Request, catalog: CatalogDep) -> Response:
    """The form's current content as a case file (blank fields left out)."""
    data = form_to_case(catalog, form_lists(await read_form(request)), site_units())
    return yaml_download(data, str(data.get("id") or "case"))

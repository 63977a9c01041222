"""The clinicians' pages: the case list, the case form with its live assessment, saving.

Server-rendered (Jinja2); the live update of the assessment is ``routers/live.py``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import yaml
from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from mgpn.errors import CaseError, Issue
from mgpn.report.view import ReportView
from mgpn.strict_reader import LIMITS, read_document
from mgpn.web.deps import CatalogDep, EvaluatorDep, KnowledgeDep, StoreDep, TemplatesDep
from mgpn.web.form import build_form, form_to_case, visit_fields, visit_from_form
from mgpn.web.services import Evaluated, KnowledgeInfo, live_view, stored_view
from mgpn.web.store import CaseStore, StoredVersion

router = APIRouter(include_in_schema=False)


def form_lists(form: FormData) -> dict[str, list[str]]:
    """Form data as name -> every submitted value (checkbox groups send several)."""
    out: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            out.setdefault(name, []).append(value)
    return out


def _case_page(
    request: Request,
    templates: TemplatesDep,
    knowledge: KnowledgeInfo,
    catalog: Sequence[object],
    *,
    case: Mapping[str, Any] | None,
    view: ReportView | None = None,
    issues: Sequence[Issue] = (),
    stored: StoredVersion | None = None,
    versions: Sequence[object] = (),
    status_code: int = 200,
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "case.html",
        {
            "knowledge": knowledge,
            "form": build_form(catalog, case),
            "visit_fields": visit_fields(catalog),
            "view": view,
            "issues": issues,
            "stored": stored,
            "versions": versions,
        },
        status_code=status_code,
    )


@router.get("/", response_class=HTMLResponse)
def case_list(
    request: Request, store: StoreDep, templates: TemplatesDep, knowledge: KnowledgeDep
) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "cases.html", {"knowledge": knowledge, "cases": store.list_cases()}
    )


@router.get("/cases/new", response_class=HTMLResponse)
def new_case(
    request: Request, templates: TemplatesDep, knowledge: KnowledgeDep, catalog: CatalogDep
) -> HTMLResponse:
    return _case_page(request, templates, knowledge, catalog, case=None)


@router.post("/cases/upload", response_class=HTMLResponse)
def upload_case(
    request: Request,
    file: UploadFile,
    templates: TemplatesDep,
    knowledge: KnowledgeDep,
    catalog: CatalogDep,
    evaluate: EvaluatorDep,
) -> HTMLResponse:
    """Read an uploaded YAML or JSON case into the form (not saved until the user saves)."""
    name = file.filename or "upload"
    try:
        # The strict reader of case files: duplicate keys, YAML 1.1 words, aliases refused.
        data = read_document(
            file.file.read(LIMITS.max_bytes + 1), name, json_only=name.lower().endswith(".json")
        )
    except CaseError as exc:
        return _case_page(
            request, templates, knowledge, catalog, case=None, issues=exc.issues, status_code=422
        )
    if not isinstance(data, dict):
        issue = Issue(
            "",
            f"{name} does not hold a mapping of case fields",
            found=type(data).__name__,
            fix="upload a case file in the mgpn-case/1 format",
        )
        return _case_page(
            request, templates, knowledge, catalog, case=None, issues=[issue], status_code=422
        )
    try:
        evaluated = evaluate(data, name)
    except CaseError as exc:
        return _case_page(
            request, templates, knowledge, catalog, case=None, issues=exc.issues, status_code=422
        )
    return _case_page(
        request, templates, knowledge, catalog, case=evaluated.case_json, view=live_view(evaluated)
    )


@router.post("/cases", response_class=HTMLResponse, response_model=None)
async def save_new_case(
    request: Request,
    store: StoreDep,
    templates: TemplatesDep,
    knowledge: KnowledgeDep,
    catalog: CatalogDep,
    evaluate: EvaluatorDep,
) -> Response:
    data = form_to_case(catalog, form_lists(await request.form()))
    try:
        evaluated = evaluate(data, "form")
    except CaseError as exc:
        return _case_page(
            request, templates, knowledge, catalog, case=data, issues=exc.issues, status_code=422
        )
    stored = store.create(
        evaluated.case_json,
        evaluated.assessment.to_json_dict(),
        evaluated.assessment.knowledge_version,
        evaluated.assessed_at,
    )
    return RedirectResponse(f"/cases/{stored.case_id}", status_code=303)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def open_case(
    request: Request,
    case_id: str,
    store: StoreDep,
    templates: TemplatesDep,
    knowledge: KnowledgeDep,
    catalog: CatalogDep,
    version: int | None = None,
) -> HTMLResponse:
    """A saved case, with the assessment stored with that version (what was said then)."""
    stored = store.get(case_id, version)
    view = stored_view(stored.case, stored.assessment, stored.assessed_at)
    return _case_page(
        request,
        templates,
        knowledge,
        catalog,
        case=stored.case,
        view=view,
        stored=stored,
        versions=store.versions(case_id),
    )


@router.post("/cases/{case_id}", response_class=HTMLResponse, response_model=None)
async def save_case_version(
    request: Request,
    case_id: str,
    store: StoreDep,
    templates: TemplatesDep,
    knowledge: KnowledgeDep,
    catalog: CatalogDep,
    evaluate: EvaluatorDep,
) -> Response:
    current = store.get(case_id)
    data = form_to_case(catalog, form_lists(await request.form()))
    try:
        evaluated = evaluate(data, "form")
    except CaseError as exc:
        return _case_page(
            request,
            templates,
            knowledge,
            catalog,
            case=data,
            issues=exc.issues,
            stored=current,
            versions=store.versions(case_id),
            status_code=422,
        )
    return _save_version_and_show(store, case_id, evaluated)


@router.post("/cases/{case_id}/visits", response_class=HTMLResponse, response_model=None)
async def add_visit(
    request: Request,
    case_id: str,
    store: StoreDep,
    templates: TemplatesDep,
    knowledge: KnowledgeDep,
    catalog: CatalogDep,
    evaluate: EvaluatorDep,
) -> Response:
    """Append one follow-up visit to the latest version; the result is a new version."""
    current = store.get(case_id)
    visit = visit_from_form(visit_fields(catalog), form_lists(await request.form()))
    data = json.loads(json.dumps(current.case, default=str))
    data["visits"] = [*(data.get("visits") or []), visit]
    try:
        evaluated = evaluate(data, "visit form")
    except CaseError as exc:
        view = stored_view(current.case, current.assessment, current.assessed_at)
        return _case_page(
            request,
            templates,
            knowledge,
            catalog,
            case=current.case,
            view=view,
            issues=exc.issues,
            stored=current,
            versions=store.versions(case_id),
            status_code=422,
        )
    return _save_version_and_show(store, case_id, evaluated)


def yaml_download(case: Mapping[str, Any], name: str) -> Response:
    text = yaml.safe_dump(
        json.loads(json.dumps(case, default=str)), sort_keys=False, allow_unicode=True
    )
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name) or "case"
    return Response(
        text,
        media_type="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{safe}.yaml"'},
    )


@router.get("/cases/{case_id}/case.yaml")
def download_case(case_id: str, store: StoreDep, version: int | None = None) -> Response:
    stored = store.get(case_id, version)
    return yaml_download(stored.case, f"{stored.label or stored.case_id}-v{stored.version}")


def _save_version_and_show(
    store: CaseStore, case_id: str, evaluated: Evaluated
) -> RedirectResponse:
    """Append the evaluated case as a new version and send the browser to its page."""
    store.add_version(
        case_id,
        evaluated.case_json,
        evaluated.assessment.to_json_dict(),
        evaluated.assessment.knowledge_version,
        evaluated.assessed_at,
    )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)

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
from starlette.exceptions import HTTPException

from mgpn.errors import CaseError, ConflictError, Issue
from mgpn.report.view import ReportView
from mgpn.strict_reader import LIMITS, read_document
from mgpn.web.deps import (
    ActorDep,
    CatalogDep,
    EvaluatorDep,
    KnowledgeDep,
    StoreDep,
    TemplatesDep,
)
from mgpn.web.form import (
    REPORT_DETAIL_FIELDS,
    build_form,
    details_from_form,
    entered_quantities,
    form_to_case,
    visit_fields,
    visit_from_form,
)
from mgpn.web.formdata import read_form
from mgpn.web.routers.cases import VersionQuery
from mgpn.web.services import Evaluated, KnowledgeInfo, live_view, stored_view
from mgpn.web.settings import site_units
from mgpn.web.store import MAX_VERSION, Actor, CaseStore, StoredVersion

BASE_VERSION = "base_version"  # hidden field: the version the form was opened at

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
    versions: Sequence[Any] = (),
    status_code: int = 200,
    conflict: ConflictError | None = None,
    entered: Mapping[str, str] | None = None,
    details: Mapping[str, str] | None = None,
) -> HTMLResponse:
    latest = max((v.version for v in versions), default=None)
    if stored is not None:
        entered = stored.entered if entered is None else entered
        details = stored.details if details is None else details
    return templates.TemplateResponse(
        request,
        "case.html",
        {
            "knowledge": knowledge,
            "form": build_form(
                catalog, case, issues=issues, site_units=site_units(), entered=entered
            ),
            "report_fields": REPORT_DETAIL_FIELDS,
            "details": details or {},
            "visit_fields": visit_fields(catalog),
            "view": view,
            "issues": issues,
            "stored": stored,
            "versions": versions,
            "latest_version": latest,
            "conflict": conflict,
        },
        status_code=status_code,
    )


def _base_version(form: Mapping[str, Sequence[str]]) -> int:
    """The version a page's form was opened at (its hidden field); 428/400 when unusable."""
    raw = (form.get(BASE_VERSION) or [""])[0].strip()
    if not raw:
        raise HTTPException(
            428,
            "The form did not say which version it edits, so it was not saved (a newer "
            "version could have been overwritten). Fix: reload the case and enter the "
            "change again.",
        )
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_VERSION:
        raise HTTPException(400, "The form's version number cannot be read. Fix: reload the case.")
    return int(raw)


@router.get("/", response_class=HTMLResponse)
def case_list(
    request: Request,
    store: StoreDep,
    templates: TemplatesDep,
    knowledge: KnowledgeDep,
    actor: ActorDep,
) -> HTMLResponse:
    store.record(actor, "list", None, None)
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
    actor: ActorDep,
) -> Response:
    submitted = form_lists(await read_form(request))
    entered, details = entered_quantities(catalog, submitted), details_from_form(submitted)
    try:
        evaluated = evaluate(form_to_case(catalog, submitted, site_units()), "form")
    except CaseError as exc:
        data = form_to_case(catalog, submitted, site_units(), check_units=False)
        return _case_page(
            request, templates, knowledge, catalog, case=data, issues=exc.issues,
            status_code=422, entered=entered, details=details,
        )  # fmt: skip
    stored = store.create(
        evaluated.case_json,
        evaluated.assessment.to_json_dict(),
        evaluated.assessment.knowledge_version,
        evaluated.assessed_at,
        actor=actor,
        details=details,
        entered=entered,
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
    actor: ActorDep,
    version: VersionQuery = None,
) -> HTMLResponse:
    """A saved case, with the assessment stored with that version (what was said then)."""
    stored = store.get(case_id, version)
    store.record(actor, "view", stored.case_id, stored.version)
    view = stored_view(stored.case, stored.assessment, stored.assessed_at, entered=stored.entered)
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
    actor: ActorDep,
) -> Response:
    current = store.get(case_id)
    form = form_lists(await read_form(request))
    base = _base_version(form)
    entered, details = entered_quantities(catalog, form), details_from_form(form)

    def again(
        status: int, issues: Sequence[Issue] = (), conflict: ConflictError | None = None
    ) -> HTMLResponse:
        """The form as the user sent it (nothing of theirs lost), with what went wrong."""
        page_stored = store.get(case_id, base) if conflict else current
        return _case_page(
            request,
            templates,
            knowledge,
            catalog,
            case=form_to_case(catalog, form, site_units(), check_units=False),
            issues=issues,
            stored=page_stored,
            versions=store.versions(case_id),
            status_code=status,
            conflict=conflict,
            entered=entered,
            details=details,
        )

    try:
        evaluated = evaluate(form_to_case(catalog, form, site_units()), "form")
    except CaseError as exc:
        return again(422, exc.issues)
    try:
        return _save_version_and_show(
            store, case_id, evaluated, base, actor, details=details, entered=entered
        )
    except ConflictError as exc:
        return again(409, conflict=exc)


@router.post("/cases/{case_id}/visits", response_class=HTMLResponse, response_model=None)
async def add_visit(
    request: Request,
    case_id: str,
    store: StoreDep,
    templates: TemplatesDep,
    knowledge: KnowledgeDep,
    catalog: CatalogDep,
    evaluate: EvaluatorDep,
    actor: ActorDep,
) -> Response:
    """Append one follow-up visit to the version the page showed; the result is a new version."""
    form = form_lists(await read_form(request))
    base = _base_version(form)
    current = store.get(case_id, base)

    def again(
        status: int, issues: Sequence[Issue] = (), conflict: ConflictError | None = None
    ) -> HTMLResponse:
        view = stored_view(current.case, current.assessment, current.assessed_at)
        return _case_page(
            request,
            templates,
            knowledge,
            catalog,
            case=current.case,
            view=view,
            issues=issues,
            stored=current,
            versions=store.versions(case_id),
            status_code=status,
            conflict=conflict,
        )

    try:
        visit = visit_from_form(visit_fields(catalog), form)
        data = json.loads(json.dumps(current.case, default=str))
        data["visits"] = [*(data.get("visits") or []), visit]
        evaluated = evaluate(data, "visit form")
    except CaseError as exc:
        return again(422, exc.issues)
    try:
        return _save_version_and_show(
            store,
            case_id,
            evaluated,
            base,
            actor,
            details=current.details,
            entered=current.entered,
        )
    except ConflictError as exc:
        return again(409, conflict=exc)


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
def download_case(
    case_id: str, store: StoreDep, actor: ActorDep, version: VersionQuery = None
) -> Response:
    stored = store.get(case_id, version)
    store.record(actor, "download", stored.case_id, stored.version)
    return yaml_download(stored.case, f"{stored.label or stored.case_id}-v{stored.version}")


def _save_version_and_show(
    store: CaseStore,
    case_id: str,
    evaluated: Evaluated,
    base_version: int,
    actor: Actor,
    *,
    details: Mapping[str, str] | None = None,
    entered: Mapping[str, str] | None = None,
) -> RedirectResponse:
    """Append the evaluated case as a new version and send the browser to its page."""
    store.add_version(
        case_id,
        evaluated.case_json,
        evaluated.assessment.to_json_dict(),
        evaluated.assessment.knowledge_version,
        evaluated.assessed_at,
        base_version=base_version,
        actor=actor,
        details=details,
        entered=entered,
    )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)

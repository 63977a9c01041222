"""Turn errors into HTTP answers: 4xx pages or JSON with field paths. Never a traceback or SQL.

API paths answer JSON (``detail``; field errors with ``loc`` paths), pages answer the
error page with the same status.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from mgpn.errors import ConflictError, InputError, Issue, NotFoundError, StorageError

_INDEX = re.compile(r"\[(\d+)\]")


def issue_loc(path: str) -> list[str | int]:
    """``visits[0].date`` -> ``["body", "visits", 0, "date"]``."""
    loc: list[str | int] = ["body"]
    for part in (path or "").split("."):
        if not part:
            continue
        name, *indexes = _INDEX.split(part)
        if name:
            loc.append(name)
        loc.extend(int(i) for i in indexes if i)
    return loc


def issue_detail(issue: Issue) -> dict[str, object]:
    return {
        "loc": issue_loc(issue.path),
        "msg": str(issue),
        "type": "case_error",
        "path": issue.path,
        "expected": issue.expected,
        "found": issue.found,
        "fix": issue.fix,
    }


def _wants_json(path: str) -> bool:
    return path.startswith("/api/") or path.startswith("/cds-services")


_TITLES = {
    400: "The request cannot be read",
    401: "Please sign in",
    403: "Refused",
    404: "Not found",
    405: "This action is not available here",
    409: "The case has changed since you opened it",
    413: "The request is too large",
    415: "Unsupported content type",
    422: "The input cannot be read",
    428: "Say which version you edited",
    429: "Too many attempts",
}


def _page(
    request: Request,
    status: int,
    title: str,
    message: str,
    headers: dict[str, str] | None = None,
) -> Response:
    from mgpn.web.services import knowledge_info

    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        "error.html",
        {"title": title, "message": message, "knowledge": knowledge_info()},
        status_code=status,
        headers=headers,
    )


async def render_error(scope: Any, status: int, title: str, message: str) -> tuple[bytes, str]:
    """An error body for the middleware (before any route ran): JSON or the HTML page."""
    if _wants_json(scope.get("path", "")):
        return json.dumps({"detail": message}).encode(), "application/json"
    response = _page(Request(scope), status, title, message)
    return bytes(response.body), "text/html; charset=utf-8"


async def _input_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InputError)
    if _wants_json(request.url.path):
        return JSONResponse(
            status_code=422, content={"detail": [issue_detail(i) for i in exc.issues]}
        )
    return _page(request, 422, "The input cannot be read", str(exc))


async def _not_found(request: Request, exc: Exception) -> Response:
    if _wants_json(request.url.path):
        return JSONResponse(status_code=404, content={"detail": str(exc)})
    return _page(request, 404, "Not found", str(exc))


async def _conflict(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ConflictError)
    if _wants_json(request.url.path):
        return JSONResponse(
            status_code=409,
            content={
                "detail": str(exc),
                "base_version": exc.base_version,
                "latest_version": exc.latest_version,
                "latest": f"/api/v1/cases/{exc.case_id}",
            },
            headers={"ETag": f'"{exc.latest_version}"'},
        )
    return _page(request, 409, _TITLES[409], str(exc))


async def _storage(request: Request, exc: Exception) -> Response:
    if _wants_json(request.url.path):
        return JSONResponse(status_code=503, content={"detail": str(exc)})
    return _page(request, 503, "The database is not available", str(exc))


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    message = exc.detail if isinstance(exc.detail, str) else _TITLES.get(status, "Error")
    headers = dict(exc.headers or {})
    if _wants_json(request.url.path):
        return JSONResponse(status_code=status, content={"detail": message}, headers=headers)
    return _page(request, status, _TITLES.get(status, "Error"), message, headers)


async def _validation(request: Request, exc: Exception) -> Response:
    """A malformed path, query or body field: 422 with each field's path, never a value echo."""
    assert isinstance(exc, RequestValidationError)
    detail = [
        {
            "loc": list(e.get("loc", ())),
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in exc.errors()
    ]
    if _wants_json(request.url.path):
        return JSONResponse(status_code=422, content={"detail": detail})
    lines = "; ".join(f"{'.'.join(str(p) for p in d['loc'])}: {d['msg']}" for d in detail)
    return _page(request, 422, _TITLES[422], lines)


async def _unexpected(request: Request, exc: Exception) -> Response:
    """Anything else: a plain 500 without internals; the server log has the traceback."""
    message = (
        "Something went wrong on the server; nothing was changed by this request. "
        "Fix: try again, and tell your administrator if it happens again."
    )
    if _wants_json(request.url.path):
        return JSONResponse(status_code=500, content={"detail": message})
    try:
        return _page(request, 500, "Unexpected error", message)
    except Exception:  # the page itself failed: a bare answer
        return PlainTextResponse(message, status_code=500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(NotFoundError, _not_found)
    app.add_exception_handler(ConflictError, _conflict)
    app.add_exception_handler(StorageError, _storage)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(Exception, _unexpected)

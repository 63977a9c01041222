"""Turn mgpn's errors into HTTP answers: 422 with every field, 404, 503. Never a traceback."""

from __future__ import annotations

import re

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates

from mgpn.errors import InputError, Issue, NotFoundError, StorageError

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


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _page(request: Request, status: int, title: str, message: str) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "error.html", {"title": title, "message": message}, status_code=status
    )


async def _input_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InputError)
    if _wants_json(request):
        return JSONResponse(
            status_code=422, content={"detail": [issue_detail(i) for i in exc.issues]}
        )
    return _page(request, 422, "The input cannot be read", str(exc))


async def _not_found(request: Request, exc: Exception) -> Response:
    if _wants_json(request):
        return JSONResponse(status_code=404, content={"detail": str(exc)})
    return _page(request, 404, "Not found", str(exc))


async def _storage(request: Request, exc: Exception) -> Response:
    if _wants_json(request):
        return JSONResponse(status_code=503, content={"detail": str(exc)})
    return _page(request, 503, "The database is not available", str(exc))


def install(app: FastAPI) -> None:
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(NotFoundError, _not_found)
    app.add_exception_handler(StorageError, _storage)

"""Assemble the web app: settings, database, templates, static files, routers, error handlers."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from mgpn.web import handlers, services
from mgpn.web.db import make_engine, session_factory, upgrade
from mgpn.web.routers import assessments, cases, docs, live, pages, reports
from mgpn.web.settings import Settings, get_settings
from mgpn.web.store import CaseStore
from mgpn.web.templating import make_templates

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None, *, migrate: bool = True) -> FastAPI:
    """The app for ``settings`` (default: from the environment); migrates the database to head."""
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    app = FastAPI(
        title="mgpn",
        summary="Decision support for neuropathy with a monoclonal gammopathy",
        description="Decision support only: it supports, and does not replace, clinical judgment.",
        version="1",
        docs_url=None,  # routers/docs.py serves /docs from vendored files
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.store = CaseStore(session_factory(engine))
    app.state.templates = make_templates()
    services.warm(app.state.templates)  # once per process, before the first request
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (assessments, cases, reports, pages, live, docs):
        app.include_router(module.router)
    handlers.install(app)
    return app

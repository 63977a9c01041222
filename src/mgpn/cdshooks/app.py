"""The CDS Hooks service alone (``mgpn cds-hooks``): the router, its database, nothing else."""

from __future__ import annotations

from fastapi import FastAPI

from mgpn.cdshooks.router import install
from mgpn.cdshooks.settings import CdsSettings
from mgpn.web.db import make_engine, session_factory, upgrade
from mgpn.web.store import CaseStore


def create_cds_app(database_url: str, settings: CdsSettings, *, migrate: bool = True) -> FastAPI:
    engine = make_engine(database_url)
    if migrate:
        upgrade(engine)
    app = FastAPI(title="mgpn CDS Hooks", docs_url=None, redoc_url=None, openapi_url=None)
    install(app, engine, settings, cases=CaseStore(session_factory(engine)))
    return app

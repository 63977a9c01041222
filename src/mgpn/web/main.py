"""Assemble the web app: settings, database, templates, static files, routers, error handlers.

Security sits in front of every route: :class:`mgpn.web.middleware.SecurityMiddleware`
(Host check, body limit, sign-in, headers) and the app-wide CSRF dependency
(:func:`mgpn.web.csrf.csrf_protect`). Routers added later (CDS Hooks under
``/cds-services``) get both; paths in ``Settings.exempt_prefixes`` skip sign-in and CSRF.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from mgpn.cdshooks import pages as cds_pages
from mgpn.cdshooks.router import install as install_cds
from mgpn.cdshooks.settings import CdsSettings, load_cds_settings
from mgpn.web import handlers, services
from mgpn.web.accounts import AccountStore
from mgpn.web.csrf import csrf_protect
from mgpn.web.db import make_engine, session_factory, upgrade
from mgpn.web.middleware import SecurityMiddleware
from mgpn.web.routers import assessments, auth, cases, docs, live, pages, reports
from mgpn.web.settings import Settings, get_settings
from mgpn.web.store import CaseStore
from mgpn.web.templating import make_templates

STATIC = Path(__file__).parent / "static"


def create_app(
    settings: Settings | None = None, *, migrate: bool = True, cds: CdsSettings | None = None
) -> FastAPI:
    """The app for ``settings`` (default: from the environment); migrates the database to head.

    ``cds``: the CDS Hooks service's settings (default: the file named by MGPN_CDS_CONFIG).
    """
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
        dependencies=[Depends(csrf_protect)],
    )
    sessions = session_factory(engine)
    accounts = AccountStore(sessions)
    app.state.settings = settings
    app.state.engine = engine
    app.state.store = CaseStore(sessions)
    app.state.accounts = accounts
    app.state.templates = make_templates()
    app.state.oauth = None
    app.state.failed_sign_ins = auth.FailedSignIns()
    services.warm(app.state.templates)  # once per process, before the first request
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (assessments, cases, reports, pages, live, docs, auth, cds_pages):
        app.include_router(module.router)
    install_cds(app, engine, cds or load_cds_settings(), cases=app.state.store)
    handlers.install(app)
    if settings.oidc is not None:
        from starlette.middleware.sessions import SessionMiddleware

        from mgpn.web.oidc import make_oauth

        app.state.oauth = make_oauth(settings.oidc)
        # Holds only the OIDC state, nonce and PKCE verifier for the ten minutes of a sign-in.
        app.add_middleware(
            SessionMiddleware,
            secret_key=settings.secret_key,
            session_cookie="mgpn_oidc_state",
            max_age=600,
            same_site="lax",
            https_only=settings.secure_cookies,
        )
    app.add_middleware(
        SecurityMiddleware,
        settings=settings,
        accounts=accounts,
        render_error=handlers.render_error,
    )
    return app

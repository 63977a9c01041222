"""Signing in and out: ``/login`` (local users), ``/auth/oidc/*`` (OpenID Connect), ``/logout``.

A successful sign-in starts a server-side session (cookie: random token, HttpOnly,
SameSite=Lax, Secure beyond loopback) and issues a fresh CSRF token; each is recorded in
the audit log, and so is a failed attempt (the name tried, never the password).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mgpn.web.accounts import User
from mgpn.web.deps import AccountsDep, ActorDep, KnowledgeDep, SettingsDep, StoreDep, TemplatesDep
from mgpn.web.middleware import cookie_header, cookie_names
from mgpn.web.oidc import CLIENT_NAME
from mgpn.web.settings import Settings
from mgpn.web.store import Actor

router = APIRouter(include_in_schema=False)

# Password guessing: after this many failed sign-ins for one name within the window, that
# name is refused (429) until the window has passed. Per process, in memory.
MAX_FAILURES = 10
FAILURE_WINDOW_S = 15 * 60


class FailedSignIns:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._times: dict[str, deque[float]] = {}

    def _recent(self, name: str, now: float) -> deque[float]:
        times = self._times.setdefault(name, deque())
        while times and now - times[0] > FAILURE_WINDOW_S:
            times.popleft()
        return times

    def blocked(self, name: str) -> bool:
        with self._lock:
            return len(self._recent(name, time.monotonic())) >= MAX_FAILURES

    def failed(self, name: str) -> None:
        with self._lock:
            if len(self._times) > 10_000:  # bounded memory under a spray of names
                self._times.clear()
            self._recent(name, time.monotonic()).append(time.monotonic())

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._times.pop(name, None)


def safe_next(target: str | None) -> str:
    """Only a path on this server (no ``//host`` or ``https://``): no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _signed_in(settings: Settings, accounts: Any, user: User, target: str) -> Response:
    token = accounts.start_session(user, settings.session_hours)
    session_cookie, csrf_cookie = cookie_names(settings)
    response = RedirectResponse(safe_next(target), status_code=303)
    response.headers.append(
        "set-cookie",
        cookie_header(settings, session_cookie, token, max_age=settings.session_hours * 3600),
    )
    response.headers.append(
        "set-cookie",
        cookie_header(settings, csrf_cookie, secrets.token_urlsafe(32), same_site="Strict"),
    )
    return response


def _login_page(
    request: Request,
    templates: TemplatesDep,
    knowledge: KnowledgeDep,
    settings: Settings,
    target: str,
    message: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "login.html",
        {
            "knowledge": knowledge,
            "next": safe_next(target),
            "message": message,
            "oidc": settings.oidc is not None,
        },
        status_code=status_code,
    )


@router.get("/login", response_class=HTMLResponse, response_model=None)
def login_form(
    request: Request,
    templates: TemplatesDep,
    knowledge: KnowledgeDep,
    settings: SettingsDep,
    next: str = "/",
) -> Response:
    if not settings.auth_required:
        return RedirectResponse("/", status_code=303)
    return _login_page(request, templates, knowledge, settings, next)


@router.post("/login", response_class=HTMLResponse, response_model=None)
async def login(
    request: Request,
    templates: TemplatesDep,
    knowledge: KnowledgeDep,
    settings: SettingsDep,
    accounts: AccountsDep,
    store: StoreDep,
    actor: ActorDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=4096)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    if not settings.auth_required:
        return RedirectResponse("/", status_code=303)
    failures: FailedSignIns = request.app.state.failed_sign_ins
    if failures.blocked(username):
        store.record(Actor(username[:200] or None, actor.client), "sign_in_blocked", None, None)
        return _login_page(
            request,
            templates,
            knowledge,
            settings,
            next,
            f"Too many failed sign-ins for this name. Wait {FAILURE_WINDOW_S // 60} minutes, "
            "or ask your administrator to set a new password (mgpn users password).",
            status_code=429,
        )
    user = await anyio.to_thread.run_sync(accounts.authenticate, username, password)
    if user is None:
        failures.failed(username)
        store.record(Actor(username[:200] or None, actor.client), "sign_in_failed", None, None)
        return _login_page(
            request,
            templates,
            knowledge,
            settings,
            next,
            "The user name or the password is wrong.",
            status_code=401,
        )
    failures.succeeded(username)
    store.record(Actor(user.username, actor.client), "sign_in", None, None)
    return _signed_in(settings, accounts, user, next)


@router.post("/logout", response_model=None)
def logout(
    request: Request, settings: SettingsDep, accounts: AccountsDep, store: StoreDep, actor: ActorDep
) -> Response:
    token = getattr(request.state, "session_token", None)
    if token:
        accounts.end_session(token)
        store.record(actor, "sign_out", None, None)
    session_cookie, _ = cookie_names(settings)
    response = RedirectResponse("/login" if settings.auth_required else "/", status_code=303)
    response.headers.append("set-cookie", cookie_header(settings, session_cookie, "", max_age=0))
    return response


@router.get("/auth/oidc/login", response_model=None)
async def oidc_login(request: Request, settings: SettingsDep, next: str = "/") -> Response:
    oauth = request.app.state.oauth
    if oauth is None or not settings.auth_required:
        return RedirectResponse("/login", status_code=303)
    request.session["mgpn_next"] = safe_next(next)
    redirect_uri = str(request.url_for("oidc_callback"))
    client = oauth.create_client(CLIENT_NAME)
    response: Response = await client.authorize_redirect(request, redirect_uri)
    return response


@router.get("/auth/oidc/callback", name="oidc_callback", response_model=None)
async def oidc_callback(
    request: Request,
    templates: TemplatesDep,
    knowledge: KnowledgeDep,
    settings: SettingsDep,
    accounts: AccountsDep,
    store: StoreDep,
    actor: ActorDep,
) -> Response:
    from authlib.integrations.base_client.errors import OAuthError

    oauth = request.app.state.oauth
    if oauth is None or settings.oidc is None:
        return RedirectResponse("/login", status_code=303)
    client = oauth.create_client(CLIENT_NAME)
    try:
        token = await client.authorize_access_token(request)
    except OAuthError as exc:
        store.record(actor, "sign_in_failed", None, None)
        return _login_page(
            request,
            templates,
            knowledge,
            settings,
            "/",
            f"Your hospital account could not sign you in ({exc.error}). Try again.",
            status_code=401,
        )
    claims = token.get("userinfo") or {}
    subject = str(claims.get("sub") or "")
    if not subject:
        return _login_page(
            request, templates, knowledge, settings, "/", "The sign-in gave no identity.", 401
        )
    preferred = claims.get("preferred_username") or claims.get("email")
    user = await anyio.to_thread.run_sync(
        accounts.oidc_user,
        settings.oidc.issuer,
        subject,
        str(preferred) if preferred else None,
        str(claims.get("name") or "") or None,
    )
    store.record(Actor(user.username, actor.client), "sign_in", None, None)
    target = request.session.pop("mgpn_next", "/")
    return _signed_in(settings, accounts, user, str(target))

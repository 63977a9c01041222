"""The door of the web app, one cheap ASGI layer in front of every route.

In order, for each HTTP request:

1. the ``Host`` header must be one of the configured names (``MGPN_ALLOWED_HOSTS``), so a
   DNS-rebinding page cannot talk to a server on 127.0.0.1 (400 otherwise);
2. the body may not exceed ``MGPN_MAX_BODY_BYTES`` (413, by Content-Length or as it streams);
3. a CSRF token is issued in a cookie when the browser has none (forms and HTMX send it
   back; :mod:`mgpn.web.csrf` checks it);
4. with sign-in on, the session cookie is looked up (the only database read added per
   request) and requests without a valid one are sent to ``/login`` (pages) or get 401
   (API). Static files, the sign-in pages and the exempt prefixes (CDS Hooks, which check
   their own JWT) pass without a session;
5. every response gets the security headers (CSP without inline script, frame-ancestors,
   nosniff, referrer policy) and ``Cache-Control: no-store`` unless it set its own.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote

import anyio.to_thread
from starlette.exceptions import HTTPException

from mgpn.errors import StorageError
from mgpn.web.accounts import AccountStore
from mgpn.web.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
ErrorRenderer = Callable[[Scope, int, str, str], Awaitable[tuple[bytes, str]]]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),  # no-referrer would make forms send Origin: null
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
# Paths that never need a session: the sign-in pages and the static files they use.
_PUBLIC = ("/static/", "/login", "/auth/")


def cookie_names(settings: Settings) -> tuple[str, str]:
    """(session cookie, CSRF cookie); ``__Host-`` names when Secure (no subdomain may set them)."""
    if settings.secure_cookies:
        return "__Host-mgpn_session", "__Host-mgpn_csrf"
    return "mgpn_session", "mgpn_csrf"


def cookie_header(
    settings: Settings,
    name: str,
    value: str,
    *,
    max_age: int | None = None,
    same_site: str = "Lax",
) -> str:
    parts = [f"{name}={value}", "Path=/", "HttpOnly", f"SameSite={same_site}"]
    if settings.secure_cookies:
        parts.append("Secure")
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return "; ".join(parts)


def is_exempt(settings: Settings, path: str) -> bool:
    """True for the paths that carry their own authentication (e.g. /cds-services)."""
    return any(
        path == p.rstrip("/") or path.startswith(p.rstrip("/") + "/")
        for p in settings.exempt_prefixes
    )


def _cookies(scope: Scope) -> dict[str, str]:
    for key, value in scope.get("headers") or ():
        if key == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is treated as no cookie
                return {}
            return {k: m.value for k, m in jar.items()}
    return {}


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers") or ():
        if key == name:
            return bytes(value)
    return None


class BodyTooLarge(HTTPException):
    """Raised while the body streams in; an HTTPException so FastAPI's body parsing keeps it."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            f"At most {limit} bytes may be sent at once. Fix: send a smaller case file "
            "(a case is a few kilobytes).",
        )


class SecurityMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        settings: Settings,
        accounts: AccountStore,
        render_error: ErrorRenderer,
    ) -> None:
        self.app = app
        self.settings = settings
        self.accounts = accounts
        self.render_error = render_error
        self.hosts = {h.lower() for h in settings.allowed_hosts}
        self.session_cookie, self.csrf_cookie = cookie_names(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        state = scope.setdefault("state", {})
        if not self._host_allowed(scope):
            await self._error(
                scope,
                send,
                400,
                "Unknown host name",
                "This server does not answer to that host name. Fix: open it by "
                "one of its configured names (MGPN_ALLOWED_HOSTS).",
            )
            return
        length = _header(scope, b"content-length")
        limit = self.settings.max_body_bytes
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self._error(
                scope,
                send,
                413,
                "The request is too large",
                f"At most {limit} bytes may be sent at once. Fix: send a smaller "
                "case file (a case is a few kilobytes).",
            )
            return

        cookies = _cookies(scope)
        csrf = cookies.get(self.csrf_cookie)
        new_csrf = None
        if not csrf or len(csrf) > 100:
            csrf = new_csrf = secrets.token_urlsafe(32)
        state["csrf_token"] = csrf
        state["user"] = None
        state["session_token"] = None

        exempt = is_exempt(self.settings, path)
        state["csrf_exempt"] = exempt
        if self.settings.auth_required and not exempt:
            token = cookies.get(self.session_cookie)
            user = None
            if token and len(token) <= 100:
                user = self.accounts.cached_session_user(token)
            if token and user is None:
                try:
                    user = await anyio.to_thread.run_sync(self.accounts.session_user, token)
                except StorageError:
                    await self._error(
                        scope,
                        send,
                        503,
                        "The database is not available",
                        "Signing in needs the database. Fix: try again shortly.",
                    )
                    return
            state["user"] = user
            state["session_token"] = token if user else None
            if user is None and not path.startswith(_PUBLIC):
                await self._unauthenticated(scope, send)
                return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers") or ())
                present = {k.lower() for k, _ in headers}
                for key, value in SECURITY_HEADERS:
                    if key not in present:
                        headers.append((key, value))
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", CSP.encode()))
                if b"cache-control" not in present and not path.startswith("/static/"):
                    headers.append((b"cache-control", b"no-store"))
                if self.settings.secure_cookies:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                if new_csrf and not path.startswith("/static/"):
                    cookie = cookie_header(
                        self.settings, self.csrf_cookie, new_csrf, same_site="Strict"
                    )
                    headers.append((b"set-cookie", cookie.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            if started:
                raise
            await self._error(
                scope,
                send,
                413,
                "The request is too large",
                f"At most {limit} bytes may be sent at once. Fix: send a smaller "
                "case file (a case is a few kilobytes).",
            )

    def _host_allowed(self, scope: Scope) -> bool:
        if "*" in self.hosts:
            return True
        raw = _header(scope, b"host")
        if raw is None:
            return False
        host = raw.decode("latin-1").strip().lower()
        if host.startswith("["):  # [::1]:8000
            name = host[1:].split("]", 1)[0]
        else:
            name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        return name in self.hosts

    async def _unauthenticated(self, scope: Scope, send: Send) -> None:
        path: str = scope.get("path", "")
        method = scope.get("method", "GET")
        if method in ("GET", "HEAD") and not path.startswith("/api/"):
            query = scope.get("query_string", b"").decode("latin-1")
            target = path + (f"?{query}" if query else "")
            headers = [
                (b"location", f"/login?next={quote(target, safe='')}".encode("latin-1")),
                (b"content-length", b"0"),
                *SECURITY_HEADERS,
                (b"cache-control", b"no-store"),
            ]
            await send({"type": "http.response.start", "status": 303, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        extra = [(b"hx-redirect", b"/login")] if _header(scope, b"hx-request") else []
        await self._error(
            scope,
            send,
            401,
            "Please sign in",
            "This needs a signed-in user. Fix: sign in at /login (API clients: "
            "sign in there and send the session cookie).",
            extra,
        )

    async def _error(
        self,
        scope: Scope,
        send: Send,
        status: int,
        title: str,
        message: str,
        extra: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        body, media = await self.render_error(scope, status, title, message)
        headers = [
            (b"content-type", media.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"content-security-policy", CSP.encode()),
            (b"cache-control", b"no-store"),
            *SECURITY_HEADERS,
            *(extra or ()),
        ]
        if status == 401 and scope.get("path", "").startswith("/api/"):
            headers.append((b"www-authenticate", b'Cookie realm="mgpn"'))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

"""Cross-site request forgery: every state-changing request must come from our own pages.

A global dependency of the app. For POST, PUT, PATCH and DELETE outside the exempt
prefixes:

- a browser's ``Sec-Fetch-Site`` of ``cross-site`` or ``same-site``, or an ``Origin`` whose
  host is not one of the configured names, is refused;
- pages, forms and HTMX calls must send the token of the ``mgpn_csrf`` cookie back, as the
  form field ``csrf_token`` or the header ``X-CSRF-Token`` (the page sets it for HTMX on
  ``<body hx-headers>``); the cookie is HttpOnly and SameSite=Strict, so another site can
  neither read nor send it;
- the JSON API must be sent as ``application/json`` (a cross-site page cannot send that
  without a CORS preflight, which this app never grants) and, from a signed-in browser
  session, with the ``X-CSRF-Token`` header too.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from fastapi import Request
from starlette.exceptions import HTTPException

from mgpn.web.formdata import read_form
from mgpn.web.settings import Settings

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FIELD = "csrf_token"
HEADER = "x-csrf-token"


class CsrfRefused(HTTPException):
    def __init__(self, why: str) -> None:
        super().__init__(
            403,
            f"This request was refused: {why}. Nothing was changed. Fix: reload the page "
            "and send the form again from this site.",
        )


def _origin_allowed(request: Request, settings: Settings) -> bool:
    site = request.headers.get("sec-fetch-site")
    if site in ("cross-site", "same-site"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not a browser, or an old one: the token decides
    if origin == "null":
        return False
    host = (urlsplit(origin).hostname or "").lower()
    hosts = {h.lower() for h in settings.allowed_hosts}
    return "*" in hosts or host in hosts


async def csrf_protect(request: Request) -> None:
    """Refuse a forged state-changing request (raises 403 :class:`CsrfRefused`)."""
    if request.method not in UNSAFE or request.state.csrf_exempt:
        return
    settings: Settings = request.app.state.settings
    if not _origin_allowed(request, settings):
        raise CsrfRefused("it came from another web site")
    expected: str = request.state.csrf_token
    sent = request.headers.get(HEADER)
    if request.url.path.startswith("/api/"):
        media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media != "application/json":
            raise HTTPException(
                415,
                "The API takes JSON only. Fix: send the body with Content-Type: application/json",
            )
        if request.state.session_token is None:
            return  # no browser session rides on this request: nothing to forge
    elif sent is None:
        media = request.headers.get("content-type", "")
        if media.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await read_form(request)).get(FIELD)
            sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused("the form's security token is missing or out of date")

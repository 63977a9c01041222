"""The Jinja2 environment of the pages: the web templates, then the report's (shared body)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined, select_autoescape

from mgpn.report.html import add_filters


def make_templates() -> Jinja2Templates:
    env = Environment(
        loader=ChoiceLoader(
            [PackageLoader("mgpn.web", "templates"), PackageLoader("mgpn.report", "templates")]
        ),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        auto_reload=False,  # templates ship with the package: no stat() of each file per request
    )
    add_filters(env)
    env.globals["today"] = lambda: datetime.now(UTC).date().isoformat()
    env.globals["csrf_token"] = csrf_token
    env.globals["signed_in_user"] = signed_in_user
    return Jinja2Templates(env=env)


def csrf_token(request: Any) -> str:
    """The CSRF token of this browser (forms put it in a hidden field, HTMX in a header)."""
    return str(getattr(request.state, "csrf_token", "") or "")


def signed_in_user(request: Any) -> Any:
    """The signed-in user, or None (sign-in off, or a public page)."""
    return getattr(request.state, "user", None)

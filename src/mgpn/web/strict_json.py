"""JSON request bodies read by mgpn's strict reader instead of ``json.loads``.

FastAPI reads a JSON body with the standard library, which keeps the last of two
duplicated keys and turns ``NaN``/``Infinity`` into floats: the same case would mean
one thing in a file and another through the API. Routers that take a case use
:class:`StrictJSONRoute`, which parses the body with :func:`mgpn.strict_reader.read_json`
first (a refusal is a :class:`mgpn.errors.CaseError`, answered 422 with the field
path) and hands FastAPI the already-parsed value. Every such route takes a case, so an
empty body or JSON ``null`` is refused here too, in the same format (FastAPI would call
it a missing field).
"""

from __future__ import annotations

import email.message
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from mgpn.errors import CaseError, Issue
from mgpn.strict_reader import read_json

_NULL_BODY = Issue(
    "",
    "the body is JSON null, not a case",
    expected="a JSON object (a case in the mgpn-case/1 format)",
    found="null",
    fix="send the case as a JSON object, starting with \"format\": \"mgpn-case/1\"",
)


def _is_json(request: Request) -> bool:
    # The same rule FastAPI uses to decide that a body is JSON.
    content_type = request.headers.get("content-type")
    if not content_type:
        return True
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


class StrictJSONRoute(APIRoute):
    """An API route whose JSON body is parsed strictly (duplicate keys, NaN refused)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            if request.method in ("POST", "PUT", "PATCH") and _is_json(request):
                value = read_json(await request.body(), "request body")  # empty: not JSON
                if value is None:
                    raise CaseError("request body", [_NULL_BODY])
                # Starlette's Request.json() returns this cached value.
                request._json = value
            return await handler(request)

        return strict_handler

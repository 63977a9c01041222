"""Reading a submitted form: URL-encoded bodies by the standard library, the rest by Starlette.

Every form of these pages, and every HTMX call of the live case page, is sent as
``application/x-www-form-urlencoded``. Starlette reads those with python-multipart's
pure-Python parser, about 2 ms for the case form's 200 fields; :func:`urllib.parse.parse_qsl`
reads them in C-backed string operations in a fifth of that, by the same rules: fields
split at ``&`` only (empty pieces skipped), a name without ``=`` has an empty value,
``+`` is a space and percent-escapes are UTF-8 (an invalid one becomes U+FFFD), raw bytes
are Latin-1. Multipart bodies (file uploads) still go to Starlette. The result is kept on
the request as Starlette keeps its own, so the CSRF check and the route read a form once.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from python_multipart.multipart import parse_options_header
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

URLENCODED = b"application/x-www-form-urlencoded"


def parse_urlencoded(body: bytes) -> FormData:
    """A URL-encoded body as Starlette's FormData, read as Starlette reads it."""
    fields: list[tuple[str, str | UploadFile]] = []
    fields.extend(parse_qsl(body.decode("latin-1"), keep_blank_values=True))
    return FormData(fields)


async def read_form(request: Request) -> FormData:
    """The request's form (cached on the request: ``request.form()`` returns it afterwards)."""
    if request._form is not None:
        return request._form
    content_type, _ = parse_options_header(request.headers.get("Content-Type"))
    if content_type != URLENCODED:
        return await request.form()
    form = parse_urlencoded(await request.body())
    request._form = form  # where Starlette's Request.form() keeps its own reading
    return form

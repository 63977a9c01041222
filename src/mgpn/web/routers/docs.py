"""``/docs``: the OpenAPI explorer, served from vendored Swagger UI files (no CDN).

The page is written here rather than by ``fastapi.openapi.docs.get_swagger_ui_html``
because that one starts Swagger UI with an inline script, which the app's
Content-Security-Policy forbids; ``static/js/swagger-init.js`` starts it instead.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mgpn.web.templating import csrf_token

router = APIRouter(include_in_schema=False)

# Swagger UI sets inline styles on its elements; scripts stay 'self' only.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    openapi = escape(request.app.openapi_url or "/openapi.json")
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>mgpn API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
<link rel="icon" href="data:,">
</head>
<body data-openapi-url="{openapi}" data-csrf-token="{escape(csrf_token(request))}">
<div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/js/swagger-init.js"></script>
</body>
</html>
"""
    return HTMLResponse(page, headers={"Content-Security-Policy": DOCS_CSP})

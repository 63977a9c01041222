"""The baseline of the web benchmark: bare FastAPI endpoints that do no work.

They take the same request bodies as mgpn's (a JSON case; the live form's fields; a
CDS Hooks patient-view call), parse them as FastAPI would (JSON by the standard library,
the form by Starlette), and answer with a body of the same size as mgpn's answer. No
authentication, no security headers, no evaluation: the floor set by HTTP and parsing. Served with mgpn's own uvicorn settings (:func:`mgpn.web.server.uvicorn_options`),
so the ratio measures mgpn's work per request, not the server.

    python benchmarks/bare_app.py --port 8001 --json-bytes 21000 --html-bytes 30000 --cds-bytes 3000 [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from fastapi import Body, FastAPI, Request
from fastapi.responses import HTMLResponse, Response


def create_bare_app() -> FastAPI:
    json_body = (
        b'{"x":"' + b"a" * max(0, int(os.environ.get("BARE_JSON_BYTES", "1000")) - 8) + b'"}'
    )
    html_body = b"<p>" + b"a" * max(0, int(os.environ.get("BARE_HTML_BYTES", "1000")) - 7) + b"</p>"
    cds_body = b'{"cards":[{"x":"' + b"a" * max(0, int(os.environ.get("BARE_CDS_BYTES", "1000")) - 20) + b'"}]}'
    app = FastAPI()

    @app.post("/api/v1/assessments")
    def assessments(case: dict[str, Any] = Body(...)) -> Response:
        return Response(json_body, media_type="application/json")

    @app.post("/ui/assess")
    async def assess(request: Request) -> HTMLResponse:
        await request.form()
        return HTMLResponse(html_body)

    @app.post("/cds-services/mgpn-patient-view")
    async def patient_view(request: Request) -> Response:
        json.loads(await request.body())
        return Response(cds_body, media_type="application/json")

    return app


def main() -> None:
    import uvicorn

    from mgpn.web.server import uvicorn_options

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--json-bytes", type=int, default=1000)
    parser.add_argument("--html-bytes", type=int, default=1000)
    parser.add_argument("--cds-bytes", type=int, default=1000)
    args = parser.parse_args()
    os.environ["BARE_JSON_BYTES"] = str(args.json_bytes)
    os.environ["BARE_HTML_BYTES"] = str(args.html_bytes)
    os.environ["BARE_CDS_BYTES"] = str(args.cds_bytes)
    options = uvicorn_options(workers=args.workers)
    options["log_level"] = "warning"
    if options["workers"] > 1:
        uvicorn.run(
            "bare_app:create_bare_app",
            factory=True,
            host="127.0.0.1",
            port=args.port,
            app_dir=os.path.dirname(os.path.abspath(__file__)),
            **options,
        )
    else:
        options.pop("workers")
        uvicorn.run(create_bare_app(), host="127.0.0.1", port=args.port, **options)


if __name__ == "__main__":
    main()

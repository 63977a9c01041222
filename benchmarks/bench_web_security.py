"""Cost of the web app's door (Host check, body limit, headers, CSRF cookie, sign-in).

    python benchmarks/bench_web_security.py

Times a trivial GET route, called straight through the ASGI app, three ways in one run:
the app without :class:`mgpn.web.middleware.SecurityMiddleware` (baseline), with it and
sign-in off, and with sign-in on (one session lookup in SQLite per request). Prints
the median per request and the ratio to the baseline.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from mgpn.web.accounts import SESSION_CACHE_S

ROUNDS = 40
BATCH = 20


def _app(db: Path, *, auth: bool, secured: bool) -> Any:
    from mgpn.web.main import create_app
    from mgpn.web.middleware import SecurityMiddleware
    from mgpn.web.settings import Settings

    app = create_app(Settings(database_url=f"sqlite:///{db}", auth_required=auth))

    @app.get("/bench-ping")
    def ping() -> dict[str, str]:
        return {"ok": "yes"}

    if not secured:
        app.user_middleware = [
            m
            for m in app.user_middleware
            if m.cls is not SecurityMiddleware  # type: ignore[comparison-overlap]
        ]
    return app


async def _call(app: Any, headers: list[tuple[bytes, bytes]]) -> int:
    """One GET straight through the ASGI app (no HTTP client in the measurement)."""
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/bench-ping",
        "raw_path": b"/bench-ping",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    await app(scope, receive, send)
    return status


def _headers(app: Any, sign_in: bool) -> list[tuple[bytes, bytes]]:
    if not sign_in:
        return []
    user = app.state.accounts.add_user("bench", "benchmark pass phrase")
    token = app.state.accounts.start_session(user, 1)
    return [(b"cookie", f"mgpn_session={token}; mgpn_csrf=x".encode())]


def measure(apps: list[tuple[Any, list[tuple[bytes, bytes]]]]) -> list[float]:
    """Median seconds per request of each app, measured in interleaved rounds (a shared
    machine's load then weighs on every variant alike)."""
    import asyncio

    async def run() -> list[float]:
        for app, headers in apps:  # warm-up: builds each middleware stack
            for _ in range(50):
                assert await _call(app, headers) == 200
        rounds: list[list[float]] = [[] for _ in apps]
        for _ in range(ROUNDS):
            for i, (app, headers) in enumerate(apps):
                start = time.perf_counter()
                for _ in range(BATCH):
                    await _call(app, headers)
                rounds[i].append((time.perf_counter() - start) / BATCH)
        return [statistics.median(r) for r in rounds]

    return asyncio.run(run())


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        variants = [
            _app(root / "a.sqlite3", auth=False, secured=False),
            _app(root / "b.sqlite3", auth=False, secured=True),
            _app(root / "c.sqlite3", auth=True, secured=True),
        ]
        baseline, open_door, signed_in = measure(
            [(app, _headers(app, i == 2)) for i, app in enumerate(variants)]
        )
    print(f"GET without the security layer (baseline): {baseline * 1e3:.3f} ms per request")
    print(f"GET with it, sign-in off: {open_door * 1e3:.3f} ms (x{open_door / baseline:.2f})")
    print(
        f"GET with it, signed in (session lookup, cached {SESSION_CACHE_S:g} s): "
        f"{signed_in * 1e3:.3f} ms (x{signed_in / baseline:.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

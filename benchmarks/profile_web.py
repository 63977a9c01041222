"""Per-request CPU of the web faces in-process, with the engine's share taken out.

    python benchmarks/profile_web.py [--requests 300] [--profile]

Calls the ASGI apps directly (no sockets, no HTTP client), one request after another,
and measures process CPU time per request for: the JSON API, the live form, the CDS
Hooks patient-view (20 KB prefetch, a signed token per call) and the bare FastAPI
endpoints of ``bare_app.py`` with the same bodies. The time spent inside the engine's
``evaluate`` is measured separately, so "outside evaluate" is what the web layer costs:
the figure this benchmark is for. ``--profile`` prints cProfile's top functions for each
face (worker-thread functions are run inline so the profiler sees them); with
``--web-only`` each case is evaluated once and the assessment remembered, so that the
profile shows the web layer alone.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _table import Row

EVALUATE_SECONDS = [0.0]


def _timed(function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            EVALUATE_SECONDS[0] += time.process_time() - start

    return wrapper


def _patch_evaluate(remember: bool = False) -> None:
    """Count the engine's CPU wherever the web faces call it.

    ``remember``: evaluate each distinct case once and hand back that assessment after
    (the benchmark sends the same case again and again), so that a profile shows only
    the web layer's own functions. For profiles only, never for the figures.
    """
    import mgpn.cdshooks.router as cds_router
    import mgpn.web.services as services

    engine = original = services.evaluate
    if remember:
        seen: dict[str, Any] = {}

        def remembered(case: Any, kb: Any) -> Any:
            key = case.model_dump_json()
            if key not in seen:
                seen[key] = original(case, kb)
            return seen[key]

        engine = remembered  # type: ignore[assignment]
    services.evaluate = _timed(engine)  # type: ignore[assignment]
    cds_router.evaluate = _timed(engine)  # type: ignore[assignment]


def _inline_threadpool() -> None:
    """Run worker-thread functions inline while profiling (cProfile sees one thread only)."""
    import fastapi.dependencies.utils
    import fastapi.routing

    import mgpn.cdshooks.router as cds_router
    import mgpn.web.routers.assessments as assessments
    import mgpn.web.routers.live as live

    async def inline(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    for module in (live, assessments, cds_router, fastapi.routing, fastapi.dependencies.utils):
        module.run_in_threadpool = inline  # type: ignore[attr-defined]


async def call(app: Any, path: str, body: bytes, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    """One POST through the ASGI app; returns (status, body)."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 50000),
        "headers": [(b"host", b"127.0.0.1:8000"), (b"content-length", str(len(body)).encode()), *headers],
    }  # fmt: skip
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    status = 0
    chunks: list[bytes] = []

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


class Face:
    def __init__(self, name: str, app: Any, path: str, body: bytes, headers: Callable[[], list[tuple[bytes, bytes]]]) -> None:
        self.name, self.app, self.path, self.body, self.headers = name, app, path, body, headers

    def run(self, count: int) -> tuple[float, float, int]:
        """(CPU ms per request, of which evaluate, response bytes)."""
        heads = [self.headers() for _ in range(count)]  # signed before timing
        size = 0

        async def go() -> None:
            nonlocal size
            for head in heads:
                status, answer = await call(self.app, self.path, self.body, head)
                if status != 200:
                    raise SystemExit(f"{self.name}: status {status}: {answer[:300]!r}")
                size = len(answer)

        EVALUATE_SECONDS[0] = 0.0
        start = time.process_time()
        asyncio.run(go())
        total = time.process_time() - start
        return total / count * 1000, EVALUATE_SECONDS[0] / count * 1000, size


def faces(folder: str) -> tuple[list[Face], list[Face]]:
    """(mgpn's faces, the bare endpoints with the same bodies)."""
    from bench_cds_hooks import PATH, prefetch_body
    from bench_web import case_json, form_body
    from tests.cdshooks.ehr import Ehr

    from mgpn.cdshooks.settings import CdsSettings, TrustedIssuer
    from mgpn.web.main import create_app
    from mgpn.web.settings import Settings

    ehr = Ehr()
    jwks = Path(folder, "jwks.json")
    jwks.write_text(json.dumps(ehr.jwks))
    base = "http://127.0.0.1:8000"
    issuer = "https://ehr.benchmark.example"
    cds = CdsSettings(base_url=base, web_app_url=base, issuers=[TrustedIssuer(iss=issuer, jwks_file=str(jwks))])
    app = create_app(Settings(database_url=f"sqlite:///{folder}/profile.sqlite3"), cds=cds)
    token = "t" * 43
    # As HTMX sends it: the CSRF cookie, and the same token in a header.
    csrf = [(b"cookie", f"mgpn_csrf={token}".encode()), (b"x-csrf-token", token.encode()), (b"hx-request", b"true")]
    form = form_body()
    cds_body = json.dumps(prefetch_body()).encode()

    def signed() -> list[tuple[bytes, bytes]]:
        bearer = ehr.token(PATH, iss=issuer, aud=base + PATH, jti=str(uuid.uuid4()))
        return [(b"content-type", b"application/json"), (b"authorization", f"Bearer {bearer}".encode())]

    ours = [
        Face("API", app, "/api/v1/assessments", case_json(), lambda: [(b"content-type", b"application/json")]),
        Face("form", app, "/ui/assess", form, lambda: [(b"content-type", b"application/x-www-form-urlencoded"), *csrf]),
        Face("CDS patient-view", app, PATH, cds_body, signed),
    ]
    return ours, []


def bare_faces(ours: list[Face], sizes: dict[str, int]) -> list[Face]:
    os.environ["BARE_JSON_BYTES"] = str(sizes["API"])
    os.environ["BARE_HTML_BYTES"] = str(sizes["form"])
    os.environ["BENCH_CARD"] = json.dumps({"cards": [{"x": "a" * max(0, sizes["CDS patient-view"] - 22)}]})
    from bare_app import create_bare_app
    from bench_cds_hooks import PATH, bare_app

    bare, bare_cds = create_bare_app(), bare_app()
    by = {face.name: face for face in ours}
    return [
        Face("API", bare, "/api/v1/assessments", by["API"].body, lambda: [(b"content-type", b"application/json")]),
        Face("form", bare, "/ui/assess", by["form"].body, lambda: [(b"content-type", b"application/x-www-form-urlencoded")]),
        Face("CDS patient-view", bare_cds, PATH, by["CDS patient-view"].body, lambda: [(b"content-type", b"application/json")]),
    ]


def _cpu_ms(function: Callable[[], object], count: int) -> float:
    """The least of three rounds of ``count`` calls, in CPU ms per call."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for _ in range(count):
            function()
        best = min(best, (time.process_time() - start) / count * 1000)
    return best


def reader_rows(count: int = 100) -> list[Row]:
    """The strict JSON reader on the CDS body: its fast reading against the exact one."""
    from bench_cds_hooks import prefetch_body

    from mgpn.errors import CaseError
    from mgpn.strict_reader import LIMITS, _exact_json, _walk, check_tree, read_json

    text = json.dumps(prefetch_body())
    data = json.loads(text)
    size = f"{len(text) / 1024:.0f} KiB CDS Hooks body"
    return [
        Row(f"strict JSON reading, {size}", _cpu_ms(lambda: read_json(text, "b"), count), "ms",
            "the exact reader alone (stdlib parser + Python walk)",
            _cpu_ms(lambda: _exact_json(text, "b", CaseError, LIMITS), count)),
        Row(f"check_tree of the parsed {size}", _cpu_ms(lambda: check_tree(data, "b"), count), "ms",
            "the path-building walk alone", _cpu_ms(lambda: _walk(data, "b", CaseError, LIMITS, {}), count)),
        Row(f"json.loads of the {size} (no checks)", _cpu_ms(lambda: json.loads(text), count), "ms", "", None),
    ]  # fmt: skip


def rows(requests: int = 300, profile: bool = False, web_only: bool = False) -> list[Row]:
    _patch_evaluate(remember=web_only)
    if profile:
        _inline_threadpool()
    out: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        ours, _ = faces(folder)
        sizes: dict[str, int] = {}
        for face in ours:  # warm-up, and the answer sizes the bare endpoints copy
            sizes[face.name] = face.run(20)[2]
        bare = {face.name: face for face in bare_faces(ours, sizes)}
        for face in bare.values():
            face.run(20)
        for face in ours:
            # The least of three rounds: on a shared machine the others only add noise.
            total, engine, _ = min(face.run(requests // 3 or 1) for _ in range(3))
            floor = min(bare[face.name].run(requests // 3 or 1)[0] for _ in range(3))
            label = f"{face.name}, in-process CPU per request"
            out.append(Row(f"{label}: all", total, "ms", "bare FastAPI endpoint", floor))
            out.append(Row(f"{label}: outside evaluate", total - engine, "ms", "bare FastAPI endpoint", floor))
            out.append(Row(f"{label}: evaluate", engine, "ms", "", None))
            if profile:
                profiler = cProfile.Profile()
                profiler.enable()
                face.run(min(requests, 100))
                profiler.disable()
                text = io.StringIO()
                pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
                print(f"\n== {face.name}: top functions by own time ==")
                print("\n".join(text.getvalue().splitlines()[6:40]))
                text = io.StringIO()
                pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(45)
                print(f"\n== {face.name}: top functions by cumulative time ==")
                print("\n".join(text.getvalue().splitlines()[6:60]))
    return out


def main() -> None:
    from _table import machine, markdown

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--web-only", action="store_true",
                        help="profile the web layer alone: each case evaluated once, then remembered")
    args = parser.parse_args()
    print(machine())
    print(markdown(reader_rows() + rows(args.requests, args.profile, args.web_only)))


if __name__ == "__main__":
    main()

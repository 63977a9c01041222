"""Throughput and latency of the CDS Hooks patient-view service, against a bare endpoint.

    python benchmarks/bench_cds_hooks.py [--requests 800] [--concurrency 16]

Both servers run in the same run, one after the other, each as its own uvicorn process
(one worker) on 127.0.0.1, called by 16 concurrent connections:

* **mgpn**: ``POST /cds-services/mgpn-patient-view`` with a realistic 20 KB prefetch
  (an anti-MAG patient's Patient, Observations and treatments, plus routine laboratory
  results the service does not use), each call signed with a fresh ES384 JWT (verified
  against a JWKS file, jti recorded in SQLite), the case read from FHIR, evaluated, kept
  in the web app's store and answered with cards;
* **bare**: a FastAPI endpoint that parses the same body as JSON and returns a card of the
  same size, with no authentication and no evaluation: the floor set by HTTP and JSON.

Tokens are signed before timing starts. Prints requests/s, p50 and p99 for both and the
ratio. Loopback only, bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
PATH = "/cds-services/mgpn-patient-view"
ISSUER = "https://ehr.benchmark.example"


# --- the two apps (uvicorn imports this module in each server process) ---------------------
def bare_app() -> Any:
    app = FastAPI()
    card = os.environ.get("BENCH_CARD", '{"cards": []}').encode()

    @app.post(PATH)
    async def hook(request: Request) -> Response:
        json.loads(await request.body())
        return Response(card, media_type="application/json")

    return app


def mgpn_app() -> Any:
    from mgpn.cdshooks.app import create_cds_app
    from mgpn.cdshooks.settings import load_cds_settings

    return create_cds_app(
        os.environ["BENCH_DATABASE_URL"], load_cds_settings(os.environ["MGPN_CDS_CONFIG"])
    )


# --- the client --------------------------------------------------------------------------
def prefetch_body(target_bytes: int = 20_000) -> dict[str, Any]:
    from tests.cdshooks.ehr import hook_body, prefetch

    from mgpn.case import load_case
    from mgpn.interop.fhir import case_to_bundle

    case = load_case(REPO / "src" / "mgpn" / "examples" / "anti-mag-neuropathy.yaml")
    data = prefetch(case_to_bundle(case))
    routine = [("2951-2", "Sodium", 140, "mmol/L"), ("2823-3", "Potassium", 4.2, "mmol/L"),
               ("6690-2", "Leukocytes", 6.1, "10*3/uL"), ("1742-6", "ALT", 22, "U/L")]  # fmt: skip
    day = 0
    while len(json.dumps(hook_body("patient-view", data))) < target_bytes:
        code, name, value, unit = routine[day % len(routine)]
        data["observations"]["entry"].append({"resource": {
            "resourceType": "Observation", "id": f"routine-{day}", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": name}], "text": name},
            "subject": {"reference": "Patient/p1"}, "effectiveDateTime": f"2024-{1 + day % 12:02d}-{1 + day % 28:02d}",
            "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}}})  # fmt: skip
        day += 1
    return hook_body("patient-view", data)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(factory: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", "--factory", "--app-dir", str(REPO / "benchmarks"),
               f"bench_cds_hooks:{factory}", "--host", "127.0.0.1", "--port", str(port),
               "--no-access-log", "--log-level", "warning"]  # fmt: skip
    return subprocess.Popen(command, env={**os.environ, **env, "PYTHONPATH": str(REPO)}, cwd=REPO)


async def _wait(url: str) -> None:
    import httpx

    async with httpx.AsyncClient() as client:
        for _ in range(300):
            try:
                await client.get(url, timeout=1)
                return
            except httpx.HTTPError:
                await asyncio.sleep(0.1)
    raise SystemExit(f"server at {url} did not start")


async def _load(
    url: str, body: bytes, headers: list[dict[str, str]], concurrency: int
) -> tuple[float, list[float], int]:
    import httpx

    queue: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    for item in headers:
        queue.put_nowait(item)
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal failures
            while not queue.empty():
                extra = queue.get_nowait()
                start = time.perf_counter()
                response = await client.post(
                    url, content=body, headers={"Content-Type": "application/json", **extra}
                )
                latencies.append(time.perf_counter() - start)
                failures += response.status_code != 200

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return elapsed, latencies, failures


def _stats(name: str, elapsed: float, latencies: list[float], failures: int) -> dict[str, float]:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)]
    out = {
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": p99 * 1000,
    }
    print(f"{name:>5}: {out['rps']:7.1f} req/s   p50 {out['p50_ms']:6.1f} ms   p99 {out['p99_ms']:6.1f} ms   "
          f"({len(latencies)} requests, {failures} not 200)")  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    from tests.cdshooks.ehr import Ehr

    ehr = Ehr()
    body = json.dumps(prefetch_body()).encode()
    with tempfile.TemporaryDirectory() as tmp:
        jwks = Path(tmp) / "jwks.json"
        jwks.write_text(json.dumps(ehr.jwks))
        port_mgpn, port_bare = _free_port(), _free_port()
        base = f"http://127.0.0.1:{port_mgpn}"
        config = Path(tmp) / "cds.yaml"
        config.write_text(json.dumps({"base_url": base, "web_app_url": base,
                                      "issuers": [{"iss": ISSUER, "jwks_file": str(jwks)}]}))  # fmt: skip
        env = {
            "MGPN_CDS_CONFIG": str(config),
            "BENCH_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
        }
        warm = 40
        signed = [{"Authorization": f"Bearer {ehr.token(PATH, iss=ISSUER, aud=base + PATH, jti=str(uuid.uuid4()))}"}
                  for _ in range(args.requests + warm)]  # fmt: skip
        mgpn = _serve("mgpn_app", port_mgpn, env)
        try:
            asyncio.run(_wait(base + "/cds-services"))
            _, _, bad = asyncio.run(_load(base + PATH, body, signed[:warm], args.concurrency))
            if bad:
                raise SystemExit(f"the mgpn service refused {bad} warm-up calls")
            sample = __import__("httpx").post(base + PATH, content=body, headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {ehr.token(PATH, iss=ISSUER, aud=base + PATH)}"}).content  # fmt: skip
            result_mgpn = _stats(
                "mgpn", *asyncio.run(_load(base + PATH, body, signed[warm:], args.concurrency))
            )
        finally:
            mgpn.terminate()
            mgpn.wait(timeout=20)
        card = json.loads(sample)
        padded = json.dumps(card)
        bare = _serve("bare_app", port_bare, {"BENCH_CARD": padded})
        try:
            bare_url = f"http://127.0.0.1:{port_bare}"
            asyncio.run(_wait(bare_url + "/"))
            asyncio.run(_load(bare_url + PATH, body, [{}] * warm, args.concurrency))
            result_bare = _stats(
                "bare",
                *asyncio.run(_load(bare_url + PATH, body, [{}] * args.requests, args.concurrency)),
            )
        finally:
            bare.terminate()
            bare.wait(timeout=20)
    print(
        f"prefetch body {len(body) / 1024:.1f} KiB, response {len(sample) / 1024:.1f} KiB, "
        f"{args.concurrency} concurrent connections, one uvicorn worker each"
    )
    print(
        f"mgpn / bare throughput: {result_mgpn['rps'] / result_bare['rps']:.2f}  "
        f"(p99 {result_mgpn['p99_ms']:.1f} ms vs {result_bare['p99_ms']:.1f} ms)"
    )


if __name__ == "__main__":
    main()

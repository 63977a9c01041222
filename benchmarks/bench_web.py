"""Throughput and latency of the JSON API, the live form and the CDS Hooks patient-view, against bare FastAPI endpoints.

    python benchmarks/bench_web.py [--seconds 10] [--workers 1,2]

Each server runs alone on 127.0.0.1, one after the other in the same run: ``mgpn serve
--no-auth`` (an SQLite file in a temporary folder; the CDS Hooks service trusting a test
EHR's key file) and ``benchmarks/bare_app.py``, with the same uvicorn settings
(:func:`mgpn.web.server.uvicorn_options`: uvloop, httptools, no access log) and the same
number of workers. Both get the same request bodies and headers: the example case as
JSON; the case page's form as the browser sends it (with the CSRF cookie and header
HTMX sends); a 20 KB patient-view prefetch, each call with its own ES384 token signed
before timing (the bare endpoint ignores it). The bare endpoints parse the body and answer
with a body of mgpn's answer's size. Load comes from Debian's ``wrk`` (16 connections,
2 threads), installed with apt-get when missing and running as root. The servers and
``wrk`` share the machine's cores, as they would on a one-box deployment.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _table import Row

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent / "src" / "mgpn" / "examples" / "anti-mag-neuropathy.yaml"
CONNECTIONS = 16
CDS_PATH = "/cds-services/mgpn-patient-view"
CDS_ISSUER = "https://ehr.benchmark.example"
CSRF_TOKEN = "benchmark-csrf-token-0123456789abcdefghijklmnopq"  # what the cookie would hold


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is needed: sudo apt-get install wrk (Debian package 'wrk')")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def case_json() -> bytes:
    from mgpn.case import dump_case, load_case

    return json.dumps(dump_case(load_case(EXAMPLE))).encode()


def form_body() -> bytes:
    """What a browser sends from the case page's form filled with the example case."""
    from mgpn.case import dump_case, field_catalog, load_case
    from mgpn.web.form import build_form

    form = build_form(field_catalog(), dump_case(load_case(EXAMPLE)))
    pairs: list[tuple[str, str]] = []
    for section in form.sections:
        for field in section.fields:
            spec, value = field.spec, field.value
            if spec.kind in ("quantity", "quantity_or_result"):
                pairs += [(spec.name, value.text), (spec.name + ":cmp", value.comparator)]
                pairs.append((spec.name + ":unit", value.unit or (spec.unit or "")))
                if spec.kind == "quantity_or_result":
                    pairs.append((spec.name + ":result", value.result))
            elif spec.kind == "list":
                pairs += [(spec.name, item) for item in value.selected]
                pairs.append((spec.name + ":other", value.other))
            else:
                pairs.append((spec.name, value.text))
    pairs.append(("visits:json", form.visits_json))
    return urlencode(pairs).encode()


@contextlib.contextmanager
def serving(command: list[str], port: int, env: dict[str, str] | None = None) -> Iterator[None]:
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=2).read()
                break
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {' '.join(command)}")
            time.sleep(0.2)
        else:
            raise RuntimeError("server did not start within 60 s")
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def post(port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as answer:
        data: bytes = answer.read()
        return data


_UNIT = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not match:
        raise ValueError(text)
    return float(match.group(1)) * _UNIT[match.group(2)]


def _lua(body_file: Path, headers: dict[str, str], tokens_file: Path | None) -> str:
    """A wrk script: POST the body; with ``tokens_file``, a different bearer token per call."""
    lines = ['wrk.method = "POST"']
    lines += [f'wrk.headers["{name}"] = "{value}"' for name, value in headers.items()]
    lines.append(f'local f = io.open("{body_file}", "rb"); wrk.body = f:read("*a"); f:close()')
    if tokens_file is not None:
        # Each of wrk's threads takes every other token, so no token is sent twice.
        lines += [
            "local counter = 1",
            "function setup(thread) thread:set('id', counter); counter = counter + 1 end",
            "function init(args)",
            f'  tokens = {{}}; for line in io.lines("{tokens_file}") do tokens[#tokens + 1] = line end',
            "  next_token = id",
            "end",
            "function request()",
            '  wrk.headers["Authorization"] = "Bearer " .. tokens[next_token]',
            "  next_token = next_token + 2; if next_token > #tokens then next_token = id end",
            "  return wrk.format()",
            "end",
        ]
    return "\n".join(lines) + "\n"


def load(
    wrk: str,
    port: int,
    endpoint: Endpoint,
    body_file: Path,
    seconds: int,
    tokens: tuple[Path, Path] | None = None,
) -> dict[str, float]:
    """wrk's figures for ``seconds`` after a 2 s warm-up; ``tokens``: (warm-up, run) token files."""
    url = f"http://127.0.0.1:{port}{endpoint.path}"
    commands = []
    for stage, tokens_file in (("warm", tokens[0] if tokens else None), ("run", tokens[1] if tokens else None)):
        script = body_file.with_suffix(f".{port}.{stage}.lua")
        script.write_text(_lua(body_file, endpoint.headers, tokens_file), encoding="utf-8")
        commands.append([wrk, "-t2", f"-c{CONNECTIONS}", "--latency", "-s", str(script)])
    subprocess.run([*commands[0], "-d2s", url], check=True, capture_output=True)  # warm-up
    out = subprocess.run([*commands[1], f"-d{seconds}s", url], check=True, capture_output=True, text=True)
    text = out.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", text, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", text, re.M).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = int(non2xx.group(1)) if non2xx else 0
    return {"rps": rps, "p50": p50, "p99": p99, "errors": errors}


@dataclass(frozen=True)
class Endpoint:
    path: str
    headers: dict[str, str]
    signed: bool = False  # each call carries its own bearer token


ENDPOINTS = {
    "API": Endpoint("/api/v1/assessments", {"Content-Type": "application/json"}),
    # As HTMX sends it: the form fields, the CSRF cookie and the same token in a header.
    "form": Endpoint("/ui/assess", {"Content-Type": "application/x-www-form-urlencoded",
                                    "Cookie": f"mgpn_csrf={CSRF_TOKEN}", "X-CSRF-Token": CSRF_TOKEN,
                                    "HX-Request": "true"}),
    "CDS patient-view": Endpoint(CDS_PATH, {"Content-Type": "application/json"}, signed=True),
}  # fmt: skip


def cds_setup(folder: str, port: int, per_second: int, seconds: int) -> tuple[dict[str, str], Path, Path, tuple[Path, Path]]:
    """Environment for mgpn serve, the prefetch body, one signed token for the size probe,
    and token files for the warm-up and the run (each call needs a token never used before)."""
    sys.path.insert(0, str(HERE.parent))
    from bench_cds_hooks import prefetch_body
    from tests.cdshooks.ehr import Ehr

    ehr = Ehr()
    jwks = Path(folder, "jwks.json")
    jwks.write_text(json.dumps(ehr.jwks), encoding="utf-8")
    base = f"http://127.0.0.1:{port}"
    config = Path(folder, f"cds-{port}.yaml")
    config.write_text(json.dumps({"base_url": base, "web_app_url": base,
                                  "issuers": [{"iss": CDS_ISSUER, "jwks_file": str(jwks)}]}), encoding="utf-8")  # fmt: skip
    body = Path(folder, "cds.json")
    body.write_bytes(json.dumps(prefetch_body()).encode())

    def signed(count: int, name: str) -> Path:
        path = Path(folder, f"tokens-{port}-{name}.txt")
        path.write_text("\n".join(ehr.token(CDS_PATH, iss=CDS_ISSUER, aud=base + CDS_PATH, exp_in=900,
                                             jti=str(uuid.uuid4())) for _ in range(count)) + "\n")  # fmt: skip
        return path

    return {"MGPN_CDS_CONFIG": str(config)}, body, signed(1, "probe"), (signed(per_second * 3, "warm"), signed(per_second * (seconds + 1), "run"))


def rows(seconds: int = 10, workers: tuple[int, ...] = (1, 2)) -> list[Row]:
    wrk = ensure_wrk()
    mgpn = shutil.which("mgpn") or str(Path(sys.executable).with_name("mgpn"))
    out: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        bodies = {"API": Path(folder, "case.json"), "form": Path(folder, "form.txt")}
        bodies["API"].write_bytes(case_json())
        bodies["form"].write_bytes(form_body())
        for count in workers:
            port = free_port()
            # Enough tokens for up to 300 calls/s per worker (a token sent twice would be a 401).
            env, bodies["CDS patient-view"], probe, tokens = cds_setup(folder, port, 300 * count, seconds)
            db = f"sqlite:///{Path(folder, f'bench-{count}.sqlite3')}"
            sizes: dict[str, int] = {}
            real: dict[str, dict[str, float]] = {}
            with serving([mgpn, "serve", "--no-auth", "--port", str(port), "--database-url", db,
                          "--workers", str(count)], port, env):
                first = probe.read_text().strip()
                for name, endpoint in ENDPOINTS.items():
                    headers = {**endpoint.headers, **({"Authorization": f"Bearer {first}"} if endpoint.signed else {})}
                    sizes[name] = len(post(port, endpoint.path, bodies[name].read_bytes(), headers))
                for name, endpoint in ENDPOINTS.items():
                    real[name] = load(wrk, port, endpoint, bodies[name], seconds, tokens if endpoint.signed else None)
            port = free_port()
            bare: dict[str, dict[str, float]] = {}
            with serving([sys.executable, str(HERE / "bare_app.py"), "--port", str(port),
                          "--workers", str(count), "--json-bytes", str(sizes["API"]),
                          "--html-bytes", str(sizes["form"]), "--cds-bytes", str(sizes["CDS patient-view"])], port):
                for name, endpoint in ENDPOINTS.items():
                    bare[name] = load(wrk, port, endpoint, bodies[name], seconds, tokens if endpoint.signed else None)
            for name, endpoint in ENDPOINTS.items():
                label = f"{name} {endpoint.path}, {count} worker(s), {CONNECTIONS} conn."
                ours, base = real[name], bare[name]
                note = f" ({ours['errors']:.0f} non-2xx)" if ours["errors"] else ""
                out.append(Row(f"{label}: throughput{note}", ours["rps"], "req/s",
                               "bare FastAPI endpoint", base["rps"], "≥ 0.5x", higher_is_better=True))
                out.append(Row(f"{label}: p50 latency", ours["p50"], "ms", "bare", base["p50"]))
                out.append(Row(f"{label}: p99 latency", ours["p99"], "ms", "bare", base["p99"], "< 50 ms"))
    return out


def main() -> None:
    from _table import machine, markdown

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    args = parser.parse_args()
    counts = tuple(int(x) for x in args.workers.split(","))
    print(machine())
    print(markdown(rows(args.seconds, counts)))


if __name__ == "__main__":
    main()

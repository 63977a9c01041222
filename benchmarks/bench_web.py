"""Throughput and latency of the JSON API and the live form, against a bare FastAPI endpoint.

    python benchmarks/bench_web.py [--seconds 10] [--workers 1,2]

Each server runs alone on 127.0.0.1 (mgpn with an SQLite file in a temporary folder;
the baseline is ``benchmarks/bare_app.py``, same uvicorn settings, same request body,
an answer of the same size). Load comes from Debian's ``wrk`` (16 connections, 2
threads), installed with apt-get when missing and running as root. The server and
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
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _table import Row

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent / "src" / "mgpn" / "examples" / "anti-mag-neuropathy.yaml"
CONNECTIONS = 16


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
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def post(port: int, path: str, body: bytes, content_type: str) -> bytes:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=body, headers={"Content-Type": content_type}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        data: bytes = answer.read()
        return data


_UNIT = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not match:
        raise ValueError(text)
    return float(match.group(1)) * _UNIT[match.group(2)]


def load(
    wrk: str, port: int, path: str, body_file: Path, content_type: str, seconds: int
) -> dict[str, float]:
    script = body_file.with_suffix(".lua")
    script.write_text(
        'wrk.method = "POST"\n'
        f'wrk.headers["Content-Type"] = "{content_type}"\n'
        f'local f = io.open("{body_file}", "rb"); wrk.body = f:read("*a"); f:close()\n',
        encoding="utf-8",
    )
    url = f"http://127.0.0.1:{port}{path}"
    base = [wrk, "-t2", f"-c{CONNECTIONS}", "--latency", "-s", str(script)]
    subprocess.run([*base, "-d2s", url], check=True, capture_output=True)  # warm-up
    out = subprocess.run([*base, f"-d{seconds}s", url], check=True, capture_output=True, text=True)
    text = out.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", text, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", text, re.M).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = int(non2xx.group(1)) if non2xx else 0
    return {"rps": rps, "p50": p50, "p99": p99, "errors": errors}


ENDPOINTS = {
    "API": ("/api/v1/assessments", "application/json"),
    "form": ("/ui/assess", "application/x-www-form-urlencoded"),
}


def rows(seconds: int = 10, workers: tuple[int, ...] = (1, 2)) -> list[Row]:
    wrk = ensure_wrk()
    mgpn = shutil.which("mgpn") or str(Path(sys.executable).with_name("mgpn"))
    out: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        bodies = {
            "API": Path(folder, "case.json"),
            "form": Path(folder, "form.txt"),
        }
        bodies["API"].write_bytes(case_json())
        bodies["form"].write_bytes(form_body())
        for count in workers:
            port = free_port()
            db = f"sqlite:///{Path(folder, f'bench-{count}.sqlite3')}"
            sizes: dict[str, int] = {}
            real: dict[str, dict[str, float]] = {}
            with serving(
                [mgpn, "serve", "--port", str(port), "--database-url", db, "--workers", str(count)],
                port,
            ):
                for name, (path, kind) in ENDPOINTS.items():
                    sizes[name] = len(post(port, path, bodies[name].read_bytes(), kind))
                    real[name] = load(wrk, port, path, bodies[name], kind, seconds)
            port = free_port()
            bare: dict[str, dict[str, float]] = {}
            with serving(
                [
                    sys.executable,
                    str(HERE / "bare_app.py"),
                    "--port",
                    str(port),
                    "--workers",
                    str(count),
                    "--json-bytes",
                    str(sizes["API"]),
                    "--html-bytes",
                    str(sizes["form"]),
                ],
                port,
            ):
                for name, (path, kind) in ENDPOINTS.items():
                    bare[name] = load(wrk, port, path, bodies[name], kind, seconds)
            for name in ENDPOINTS:
                label = f"{name} {ENDPOINTS[name][0]}, {count} worker(s), {CONNECTIONS} conn."
                ours, base = real[name], bare[name]
                note = f" ({ours['errors']:.0f} non-2xx)" if ours["errors"] else ""
                out.append(
                    Row(
                        f"{label}: throughput{note}",
                        ours["rps"],
                        "req/s",
                        "bare FastAPI endpoint",
                        base["rps"],
                        "≥ 0.5x",
                        higher_is_better=True,
                    )
                )
                out.append(Row(f"{label}: p50 latency", ours["p50"], "ms", "bare", base["p50"]))
                out.append(
                    Row(f"{label}: p99 latency", ours["p99"], "ms", "bare", base["p99"], "< 50 ms")
                )
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

"""The real server for load and crash tests: ``mgpn serve`` in a subprocess on 127.0.0.1.

Started exactly as a user starts it (the CLI, uvicorn, a free port), so a SIGKILL is a
real crash of a real process.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

START_TIMEOUT = 90.0  # seconds; the machine is shared and the knowledge base loads first


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, nothing is flushed by the program."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def start_server(database_url: str, log: Path, port: int | None = None) -> LiveServer:
    port = port or free_port()
    command = [
        sys.executable,
        "-c",
        "from mgpn.cli.main import run; run()",
        "serve",
        "--no-auth",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--database-url",
        database_url,
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MGPN_")}
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    server = LiveServer(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"mgpn serve exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(server.url + "/api/v1/cases", timeout=5).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    server.kill()
    raise RuntimeError(f"mgpn serve did not answer in {START_TIMEOUT} s")

"""A real `foley serve` on a free loopback port, for integration tests."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(data_dir: Path, *args: str, token: str | None = None):
    """Start the server, wait until /v1/health answers, yield its base URL, stop it."""
    with server_process(data_dir, *args, token=token) as (url, _):
        yield url


@contextmanager
def server_process(data_dir: Path, *args: str, token: str | None = None, port: int | None = None):
    """As `running_server`, yielding (base URL, Popen) for tests that kill it themselves."""
    port = port or free_port()
    foley = str(Path(sys.executable).with_name("foley"))
    data_dir.mkdir(parents=True, exist_ok=True)
    console = open(data_dir / f"console-{port}.txt", "w")  # a file, not a pipe nobody reads: it never fills up
    proc = subprocess.Popen([foley, "serve", "--port", str(port), "--data-dir", str(data_dir), *args],
                            stdout=console, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        deadline = time.time() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {(data_dir / f'console-{port}.txt').read_text()}")
            try:
                response = httpx.get(f"{url}/v1/health", headers=headers, timeout=2)
                if response.status_code in (200, 401):
                    break
            except httpx.TransportError:
                pass
            if time.time() > deadline:
                raise RuntimeError("server did not start within 60 s")
            time.sleep(0.1)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        console.close()


def wait_for_job(url: str, job_id: str, timeout: float = 120) -> dict:
    """Poll the job's status until it has ended; its last status."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        status = httpx.get(f"{url}/v1/jobs/{job_id}").json()
        if status["state"] in ("done", "failed", "cancelled"):
            return status
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s")

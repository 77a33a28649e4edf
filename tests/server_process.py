"""A real `foley serve` on a free loopback port, and what tests do with it: the one way tests start a
server, submit a job and wait for it (the fixtures in conftest.py hand these out)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

TERMINAL = frozenset({"done", "failed", "cancelled"})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    """One running server process and the HTTP calls tests make to it."""

    url: str
    data_dir: Path
    proc: subprocess.Popen
    token: str | None = None
    http: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        self.http = httpx.Client(base_url=self.url, headers=headers, timeout=30)

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1)

    @property
    def console(self) -> str:
        """What the server printed (its log lines included)."""
        return (self.data_dir / f"console-{self.url.rsplit(':', 1)[1]}.txt").read_text()

    def get(self, path: str, **kwargs) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def post(self, path: str, **kwargs) -> httpx.Response:
        return self.http.post(path, **kwargs)

    def submit(self, body: dict, **kwargs) -> str:
        """POST the job, insisting it is accepted; its id."""
        response = self.http.post("/v1/jobs", json=body, **kwargs)
        assert response.status_code == 202, (response.status_code, response.text[:2000])
        return response.json()["job_id"]

    def status(self, job_id: str) -> dict:
        return self.http.get(f"/v1/jobs/{job_id}").json()

    def result(self, job_id: str) -> dict:
        response = self.http.get(f"/v1/jobs/{job_id}/result")
        assert response.status_code == 200, response.text[:2000]
        return response.json()

    def wait(self, job_id: str, timeout: float = 120) -> dict:
        """Poll the job's status until it has ended; its last status."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            status = self.status(job_id)
            if status["state"] in TERMINAL:
                return status
            time.sleep(0.05)
        raise AssertionError(f"job {job_id} did not finish in {timeout} s")

    def run(self, body: dict, timeout: float = 120) -> tuple[str, dict]:
        """Submit and wait: the job's id and its last status."""
        job_id = self.submit(body)
        return job_id, self.wait(job_id, timeout)


@contextmanager
def live_server(data_dir: Path, *args: str, token: str | None = None, port: int | None = None,
                env: dict[str, str] | None = None) -> Iterator[LiveServer]:
    """Start `foley serve` with these arguments (and `env` over this process's environment), wait until
    /v1/health answers, stop it afterwards."""
    port = port or free_port()
    foley = str(Path(sys.executable).with_name("foley"))
    data_dir.mkdir(parents=True, exist_ok=True)
    console = open(data_dir / f"console-{port}.txt", "w")  # a file, not a pipe nobody reads: it never fills up
    proc = subprocess.Popen([foley, "serve", "--port", str(port), "--data-dir", str(data_dir), *args],
                            stdout=console, stderr=subprocess.STDOUT, text=True, env={**os.environ, **(env or {})})
    server = LiveServer(f"http://127.0.0.1:{port}", data_dir, proc, token)
    try:
        deadline = time.time() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {server.console}")
            try:
                if server.get("/v1/health", timeout=2).status_code in (200, 401):
                    break
            except httpx.TransportError:
                pass
            if time.time() > deadline:
                raise RuntimeError("server did not start within 60 s")
            time.sleep(0.1)
        yield server
    finally:
        server.http.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        console.close()

"""HTTP (stdlib urllib) and progress events (websockets' sync client) against one Foley server."""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import AuthRequired, JobCancelled, JobFailed, RequestRefused, ServerUnavailable

DEFAULT_URL = "http://127.0.0.1:7865"
DEFAULT_DATA_DIR = Path.home() / ".foley-bridge"
TERMINAL = ("done", "failed", "cancelled")


class FoleyClient:
    """One server: its address and token; every call raises a FoleyClientError an editor can show."""

    def __init__(self, base_url: str = DEFAULT_URL, token: str | None = None, timeout: float = 10.0,
                 token_file: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token or None
        self.timeout = timeout
        self.token_file = token_file or str(DEFAULT_DATA_DIR / "token")

    @classmethod
    def from_environment(cls, data_dir: Path | None = None) -> "FoleyClient":
        """FOLEY_URL and FOLEY_TOKEN, else the default address and the token file of a local server."""
        token_file = (data_dir or DEFAULT_DATA_DIR) / "token"
        token = os.environ.get("FOLEY_TOKEN")
        if not token and token_file.is_file():
            token = token_file.read_text().strip()
        return cls(os.environ.get("FOLEY_URL", DEFAULT_URL), token, token_file=str(token_file))

    # -- HTTP -------------------------------------------------------------------------------------

    def _request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None,
                 raw: bool = False):
        data = json.dumps(body).encode() if body is not None else (b"{}" if method == "POST" else None)
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        if method == "POST":
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            text = exc.read().decode("utf-8", "replace")
            if exc.code == 401:
                raise AuthRequired(self.base_url, self.token_file) from None
            try:
                detail = json.loads(text)
                message = detail.get("detail") or detail.get("error") or text
            except ValueError:
                message = text or exc.reason
            raise RequestRefused(exc.code, message if isinstance(message, str) else json.dumps(message)) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
            raise ServerUnavailable(self.base_url, str(getattr(exc, "reason", exc))) from None
        return payload if raw else json.loads(payload)

    def health(self) -> dict:
        return self._request("GET", "/v1/health")

    def engines(self) -> dict:
        return self._request("GET", "/v1/engines")

    def submit(self, *, output_dir: str, clips: list[dict], timeline: dict | None = None,
               timeline_path: str | None = None, engine: str = "procedural", profile: str = "balanced",
               seed: int = 0, idempotency_key: str | None = None) -> dict:
        """Queue a job; the answer has job_id and its status/result/events URLs."""
        body = {"output_dir": output_dir, "clips": clips, "engine": engine, "profile": profile, "seed": seed}
        if timeline is not None:
            body["timeline"] = timeline
        if timeline_path is not None:
            body["timeline_path"] = timeline_path
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return self._request("POST", "/v1/jobs", body, headers)

    def status(self, job_id: str) -> dict:
        return self._request("GET", f"/v1/jobs/{_quote(job_id)}")

    def cancel(self, job_id: str) -> dict:
        return self._request("POST", f"/v1/jobs/{_quote(job_id)}/cancel")

    def result(self, job_id: str) -> dict:
        return self._request("GET", f"/v1/jobs/{_quote(job_id)}/result")

    def download(self, job_id: str, name: str, dest: Path) -> Path:
        """Fetch a delivered WAV (for an editor on another machine); written whole or not at all."""
        payload = self._request("GET", f"/v1/jobs/{_quote(job_id)}/files/{_quote(name)}", raw=True)
        dest = Path(dest)
        tmp = dest.with_name(f".{dest.name}.partial")
        tmp.write_bytes(payload)
        os.replace(tmp, dest)
        return dest

    # -- events -----------------------------------------------------------------------------------

    def events(self, job_id: str | None = None, idle_s: float = 1.0) -> Iterator[dict]:
        """Progress events as they come (the job's current state first); ends when the server closes.

        When nothing arrives for `idle_s`, yields {"type": "idle"} so a caller can look up from waiting.
        """
        from websockets.exceptions import ConnectionClosed, InvalidStatus
        from websockets.sync.client import connect

        ws_url = "ws" + self.base_url[4:] + (f"/v1/jobs/{_quote(job_id)}/events" if job_id else "/v1/events")
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else None
        try:
            with connect(ws_url, additional_headers=headers, open_timeout=self.timeout) as ws:
                while True:
                    try:
                        text = ws.recv(timeout=idle_s)
                    except TimeoutError:
                        yield {"type": "idle"}
                        continue
                    except ConnectionClosed:
                        return
                    yield json.loads(text)
        except InvalidStatus as exc:
            if exc.response.status_code == 401:
                raise AuthRequired(self.base_url, self.token_file) from None
            raise RequestRefused(exc.response.status_code, "the event stream was refused") from None
        except (OSError, TimeoutError) as exc:
            raise ServerUnavailable(self.base_url, str(exc)) from None

    def follow(self, job_id: str, on_event: Callable[[dict], None] = lambda event: None,
               stop: threading.Event | None = None) -> dict:
        """Pass each event of the job to `on_event` until it ends; the result when done, else raise."""
        for event in self.events(job_id):
            if stop is not None and stop.is_set():
                break
            if event["type"] == "idle":
                continue
            on_event(event)
            state = event.get("state") if event.get("type") == "state" else event.get("type")
            if state in TERMINAL:
                return self._ended(job_id, state, event.get("message", ""))
        status = self.status(job_id)  # the stream ended or we were asked to stop: ask once more
        if stop is not None and stop.is_set():
            status = self._settled(job_id, status)
        if status["state"] in TERMINAL:
            return self._ended(job_id, status["state"], status.get("error") or "")
        raise JobCancelled(job_id) if stop is not None and stop.is_set() else ServerUnavailable(
            self.base_url, "the event stream closed before the job ended")

    def _settled(self, job_id: str, status: dict, wait_s: float = 10.0) -> dict:
        """After a cancel, the job's status once the server has stopped it (it needs up to a second),
        so the editor never says "cancelled" while the job still runs."""
        deadline = time.monotonic() + wait_s
        while status["state"] not in TERMINAL and time.monotonic() < deadline:
            time.sleep(0.1)
            status = self.status(job_id)
        return status

    def _ended(self, job_id: str, state: str, message: str) -> dict:
        if state == "done":
            return self.result(job_id)
        if state == "cancelled":
            raise JobCancelled(job_id)
        raise JobFailed(job_id, message or self.status(job_id).get("error") or "no reason given")


def _quote(part: str) -> str:
    return urllib.parse.quote(part, safe="")

"""HTTP (stdlib urllib) and progress events against one Foley server.

Editors run this on whatever Python they embed: DaVinci Resolve uses the user's own Python (3.6 and
up) with no packages, so this module is standard library only, in Python 3.6 syntax (no
`from __future__ import annotations`, no `X | Y`, no builtin generics in annotations). Progress
comes over the WebSocket when `websockets` imports, else by polling the job's status.
"""

import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional

from .errors import AuthRequired, JobCancelled, JobFailed, RequestRefused, ServerUnavailable

DEFAULT_URL = "http://127.0.0.1:7865"
DEFAULT_DATA_DIR = Path.home() / ".foley-bridge"
TERMINAL = ("done", "failed", "cancelled")
#: Environment variables naming the server, first found wins.
URL_VARIABLES = ("FOLEY_SERVER_URL", "FOLEY_URL")


def websockets_available() -> bool:
    """True when the `websockets` sync client imports here (not in Resolve's bare Python, nor on Python < 3.8)."""
    try:
        from websockets.sync.client import connect  # noqa: F401
    except Exception:  # ImportError, or a SyntaxError from a copy newer than this Python
        return False
    return True


class FoleyClient:
    """One server: its address and token; every call raises a FoleyClientError an editor can show."""

    def __init__(self, base_url: str = DEFAULT_URL, token: Optional[str] = None, timeout: float = 10.0,
                 token_file: Optional[str] = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token or None
        self.timeout = timeout
        self.token_file = token_file or str(DEFAULT_DATA_DIR / "token")

    @classmethod
    def from_environment(cls, data_dir: Optional[Path] = None, fallback_url: Optional[str] = None) -> "FoleyClient":
        """FOLEY_SERVER_URL (or FOLEY_URL) and FOLEY_TOKEN, else `fallback_url` (a plugin's config), the
        default address and the token file of a local server."""
        token_file = Path(data_dir or DEFAULT_DATA_DIR) / "token"
        token = os.environ.get("FOLEY_TOKEN")
        if not token and token_file.is_file():
            token = token_file.read_text().strip()
        url = next((os.environ[name] for name in URL_VARIABLES if os.environ.get(name)), None)
        return cls(url or fallback_url or DEFAULT_URL, token, token_file=str(token_file))

    # -- HTTP -------------------------------------------------------------------------------------

    def _request(self, method: str, path: str, body: Optional[dict] = None, headers: Optional[dict] = None,
                 raw: bool = False):
        data = json.dumps(body).encode() if body is not None else (b"{}" if method == "POST" else None)
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        if method == "POST":
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", "Bearer {}".format(self.token))
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
        except (urllib.error.URLError, ConnectionError, OSError) as exc:  # socket timeouts are OSErrors
            raise ServerUnavailable(self.base_url, str(getattr(exc, "reason", exc))) from None
        return payload if raw else json.loads(payload.decode("utf-8"))

    def health(self) -> dict:
        return self._request("GET", "/v1/health")

    def engines(self) -> dict:
        return self._request("GET", "/v1/engines")

    def timeline_clips(self, timeline_path: str) -> dict:
        """The picture clips of a timeline file as the server reads it: ids, names, tracks and record frames."""
        return self._request("POST", "/v1/timelines/clips", {"timeline_path": timeline_path})

    def submit(self, *, output_dir: str, clips: List[dict], timeline: Optional[dict] = None,
               timeline_path: Optional[str] = None, engine: str = "procedural", profile: str = "balanced",
               seed: int = 0, idempotency_key: Optional[str] = None) -> dict:
        """Queue a job; the answer has job_id and its status/result/events URLs."""
        body = {"output_dir": output_dir, "clips": clips, "engine": engine, "profile": profile, "seed": seed}
        if timeline is not None:
            body["timeline"] = timeline
        if timeline_path is not None:
            body["timeline_path"] = timeline_path
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return self._request("POST", "/v1/jobs", body, headers)

    def status(self, job_id: str) -> dict:
        return self._request("GET", "/v1/jobs/" + _quote(job_id))

    def cancel(self, job_id: str) -> dict:
        return self._request("POST", "/v1/jobs/{}/cancel".format(_quote(job_id)))

    def result(self, job_id: str) -> dict:
        return self._request("GET", "/v1/jobs/{}/result".format(_quote(job_id)))

    def download(self, job_id: str, name: str, dest: Path) -> Path:
        """Fetch a delivered WAV (for an editor on another machine); written whole or not at all."""
        payload = self._request("GET", "/v1/jobs/{}/files/{}".format(_quote(job_id), _quote(name)), raw=True)
        dest = Path(dest)
        tmp = dest.with_name(".{}.partial".format(dest.name))
        tmp.write_bytes(payload)
        os.replace(str(tmp), str(dest))
        return dest

    # -- events -----------------------------------------------------------------------------------

    def events(self, job_id: Optional[str] = None, idle_s: float = 1.0) -> Iterator[dict]:
        """Progress events as they come over the WebSocket (the job's current state first); ends when the
        server closes. Needs `websockets`.

        When nothing arrives for `idle_s`, yields {"type": "idle"} so a caller can look up from waiting.
        """
        from websockets.exceptions import ConnectionClosed, InvalidStatus
        from websockets.sync.client import connect

        ws_url = "ws" + self.base_url[4:] + ("/v1/jobs/{}/events".format(_quote(job_id)) if job_id else "/v1/events")
        headers = {"Authorization": "Bearer {}".format(self.token)} if self.token else None
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

    def polled_events(self, job_id: str, interval_s: float = 0.25) -> Iterator[dict]:
        """The job's state changes and finished clips, read by polling its status (no `websockets` needed).

        Yields {"type": "state", ...} first, then clip_done / clip_failed as clips finish and the job's
        own state changes, and ends after its final state. Fractions within a clip are not visible this way.
        """
        state: Optional[str] = None
        clips: Dict[str, dict] = {}
        while True:
            status = self.status(job_id)
            if state is None:
                yield {"type": "state", "job_id": job_id, "state": status["state"], "clips": status.get("clips", {}),
                       "message": status.get("error") or "", "t": time.time()}
                clips = dict(status.get("clips", {}))
            else:
                for clip_id, clip in sorted(status.get("clips", {}).items()):
                    if clips.get(clip_id, {}).get("state") != clip.get("state"):
                        kind = "clip_done" if clip.get("state") == "done" else "clip_failed"
                        yield {"type": kind, "job_id": job_id, "clip_id": clip_id, "message": clip.get("error") or "",
                               "t": time.time()}
                        clips[clip_id] = clip
                if status["state"] != state:
                    yield {"type": status["state"], "job_id": job_id, "message": status.get("error") or "",
                           "t": time.time()}
            state = status["state"]
            if state in TERMINAL:
                return
            time.sleep(interval_s)

    def follow(self, job_id: str, on_event: Callable[[dict], None] = lambda event: None,
               stop: Optional[threading.Event] = None, use_websocket: Optional[bool] = None) -> dict:
        """Pass each event of the job to `on_event` until it ends; the result when done, else raise.

        Events come over the WebSocket when `websockets` imports (or `use_websocket` says so), else by polling.
        """
        if use_websocket is None:
            use_websocket = websockets_available()
        stream = self.events(job_id) if use_websocket else self.polled_events(job_id)
        try:
            for event in stream:
                if stop is not None and stop.is_set():
                    break
                if event["type"] == "idle":
                    continue
                on_event(event)
                state = event.get("state") if event.get("type") == "state" else event.get("type")
                if state in TERMINAL:
                    return self._ended(job_id, state, event.get("message", ""))
        finally:
            stream.close()
        status = self.status(job_id)  # the stream ended or we were asked to stop: ask once more
        if stop is not None and stop.is_set():
            # A running job stops within about a second of its cancel: report how it really ended.
            deadline = time.time() + self.timeout
            while status["state"] not in TERMINAL and time.time() < deadline:
                time.sleep(0.1)
                status = self.status(job_id)
            if status["state"] not in TERMINAL:
                raise JobCancelled(job_id)
        if status["state"] in TERMINAL:
            return self._ended(job_id, status["state"], status.get("error") or "")
        raise ServerUnavailable(self.base_url, "the event stream closed before the job ended")

    def _ended(self, job_id: str, state: str, message: str) -> dict:
        if state == "done":
            return self.result(job_id)
        if state == "cancelled":
            raise JobCancelled(job_id)
        raise JobFailed(job_id, message or self.status(job_id).get("error") or "no reason given")


def _quote(part: str) -> str:
    return urllib.parse.quote(part, safe="")

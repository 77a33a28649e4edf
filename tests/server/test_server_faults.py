"""Faults around a real server: partial failures, clients that vanish or stop reading, many clients at once."""

from __future__ import annotations

import json
import socket
import threading
import time
from fractions import Fraction
from pathlib import Path

import httpx
import opentimelineio as otio
import pytest
from websockets.sync.client import connect

from foley_server.demo.footage import write_corrupt_file, write_event_video, write_long_video
from otio_fixtures import event_clip, otio_clip, timeline_with
from server_process import TERMINAL

RATE = Fraction(25)


def _inline(timeline: otio.schema.Timeline) -> dict:
    return json.loads(otio.adapters.write_to_string(timeline, "otio_json"))


def _clip_over(media: Path, name: str, frames: int) -> otio.schema.Clip:
    return otio.schema.Clip(
        name=name,
        media_reference=otio.schema.ExternalReference(target_url=otio.url_utils.url_from_filepath(str(media))),
        source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, 25), otio.opentime.RationalTime(frames, 25)),
    )


@pytest.fixture(scope="module")
def env(served, project):
    tiny = project / "tiny.mp4"
    write_event_video(tiny, fps=RATE, n_frames=25, event_frames=[8], size=(64, 36))
    long = project / "long.mp4"
    write_long_video(long, 120.0, 25, (64, 36))
    return served, project, tiny, long


def test_a_job_with_missing_and_corrupt_media_delivers_the_good_clip_and_explains_the_others(env):
    server, root, _, _ = env
    corrupt = root / "corrupt.mp4"
    write_corrupt_file(corrupt)
    good = otio_clip(event_clip(root, "Good", RATE))
    missing = _clip_over(root / "gone.mp4", "Missing", 50)
    broken = _clip_over(corrupt, "Corrupt", 50)
    body = {"timeline": _inline(timeline_with([good, missing, broken], RATE)), "output_dir": str(root / "partial")}
    job, status = server.run(body)
    assert status["state"] == "done"
    states = {c["state"] for c in status["clips"].values()}
    assert states == {"done", "failed"}
    result = server.get(f"/v1/jobs/{job}/result").json()
    assert [Path(p["path"]).name.split("_")[0] for p in result["placements"]] == ["Good"]
    warnings = " ".join(result["warnings"])
    assert "Missing" in warnings and "gone.mp4" in warnings and "Corrupt" in warnings
    assert server.get("/v1/health").json()["status"] == "ok"


def test_clients_that_vanish_or_stop_reading_never_hold_up_the_job_or_the_others(env):
    server, root, _, long = env
    ws_url = server.ws_url
    body = {"timeline": _inline(timeline_with([_clip_over(long, "Long", 120 * 25)], RATE)), "output_dir": str(root / "dc")}
    host, port = server.url.removeprefix("http://").split(":")
    # A client that opens the event stream and then drops the TCP connection without a close frame.
    rude = socket.create_connection((host, int(port)))
    rude.sendall(b"GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    assert b"101" in rude.recv(1024).split(b"\r\n")[0]
    stalled = connect(f"{ws_url}/v1/events", ping_interval=None)  # subscribed, then never reads a thing
    with connect(f"{ws_url}/v1/events") as watcher:
        started = time.monotonic()
        job = server.submit(body)
        rude.close()
        seen = []
        while True:
            event = json.loads(watcher.recv(timeout=60))
            if event.get("job_id") == job:
                seen.append(event["type"])
                if event["type"] in TERMINAL:
                    break
        took = time.monotonic() - started
    stalled.socket.close()  # it never reads, so it could not finish a polite close handshake either
    assert seen[-1] == "done" and "progress" in seen
    assert took < 10, took  # the job alone takes about 1 s here
    response = server.get("/v1/health", timeout=2)
    assert response.status_code == 200


def test_fifty_jobs_from_ten_clients_all_finish_and_each_client_sees_its_own_done_events(env):
    server, root, tiny, _ = env
    ws_url = server.ws_url
    timeline = _inline(timeline_with([_clip_over(tiny, "Tiny", 25)], RATE))
    failures: list[str] = []
    health_latency: list[float] = []
    stop = threading.Event()

    def client(index: int) -> None:
        try:
            with httpx.Client(base_url=server.url, timeout=30) as http, connect(f"{ws_url}/v1/events") as ws:
                mine = {http.post("/v1/jobs", json={"timeline": timeline, "output_dir": str(root / f"c{index}-{k}")})
                        .json()["job_id"] for k in range(5)}
                finished = {}
                deadline = time.monotonic() + 120
                while len(finished) < len(mine) and time.monotonic() < deadline:
                    event = json.loads(ws.recv(timeout=60))
                    if event.get("job_id") in mine and event["type"] in TERMINAL | {"state"}:
                        if event["type"] == "state" and event["state"] not in TERMINAL:
                            continue
                        finished[event["job_id"]] = event.get("state", event["type"])
                if set(finished.values()) != {"done"} or set(finished) != mine:
                    failures.append(f"client {index}: {finished}")
        except Exception as exc:  # reported by the main thread's assert
            failures.append(f"client {index}: {type(exc).__name__}: {exc}")

    def poll_health() -> None:
        while not stop.is_set():
            t0 = time.monotonic()
            server.get("/v1/health", timeout=5)
            health_latency.append(time.monotonic() - t0)
            time.sleep(0.05)

    clients = [threading.Thread(target=client, args=(i,)) for i in range(10)]
    poller = threading.Thread(target=poll_health)
    poller.start()
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(timeout=180)
    stop.set()
    poller.join()
    assert not failures, failures
    jobs = server.get("/v1/jobs").json()
    assert sum(j["state"] == "done" for j in jobs) >= 50
    assert health_latency and max(health_latency) < 1.0, max(health_latency)

"""Server overhead: submit -> first progress event latency, jobs/s for tiny clips, and one job's wall
time with 200 idle WebSocket subscribers / without any (target <= 1.02).

Idle subscribers are connected and never read (the server still sends each of them every event);
the same comparison with 200 subscribers that read everything is printed too: on a 2-core machine
their own parsing competes with the job for the cores, which is the clients' cost, not the server's.

Run: .venv/bin/python bench/server_overhead.py [--latency-jobs 30] [--burst 50] [--subscribers 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import opentimelineio as otio
import websockets
from websockets.sync.client import connect

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from foley_server.demo.footage import write_long_video  # noqa: E402
from server_process import live_server  # noqa: E402

TERMINAL = {"done", "failed", "cancelled"}


def _timeline(media: Path, seconds: float) -> dict:
    clip = otio.schema.Clip(
        name="Clip",
        media_reference=otio.schema.ExternalReference(target_url=otio.url_utils.url_from_filepath(str(media))),
        source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, 25),
                                             otio.opentime.RationalTime(int(seconds * 25), 25)),
    )
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    track.append(clip)
    timeline = otio.schema.Timeline(name="bench")
    timeline.tracks.append(track)
    return json.loads(otio.adapters.write_to_string(timeline, "otio_json"))


def first_event_latency(url: str, body: dict, jobs: int) -> list[float]:
    """Seconds from sending POST /v1/jobs to the first progress event of that job on /v1/events."""
    latencies = []
    with connect(url.replace("http", "ws") + "/v1/events") as ws, httpx.Client(base_url=url) as http:
        for index in range(jobs):
            t0 = time.perf_counter()
            job = http.post("/v1/jobs", json={**body, "output_dir": f"{body['output_dir']}/lat{index}"}).json()["job_id"]
            first = None
            while True:
                event = json.loads(ws.recv(timeout=60))
                if event.get("job_id") != job:
                    continue
                if first is None and event["type"] == "progress":
                    first = time.perf_counter() - t0
                if event["type"] in TERMINAL:
                    break
            latencies.append(first if first is not None else float("nan"))
    return latencies


def burst(url: str, body: dict, count: int) -> float:
    """Jobs per second when `count` tiny jobs are submitted at once."""
    with connect(url.replace("http", "ws") + "/v1/events") as ws, httpx.Client(base_url=url) as http:
        t0 = time.perf_counter()
        jobs = {http.post("/v1/jobs", json={**body, "output_dir": f"{body['output_dir']}/burst{i}"}).json()["job_id"]
                for i in range(count)}
        finished = set()
        while finished != jobs:
            event = json.loads(ws.recv(timeout=120))
            if event.get("job_id") in jobs and event["type"] in TERMINAL:
                finished.add(event["job_id"])
        return count / (time.perf_counter() - t0)


def job_seconds(url: str, body: dict) -> float:
    """The worker's own wall time for one job (from its done event)."""
    with connect(url.replace("http", "ws") + "/v1/events") as ws:
        job = httpx.post(f"{url}/v1/jobs", json=body).json()["job_id"]
        while True:
            event = json.loads(ws.recv(timeout=300))
            if event.get("job_id") == job and event["type"] in TERMINAL:
                if event["type"] != "done":
                    raise RuntimeError(f"job {job} {event['type']}: {httpx.get(f'{url}/v1/jobs/{job}').json()}")
                return float(event["seconds"])


class IdleSubscribers:
    """`count` WebSocket clients on /v1/events in one asyncio thread: idle, or reading and dropping every event."""

    def __init__(self, url: str, count: int, read: bool = False) -> None:
        self.url, self.count, self.read = url.replace("http", "ws") + "/v1/events", count, read
        self.ready = threading.Event()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._main(),), daemon=True)
        self.stop: asyncio.Event | None = None

    async def _main(self) -> None:
        self.stop = asyncio.Event()
        sockets = [await websockets.connect(self.url) for _ in range(self.count)]

        async def drain(ws) -> None:
            if not self.read:
                return
            try:
                async for _ in ws:
                    pass
            except websockets.ConnectionClosed:
                pass

        tasks = [asyncio.create_task(drain(ws)) for ws in sockets]
        self.ready.set()
        await self.stop.wait()
        for ws in sockets:
            await ws.close()
        await asyncio.gather(*tasks)

    def __enter__(self) -> "IdleSubscribers":
        self.thread.start()
        if not self.ready.wait(60):
            raise RuntimeError("subscribers did not connect")
        return self

    def __exit__(self, *exc) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-jobs", type=int, default=30)
    parser.add_argument("--burst", type=int, default=50)
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--job-seconds", type=float, default=300.0, help="clip length of the subscriber comparison job")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        tiny, long = root / "tiny.mp4", root / "long.mp4"
        write_long_video(tiny, 1.0, 25, (64, 36))
        write_long_video(long, args.job_seconds, 25, (160, 90))
        with live_server(root / "data", "--allow-root", str(root), "--devices", "cpu", "--engine", "procedural") as server:
            url = server.url
            small = {"timeline": _timeline(tiny, 1.0), "output_dir": str(root / "out")}
            job_seconds(url, small)  # warm: engine banks, decoder child
            latencies = sorted(first_event_latency(url, small, args.latency_jobs))
            p99 = latencies[min(len(latencies) - 1, int(round(0.99 * (len(latencies) - 1))))]
            print(f"submit -> first progress event: median {statistics.median(latencies) * 1000:.1f} ms, "
                  f"p99 {p99 * 1000:.1f} ms ({len(latencies)} jobs, 1 s clips)")
            print(f"throughput: {burst(url, small, args.burst):.1f} jobs/s ({args.burst} tiny jobs submitted at once)")
            body = {"timeline": _timeline(long, args.job_seconds)}
            runs: dict[str, list[float]] = {"alone": [], "idle": [], "reading": []}
            for run in range(args.repeat):  # alternating, so drift on the machine hits all sides alike
                runs["alone"].append(job_seconds(url, {**body, "output_dir": str(root / "out" / f"alone{run}")}))
                for kind in ("idle", "reading"):
                    with IdleSubscribers(url, args.subscribers, read=kind == "reading"):
                        runs[kind].append(job_seconds(url, {**body, "output_dir": str(root / "out" / f"{kind}{run}")}))
    medians = {kind: statistics.median(values) for kind, values in runs.items()}
    print(f"{args.job_seconds:.0f} s clip job, medians of {args.repeat}: {medians['alone']:.3f} s alone, "
          f"{medians['idle']:.3f} s with {args.subscribers} idle subscribers, {medians['reading']:.3f} s with "
          f"{args.subscribers} reading subscribers")
    for kind, values in runs.items():
        print(f"  runs {kind:<8}{' '.join(f'{v:.2f}' for v in values)}")
    ratio = medians["idle"] / medians["alone"]
    print(f"ratio with/without idle subscribers = {ratio:.3f}  (target <= 1.02: {'met' if ratio <= 1.02 else 'NOT met'}); "
          f"with reading subscribers = {medians['reading'] / medians['alone']:.3f}")


if __name__ == "__main__":
    main()

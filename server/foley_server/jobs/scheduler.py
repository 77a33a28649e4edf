"""Workers per device, job events logged and fanned out, cancellation, and the server's own housekeeping."""

from __future__ import annotations

import importlib.util
import logging
import re
import threading
import time
from pathlib import Path

from ..engines.cache import EngineCache
from ..errors import FoleyError
from ..pipeline import decode_process
from ..storage import PARTIAL_SUFFIX
from .store import JobStore
from .worker import JobWorker

log = logging.getLogger("foley.jobs")

#: Event types that make a line in the log (progress would drown it).
LOGGED_EVENTS = {"queued", "started", "clip_done", "clip_failed", "done", "failed", "cancelled"}
_DEVICE = re.compile(r"^(cpu|cuda:\d+)$")


class DeviceError(FoleyError):
    """`--devices` names a device this machine does not have."""


def resolve_devices(spec: str) -> list[str]:
    """`auto` → every CUDA device (else cpu); or a comma list such as `cpu` or `cuda:0,cuda:1`."""
    if spec == "auto":
        return [f"cuda:{i}" for i in range(_cuda_count())] or ["cpu"]
    devices = [d.strip() for d in spec.split(",") if d.strip()]
    if not devices:
        raise DeviceError("--devices is empty; give auto, cpu, or e.g. cuda:0,cuda:1")
    for device in devices:
        if not _DEVICE.match(device):
            raise DeviceError(f"unknown device {device!r}; use auto, cpu, or cuda:N (e.g. cuda:0,cuda:1)")
    cuda = _cuda_count() if any(d.startswith("cuda:") for d in devices) else 0
    for device in devices:
        if device.startswith("cuda:") and int(device[5:]) >= cuda:
            found = f"{cuda} CUDA device(s)" if cuda else "no CUDA device"
            raise DeviceError(f"{device} is not available: this machine has {found}; use --devices auto or cpu")
    return devices


def _cuda_count() -> int:
    if importlib.util.find_spec("torch") is None:
        return 0
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


class Scheduler:
    """One worker per device; a queued job goes to whichever worker is free first."""

    def __init__(self, store: JobStore, publish, devices: list[str], *, preload: str | None = None,
                 keep_days: float = 30.0, keep_mb: float = 256.0, cache: EngineCache | None = None) -> None:
        self.store = store
        self._publish = publish
        self.preload = preload
        self.keep_days, self.keep_mb = keep_days, keep_mb
        self.cache = cache or EngineCache()
        self.workers = [JobWorker(store, device, self.publish, self.cache) for device in devices]
        self._stop = threading.Event()
        self._housekeeper = threading.Thread(target=self._housekeeping, name="foley-housekeeping", daemon=True)

    def publish(self, event: dict) -> None:
        """Every job event to the WebSockets; lifecycle events also to the log, one line each."""
        if event.get("type") in LOGGED_EVENTS and not (event["type"] == "started" and event.get("clip_id")):
            clip = f" clip {event['clip_id']}" if event.get("clip_id") else ""
            seconds = f" after {event['seconds']:.2f} s" if "seconds" in event else ""
            message = f": {event['message']}" if event.get("message") else ""
            log.info("job %s %s%s%s%s", event["job_id"], event["type"], clip, seconds, message)
        self._publish(event)

    def start(self) -> None:
        # Jobs a crash left running go back to the queue; their finished clips are on record, and
        # their temp files are dead (nothing runs yet), whatever their age.
        crashed = set()
        for job in self.store.unfinished():
            if job.state == "running":
                self.store.set_state(job.id, "queued")
                crashed.add(Path(job.request["output_dir"]))
                log.info("job %s requeued after a restart", job.id)
        remove_stale_temp_files(crashed, older_than_s=0.0)
        decode_process.warm_up()  # the first job then spends no time starting a decoder
        if self.preload:
            for worker in self.workers:
                worker.engine(self.preload)
        self.clean_up()
        for worker in self.workers:
            worker.start()
        self._housekeeper.start()

    def stop(self) -> None:
        self._stop.set()
        for worker in self.workers:
            worker.stop()
        self.cache.unload()
        decode_process.shutdown()

    def wake(self) -> None:
        for worker in self.workers:
            worker.wake()

    def cancel(self, job_id: str, wait_s: float = 2.0) -> bool:
        """Cancel a queued or running job; False if it had already finished."""
        if self.store.cancel_if_queued(job_id):
            self.publish({"type": "cancelled", "job_id": job_id, "message": "cancelled before it started"})
            return True
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            job = self.store.get(job_id)
            if job is None or job.finished:
                return False
            if any(worker.cancel(job_id) for worker in self.workers):
                return True
            time.sleep(0.01)  # claimed a moment ago; its worker is about to start it
        return False

    def engines(self) -> dict[str, list[str]]:
        """Engine name -> devices where it is loaded and resident."""
        loaded: dict[str, list[str]] = {}
        for worker in self.workers:
            for name in worker.engines:
                loaded.setdefault(name, []).append(worker.device)
        return loaded

    def busy(self) -> int:
        return sum(worker.current is not None for worker in self.workers)

    def clean_up(self) -> None:
        """Forget old finished jobs and remove temp files crashed jobs left; delivered WAVs stay."""
        forgotten = self.store.forget_finished(older_than=time.time() - self.keep_days * 86400,
                                               keep_bytes=int(self.keep_mb * 1024 * 1024))
        if forgotten:
            log.info("retention: forgot %d finished job(s) older than %g days or beyond %g MB", len(forgotten),
                     self.keep_days, self.keep_mb)
        jobs = [j for j in self.store.list(limit=10_000) if j.request.get("output_dir")]
        busy = {Path(j.request["output_dir"]) for j in jobs if j.state == "running"}  # their temp files are live
        removed = remove_stale_temp_files({Path(j.request["output_dir"]) for j in jobs} - busy)
        if removed:
            log.info("retention: removed %d temp file(s) left by interrupted jobs", len(removed))

    def _housekeeping(self) -> None:
        while not self._stop.wait(3600):
            self.clean_up()


def remove_stale_temp_files(folders: set[Path], older_than_s: float = 3600.0) -> list[Path]:
    """Our own hidden temp files (`.name-….partial`) in output folders, older than an hour; nothing else."""
    removed = []
    cutoff = time.time() - older_than_s
    for folder in folders:
        try:
            candidates = list(folder.glob(f".*{PARTIAL_SUFFIX}"))
        except OSError:
            continue
        for path in candidates:
            try:
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed.append(path)
            except OSError:
                continue
    return removed

"""The worker pool of one server process: a worker per device, their leases, housekeeping, job events."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from ..config import DEFAULT_LEASE_S
from ..engines.cache import EngineCache
from ..engines.heap import keep_freed_buffers
from ..pipeline import decode_process
from .cancellation import cancel_job
from .leases import LeaseKeeper, worker_id
from .retention import clean_up
from .store import JobStore
from .worker import JobWorker

log = logging.getLogger("foley.jobs")

#: Event types that make a line in the log (progress would drown it).
LOGGED_EVENTS = {"queued", "started", "clip_done", "clip_failed", "done", "failed", "cancelled"}
RETENTION_EVERY_S = 3600.0


class WorkerPool:
    """One worker per device; a queued job goes to whichever worker (of any process on the database) is free first."""

    def __init__(self, store: JobStore, publish: Callable[[dict], None], devices: Sequence[str], *,
                 preload: str | None = None, keep_days: float = 30.0, keep_mb: float = 256.0,
                 lease_s: float = DEFAULT_LEASE_S, cache: EngineCache | None = None) -> None:
        self.store = store
        self._publish = publish
        self.preload = preload
        self.keep_days, self.keep_mb = keep_days, keep_mb
        self.cache = cache or EngineCache()  # engines by (name, device, precision), shared by the workers
        self.workers = [JobWorker(store, device, worker_id=worker_id(device, i), publish=self.publish, cache=self.cache)
                        for i, device in enumerate(devices)]
        self.leases = LeaseKeeper(store, self.workers, lease_s, publish=self.publish, wake=self.wake)
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
        # Jobs whose worker died (their lease expired) go back to the queue with their finished clips
        # on record; jobs other live processes hold are left alone.
        self.leases.requeue_expired()
        decode_process.warm_up()  # the first job then spends no time starting a decoder
        keep_freed_buffers()  # before the workers' threads start, so they share the one arena it tunes
        if self.preload:
            for worker in self.workers:
                worker.engine(self.preload)
        self.clean_up()
        for worker in self.workers:
            worker.start()
        self.leases.start()
        self._housekeeper.start()

    def stop(self) -> None:
        self._stop.set()
        for worker in self.workers:
            worker.stop()  # a running job goes back to the queue
        self.leases.stop()
        self.cache.unload()
        decode_process.shutdown()

    def wake(self) -> None:
        for worker in self.workers:
            worker.wake()

    def cancel(self, job_id: str) -> bool:
        """Cancel a queued or running job; False if it had already finished."""
        return cancel_job(self.store, self.workers, job_id, self.publish)

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
        clean_up(self.store, keep_days=self.keep_days, keep_mb=self.keep_mb)

    def _housekeeping(self) -> None:
        while not self._stop.wait(RETENTION_EVERY_S):
            self.clean_up()

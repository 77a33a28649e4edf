"""Leases on running jobs: renewed while their worker lives, requeued once they expire.

A worker that holds a job renews its lease every third of the lease period; a job whose lease has
not been renewed for a whole period belonged to a process that died (kill -9, power loss), and any
server process on the same database queues it again (at start and every third of a period). A live
worker's job is never taken: its heartbeat is at most a third of a period old.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from typing import Protocol

from ..config import DEFAULT_LEASE_S
from .retention import remove_stale_temp_files
from .store import JobStore

log = logging.getLogger("foley.jobs")

_PROCESS = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def worker_id(device: str, index: int) -> str:
    """A name unique to one worker of one process (the random part tells a restarted pid apart)."""
    return f"{_PROCESS}/{device}#{index}"


class Holder(Protocol):
    """What the keeper needs of a worker."""

    id: str
    current: str | None

    def cancel(self, job_id: str) -> bool: ...


class LeaseKeeper:
    """One thread per process: renews its workers' leases, stops work whose lease was lost or whose
    cancellation was asked for elsewhere, and requeues expired leases."""

    def __init__(self, store: JobStore, holders: Sequence[Holder], lease_s: float = DEFAULT_LEASE_S, *,
                 publish: Callable[[dict], None] = lambda event: None, wake: Callable[[], None] = lambda: None) -> None:
        self.store = store
        self.holders = holders
        self.lease_s = lease_s
        self.publish = publish  # job events
        self.wake = wake  # the workers, when a job is queued again
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="foley-leases", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def renew(self) -> None:
        for holder in self.holders:
            job_id = holder.current
            if job_id is None:
                continue
            cancel = self.store.renew(job_id, holder.id)
            if cancel is None:  # requeued by another process after we missed our heartbeats: not ours now
                log.warning("job %s: lease lost by %s; stopping it here", job_id, holder.id)
                holder.cancel(job_id)
            elif cancel and holder.cancel(job_id):
                log.info("job %s: cancel asked through another server; stopping it", job_id)

    def requeue_expired(self) -> None:
        """Queue again the jobs of dead workers; their temp files are dead too (unless the folder is busy)."""
        expired = self.store.requeue_expired(self.lease_s)
        if not expired:
            return
        busy = self.store.output_dirs(("running",))
        remove_stale_temp_files({job.output_dir for job in expired if job.output_dir is not None} - busy, older_than_s=0.0)
        for job in expired:
            if job.state == "cancelled":
                self.publish({"type": "cancelled", "job_id": job.job_id, "message": "cancelled by the user"})
            else:
                log.info("job %s requeued: its worker stopped renewing its lease", job.job_id)
        self.wake()

    def _loop(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            try:
                self.renew()
                self.requeue_expired()
            except Exception:  # a locked or full disk must not end lease keeping for good
                log.exception("lease keeping failed; retrying")

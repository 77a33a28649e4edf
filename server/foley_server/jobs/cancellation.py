"""Cancelling a job wherever it is: still queued, running on a worker of this process, or on another's."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from .leases import Holder
from .store import JobStore


def cancel_job(store: JobStore, holders: Sequence[Holder], job_id: str, publish: Callable[[dict], None],
               wait_s: float = 2.0) -> bool:
    """Stop a queued or running job; False if it had already finished.

    A queued job is cancelled at once; one running here stops within a second (its worker checks
    between small units of work); one running in another server process on the same database is
    asked to stop, and stops when that process next renews its lease.
    """
    if store.cancel_if_queued(job_id):
        publish({"type": "cancelled", "job_id": job_id, "message": "cancelled before it started"})
        return True
    local = {holder.id for holder in holders}
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        job = store.get(job_id)
        if job is None or job.finished:
            return False
        if any(holder.cancel(job_id) for holder in holders):
            return True
        if job.state == "running" and job.holder not in local and store.request_cancel(job_id):
            return True
        if job.state == "queued" and store.cancel_if_queued(job_id):  # released or requeued meanwhile
            publish({"type": "cancelled", "job_id": job_id, "message": "cancelled before it started"})
            return True
        time.sleep(0.01)  # claimed a moment ago; its worker is about to start it
    return False


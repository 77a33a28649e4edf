"""Jobs: submit, list, status, cancel, result."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header

from ...jobs.store import IdempotencyConflict, Job, JobStore
from ..admission import admit
from ..dependencies import ExistingJob, PoolDep, ServerDep, StoreDep
from ..json_body import StrictJSONRoute
from ..refusals import Refused
from ..schemas import JobAccepted, JobRequest, JobStatus

router = APIRouter(prefix="/v1/jobs", tags=["jobs"], route_class=StrictJSONRoute)


@router.post("", status_code=202, response_model=JobAccepted)
def submit(job: JobRequest, server: ServerDep,
           idempotency_key: Annotated[str | None, Header(max_length=200)] = None) -> JobAccepted:
    """Queue a job once everything knowable about it is checked; a retry with the same Idempotency-Key returns the same job."""
    spec = admit(job, server.roots, server.cache)
    try:
        created, fresh = server.store.create(spec, idempotency_key)
    except IdempotencyConflict as exc:
        raise Refused(422, str(exc)) from None
    if fresh:
        server.pool.publish({"type": "queued", "job_id": created.id})
        server.pool.wake()
    base = f"/v1/jobs/{created.id}"
    return JobAccepted(job_id=created.id, status_url=base, result_url=f"{base}/result", events_url=f"{base}/events")


@router.get("")
def jobs(store: StoreDep) -> list[JobStatus]:
    """Recent jobs, newest first."""
    return [job_status(store, job) for job in store.list()]


@router.get("/{job_id}", response_model=JobStatus)
def status(job: ExistingJob, store: StoreDep) -> JobStatus:
    return job_status(store, job)


@router.post("/{job_id}/cancel", status_code=202, response_model=JobStatus)
def cancel(job: ExistingJob, store: StoreDep, pool: PoolDep) -> JobStatus:
    """Stop a queued or running job (within a second for the procedural engine); WAVs already delivered stay."""
    if not pool.cancel(job.id):
        now = store.get(job.id)
        raise Refused(409, f"job {job.id} is already {now.state if now else 'forgotten'}; nothing to cancel")
    return job_status(store, store.get(job.id) or job)


@router.get("/{job_id}/result")
def result(job: ExistingJob) -> dict:
    """The result timeline, placements, per-stage timings and warnings, once the job is done."""
    if job.state != "done":
        raise Refused(409, f"job {job.id} is {job.state}" + (f": {job.error}" if job.error else "")
                      + ("" if job.finished else "; wait for it to finish (GET its status or watch its events)"))
    return job.result


def job_status(store: JobStore, job: Job) -> JobStatus:
    return JobStatus(job_id=job.id, state=job.state, created=job.created, updated=job.updated,
                     clips=store.clips(job.id), error=job.error, worker=job.holder)

"""What routes share, handed to them as FastAPI dependencies (set up once by `create_app`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from ..engines.cache import EngineCache
from ..jobs.pool import WorkerPool
from ..jobs.store import Job, JobStore
from .event_hub import EventHub
from .refusals import Refused, shown
from .settings import ServerSettings


@dataclass(frozen=True)
class Server:
    """One running server's shared parts."""

    settings: ServerSettings
    store: JobStore
    hub: EventHub
    pool: WorkerPool
    cache: EngineCache  # engines by (name, device, precision), shared by the workers; readiness checks
    started: float  # time.time() at creation, for uptime

    @property
    def roots(self) -> list[Path]:
        return [Path(r) for r in self.settings.allowed_roots]


def _server(connection: HTTPConnection) -> Server:
    return connection.app.state.server


def _store(server: Annotated[Server, Depends(_server)]) -> JobStore:
    return server.store


def _pool(server: Annotated[Server, Depends(_server)]) -> WorkerPool:
    return server.pool


def _hub(server: Annotated[Server, Depends(_server)]) -> EventHub:
    return server.hub


ServerDep = Annotated[Server, Depends(_server)]
StoreDep = Annotated[JobStore, Depends(_store)]
PoolDep = Annotated[WorkerPool, Depends(_pool)]
HubDep = Annotated[EventHub, Depends(_hub)]


def _existing_job(job_id: str, store: StoreDep) -> Job:
    job = store.get(job_id)
    if job is None:
        raise Refused(404, f"no job {shown(job_id)}; GET /v1/jobs lists the recent ones")
    return job


ExistingJob = Annotated[Job, Depends(_existing_job)]

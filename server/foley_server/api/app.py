"""The FastAPI application: its shared parts, its routers (one per resource), its refusals, its guard."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from .. import __version__
from ..engines.cache import EngineCache
from ..jobs.pool import WorkerPool
from ..jobs.store import JobStore
from .dependencies import Server
from .event_hub import EventHub
from .refusals import install_refusals
from .routes import events, files, health, jobs, timelines
from .security import SecurityMiddleware
from .settings import ServerSettings

#: Every router of the API; a new resource is one more module under routes/ and one more entry here.
ROUTERS = [health.router, jobs.router, files.router, events.router, timelines.router]


def create_app(settings: ServerSettings) -> FastAPI:
    """An app bound to its settings; the security layer wraps everything, /docs included."""
    store = JobStore(settings.data_dir / "jobs.sqlite")
    hub = EventHub()
    cache = EngineCache({name: Path(folder) for name, folder in settings.weights})
    pool = WorkerPool(store, hub.publish, settings.devices, preload=settings.preload_engine,
                      keep_days=settings.keep_days, keep_mb=settings.keep_mb, lease_s=settings.lease_s, cache=cache)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool.start()
        try:
            yield
        finally:
            pool.stop()
            store.close()

    app = FastAPI(title="Foley Bridge", version=__version__, description="Synchronized Foley for video editors.",
                  lifespan=lifespan)
    app.state.server = Server(settings=settings, store=store, hub=hub, pool=pool, cache=cache, started=time.time())
    for router in ROUTERS:
        app.include_router(router)
    install_refusals(app)
    app.add_middleware(SecurityMiddleware, settings=settings)
    return app

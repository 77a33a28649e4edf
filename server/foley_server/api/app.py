"""The FastAPI application: health, engines, jobs and their progress events."""

from __future__ import annotations

import asyncio
import json
import time

from pathlib import Path

import opentimelineio as otio
from fastapi import FastAPI, Header, HTTPException, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, JSONResponse
from foley_otio.errors import FoleyOtioError
from foley_otio.timeline_io import read_timeline

from .. import __version__
from ..config import PROFILES
from ..engines.base import EngineError
from ..engines.cache import EngineCache
from ..engines.registry import engine_names
from ..jobs.scheduler import Scheduler
from ..jobs.store import IdempotencyConflict, JobStore
from .events import EventHub
from .paths import PathRefused, check_media_under, resolve_under, safe_file_name
from .schemas import JobAccepted, JobRequest, JobStatus
from . import timelines
from .timeline_limits import TimelineRefused, check_timeline_json
from .security import BodyTooLarge, SecurityMiddleware
from .settings import ServerSettings


def create_app(settings: ServerSettings) -> FastAPI:
    """An app bound to its settings; the security layer wraps everything, /docs included."""
    app = FastAPI(title="Foley Bridge", version=__version__, description="Synchronized Foley for video editors.")
    started = time.time()
    store = JobStore(settings.data_dir / "jobs.sqlite")
    hub = EventHub()
    cache = EngineCache({name: Path(folder) for name, folder in settings.weights})
    scheduler = Scheduler(store, hub.publish, list(settings.devices), preload=settings.preload_engine,
                          keep_days=settings.keep_days, keep_mb=settings.keep_mb, cache=cache)
    app.state.store, app.state.scheduler = store, scheduler
    app.router.on_startup.append(scheduler.start)
    app.router.on_shutdown.append(scheduler.stop)
    roots = [Path(r) for r in settings.allowed_roots]
    app.include_router(timelines.router(roots))

    @app.post("/v1/jobs", status_code=202, response_model=JobAccepted)
    def submit(job: JobRequest, idempotency_key: str | None = Header(default=None)) -> JobAccepted:
        """Queue a job; a retry with the same Idempotency-Key returns the same job."""
        body = job.model_dump()
        try:
            if job.timeline is not None:
                check_timeline_json(job.timeline)
                timeline = otio.adapters.read_from_string(json.dumps(job.timeline), "otio_json")
                if not isinstance(timeline, otio.schema.Timeline):
                    raise HTTPException(422, "`timeline` is OTIO JSON but not a Timeline; export the whole timeline")
            else:
                body["timeline_path"] = str(resolve_under(job.timeline_path, roots, "timeline_path"))
                timeline = read_timeline(body["timeline_path"])
            body["output_dir"] = str(resolve_under(job.output_dir, roots, "output_dir"))
            check_media_under(timeline, [c.clip_id for c in job.clips], roots)
            cache.create(job.engine).ready()  # a job that could only fail later is refused now
        except (PathRefused, TimelineRefused) as exc:
            raise HTTPException(exc.status, str(exc)) from None
        except FoleyOtioError as exc:  # unknown clip ids, retimed clips, unreadable timeline files
            raise HTTPException(422, str(exc)) from None
        except EngineError as exc:  # unknown engine, its extra not installed or its weights missing
            raise HTTPException(422, str(exc)) from None
        except ValueError as exc:  # OTIO's parser on a structurally wrong document
            raise HTTPException(422, f"`timeline` is not a readable OTIO timeline: {exc}") from None
        try:
            created, fresh = store.create(body, idempotency_key)
        except IdempotencyConflict as exc:
            raise HTTPException(422, str(exc)) from None
        if fresh:
            scheduler.publish({"type": "queued", "job_id": created.id})
            scheduler.wake()
        base = f"/v1/jobs/{created.id}"
        return JobAccepted(job_id=created.id, status_url=base, result_url=f"{base}/result", events_url=f"{base}/events")

    @app.get("/v1/jobs")
    def jobs() -> list[JobStatus]:
        """Recent jobs, newest first."""
        return [_status(store, j.id) for j in store.list()]

    @app.get("/v1/jobs/{job_id}", response_model=JobStatus)
    def job_status(job_id: str) -> JobStatus:
        return _status(store, job_id)

    @app.post("/v1/jobs/{job_id}/cancel", status_code=202, response_model=JobStatus)
    def cancel(job_id: str) -> JobStatus:
        """Stop a queued or running job (within a second for the procedural engine); WAVs already delivered stay."""
        job = store.get(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id}")
        if not scheduler.cancel(job_id):
            job = store.get(job_id)
            raise HTTPException(409, f"job {job_id} is already {job.state}; nothing to cancel")
        return _status(store, job_id)

    @app.get("/v1/jobs/{job_id}/files/{name:path}")  # slashes reach safe_file_name and get its clear 400
    def job_file(job_id: str, name: str) -> FileResponse:
        """A WAV the job delivered, for a client on another machine; only files of that job, by plain name."""
        job = store.get(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id}")
        try:
            name = safe_file_name(name)
        except PathRefused as exc:
            raise HTTPException(exc.status, str(exc)) from None
        delivered = {Path(c["wav_path"]).name: Path(c["wav_path"]) for c in store.clips(job_id).values() if c["wav_path"]}
        for placement in (job.result or {}).get("placements", []):
            delivered.setdefault(Path(placement["path"]).name, Path(placement["path"]))
        path = delivered.get(name)
        if path is None:
            raise HTTPException(404, f"job {job_id} delivered no file named {name!r}; see its result's placements")
        if not path.is_file():
            raise HTTPException(410, f"{path} was delivered but is gone (moved or deleted in the output folder)")
        return FileResponse(path, media_type="audio/wav", filename=name)

    async def stream(websocket: WebSocket, job_id: str | None) -> None:
        """Current state first (late subscribers catch up), then events as they happen."""
        await websocket.accept()
        subscriber = hub.subscribe(job_id)
        try:
            jobs_now = [store.get(job_id)] if job_id else store.unfinished()
            for job in jobs_now:
                if job is not None:
                    await websocket.send_json({"type": "state", "job_id": job.id, "state": job.state,
                                               "clips": store.clips(job.id), "message": job.error or "", "t": time.time()})
            # A watcher notices the client going away even while no event is due, so a closed
            # connection never lingers (or holds up shutdown); the sending loop itself stays one
            # await per event, cheap enough for hundreds of subscribers.
            watcher = asyncio.ensure_future(_until_disconnect(websocket, subscriber))
            try:
                while (text := await subscriber.next()) is not None:
                    await websocket.send_text(text)
            finally:
                watcher.cancel()
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            hub.unsubscribe(subscriber)

    @app.websocket("/v1/jobs/{job_id}/events")
    async def job_events(websocket: WebSocket, job_id: str) -> None:
        if store.get(job_id) is None:
            await websocket.accept()  # then close with a reason the client can read (a refused handshake has none)
            await websocket.close(code=4404, reason=f"no job {job_id}")
            return
        await stream(websocket, job_id)

    @app.websocket("/v1/events")
    async def all_events(websocket: WebSocket) -> None:
        await stream(websocket, None)

    @app.get("/v1/jobs/{job_id}/result")
    def job_result(job_id: str) -> dict:
        """The result timeline, placements, per-stage timings and warnings, once the job is done."""
        job = store.get(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id}")
        if job.state != "done":
            raise HTTPException(409, f"job {job_id} is {job.state}" + (f": {job.error}" if job.error else ""))
        return job.result

    @app.exception_handler(BodyTooLarge)
    async def too_large(request: Request, exc: BodyTooLarge) -> JSONResponse:
        return JSONResponse({"error": f"request body over {settings.max_body_bytes} bytes", "status": 413}, status_code=413)

    @app.get("/v1/health")
    def health() -> dict:
        """Version, engines (loaded where), queue sizes, workers and uptime: what a plugin shows as server status."""
        loaded = scheduler.engines()
        return {
            "status": "ok",
            "version": __version__,
            "engines": [_engine_info(cache, name, loaded.get(name, [])) for name in engine_names()],
            "queue": {state: count for state, count in store.counts().items() if state in ("queued", "running")},
            "workers": {"devices": list(settings.devices), "busy": scheduler.busy(),
                        "last_jobs": {w.device: w.last_job for w in scheduler.workers if w.last_job}},
            "uptime_s": round(time.time() - started, 3),
            "token_required": settings.token is not None,
        }

    @app.get("/v1/engines")
    def engines() -> dict:
        """Every engine with its models, so plugins can fill their engine and profile menus."""
        loaded = scheduler.engines()
        return {"engines": [_engine_info(cache, name, loaded.get(name, []), with_models=True) for name in engine_names()],
                "profiles": list(PROFILES)}

    app.add_middleware(SecurityMiddleware, settings=settings)
    return app


async def _until_disconnect(websocket: WebSocket, subscriber) -> None:
    """Read (and ignore) what the client sends until it leaves, then end its subscription."""
    try:
        while (await websocket.receive())["type"] != "websocket.disconnect":
            pass
    except (WebSocketDisconnect, RuntimeError):
        pass
    subscriber.close()


def _status(store: JobStore, job_id: str) -> JobStatus:
    job = store.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    return JobStatus(job_id=job.id, state=job.state, created=job.created, updated=job.updated,
                     clips=store.clips(job.id), error=job.error)


def _engine_info(cache: EngineCache, name: str, loaded_on: list[str], with_models: bool = False) -> dict:
    engine = cache.create(name)
    caps = engine.capabilities()
    problem = cache.problem(name)
    info = {"name": name, "needs_weights": caps.needs_weights, "devices": list(caps.devices),
            "sample_rate": caps.sample_rate, "loaded": bool(loaded_on), "loaded_on": loaded_on,
            "ready": problem is None, "problem": problem}
    models = getattr(engine, "models", None)
    if with_models and callable(models):
        info["models"] = models()
    return info

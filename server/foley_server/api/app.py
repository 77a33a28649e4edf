"""The FastAPI application: health and engines now; job routes and progress events come next."""

from __future__ import annotations

import time

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from .. import __version__
from ..config import PROFILES
from ..engines.base import create_engine, engine_names
from ..jobs.store import JobStore
from .security import BodyTooLarge, SecurityMiddleware
from .settings import ServerSettings


def create_app(settings: ServerSettings) -> FastAPI:
    """An app bound to its settings; the security layer wraps everything, /docs included."""
    app = FastAPI(title="Foley Bridge", version=__version__, description="Synchronized Foley for video editors.")
    started = time.time()
    store = JobStore(settings.data_dir / "jobs.sqlite")
    app.state.store = store

    @app.exception_handler(BodyTooLarge)
    async def too_large(request: Request, exc: BodyTooLarge) -> JSONResponse:
        return JSONResponse({"error": f"request body over {settings.max_body_bytes} bytes", "status": 413}, status_code=413)

    @app.get("/v1/health")
    def health() -> dict:
        """Version, engines, queue sizes and uptime: what a plugin shows as server status."""
        return {
            "status": "ok",
            "version": __version__,
            "engines": [_engine_info(name) for name in engine_names()],
            "queue": {state: count for state, count in store.counts().items() if state in ("queued", "running")},
            "uptime_s": round(time.time() - started, 3),
            "token_required": settings.token is not None,
        }

    @app.get("/v1/engines")
    def engines() -> dict:
        """Every engine with its models, so plugins can fill their engine and profile menus."""
        return {"engines": [_engine_info(name, with_models=True) for name in engine_names()],
                "profiles": list(PROFILES)}

    app.add_middleware(SecurityMiddleware, settings=settings)
    return app


def _engine_info(name: str, with_models: bool = False) -> dict:
    engine = create_engine(name)
    caps = engine.capabilities()
    info = {"name": name, "needs_weights": caps.needs_weights, "devices": list(caps.devices),
            "sample_rate": caps.sample_rate, "loaded": False}
    models = getattr(engine, "models", None)
    if with_models and callable(models):
        info["models"] = models()
    return info

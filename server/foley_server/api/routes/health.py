"""Server status and the engine catalogue: what a plugin shows before it submits anything."""

from __future__ import annotations

import time

from fastapi import APIRouter

from ... import __version__
from ...config import PROFILES
from ...engines.cache import EngineCache
from ...engines.registry import engine_names
from ..dependencies import ServerDep

router = APIRouter(prefix="/v1", tags=["server"])


@router.get("/health")
def health(server: ServerDep) -> dict:
    """Version, engines (loaded where), queue sizes, workers and uptime: what a plugin shows as server status."""
    loaded = server.pool.engines()
    return {
        "status": "ok",
        "version": __version__,
        "engines": [_engine_info(server.cache, name, loaded.get(name, [])) for name in engine_names()],
        "queue": {state: count for state, count in server.store.counts().items() if state in ("queued", "running")},
        "workers": {"devices": list(server.settings.devices), "busy": server.pool.busy(),
                    "last_jobs": {w.device: w.last_job for w in server.pool.workers if w.last_job}},
        "uptime_s": round(time.time() - server.started, 3),
        "token_required": server.settings.token is not None,
    }


@router.get("/engines")
def engines(server: ServerDep) -> dict:
    """Every engine with its models, so plugins can fill their engine and profile menus."""
    loaded = server.pool.engines()
    return {"engines": [_engine_info(server.cache, name, loaded.get(name, []), with_models=True) for name in engine_names()],
            "profiles": list(PROFILES)}


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

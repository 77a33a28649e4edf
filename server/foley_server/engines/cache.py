"""Loaded engines kept resident, one per (name, device, precision), so jobs never reload a model."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..config import Profile
from .base import Engine, EngineUnavailable
from .registry import create_engine


@dataclass(frozen=True)
class EngineKey:
    name: str
    device: str
    precision: str


class EngineCache:
    """Creates and loads an engine on first use, hands the same one out afterwards; unload frees it."""

    def __init__(self, weights: dict[str, Path] | None = None) -> None:
        self.weights = dict(weights or {})  # engine name -> weights folder given on the command line
        self._engines: dict[EngineKey, Engine] = {}
        self._lock = threading.Lock()
        self.load_seconds: dict[EngineKey, float] = {}
        self._problems: dict[str, tuple[float, str | None]] = {}

    def create(self, name: str) -> Engine:
        """An unloaded engine with its configured weights (for readiness checks and listings)."""
        return create_engine(name, self.weights.get(name))

    def problem(self, name: str, max_age_s: float = 5.0) -> str | None:
        """Why an engine cannot run here (None: ready), looked up at most every few seconds: health is
        polled by every plugin and a weights check walks folders and the Hugging Face cache."""
        now = time.monotonic()
        with self._lock:
            known = self._problems.get(name)
            if known is not None and now - known[0] < max_age_s:
                return known[1]
        try:
            self.create(name).ready()
            problem = None
        except EngineUnavailable as exc:
            problem = str(exc)
        with self._lock:
            self._problems[name] = (now, problem)
        return problem

    def get(self, name: str, device: str, profile: Profile) -> tuple[Engine, float]:
        """The loaded engine and the seconds this call spent loading it (0 once resident)."""
        key = EngineKey(name, device, profile.precision)
        with self._lock:
            engine = self._engines.get(key)
            if engine is not None:
                return engine, 0.0
            engine = self.create(name)
            t0 = time.perf_counter()
            engine.load(device, profile)
            self._engines[key] = engine
            self.load_seconds[key] = time.perf_counter() - t0
            return engine, self.load_seconds[key]

    def loaded(self) -> list[EngineKey]:
        with self._lock:
            return list(self._engines)

    def unload(self, name: str | None = None, device: str | None = None) -> int:
        """Free matching engines (all by default); returns how many were unloaded."""
        with self._lock:
            keys = [k for k in self._engines if (name is None or k.name == name) and (device is None or k.device == device)]
            for key in keys:
                self._engines.pop(key).unload()
        return len(keys)

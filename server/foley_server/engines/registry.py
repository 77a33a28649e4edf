"""Engines by name, found through the entry-point group `foley_bridge.engines`.

A third party adds an engine by installing a package that declares
`[project.entry-points."foley_bridge.engines"] my-engine = "my_pkg:MyEngine"`; nothing here
imports any engine until it is asked for.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Callable

from .base import Engine, EngineError

GROUP = "foley_bridge.engines"
DEFAULT_ENGINE = "procedural"

_extra: dict[str, Callable[[], Engine]] = {}  # registered in code (tests, embedding applications)


def register_engine(name: str, factory: Callable[[], Engine]) -> None:
    """Make an engine available by name without a package (factories are cheap; load() does the work)."""
    _extra[name] = factory


def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def engine_names() -> list[str]:
    """Every engine that can be named, installed or not (`engine_status` says whether it can run)."""
    return sorted(set(_entry_points()) | set(_extra))


def engine_class(name: str) -> Callable[[], Engine]:
    """The factory of a named engine, with the list of names on failure."""
    if name in _extra:
        return _extra[name]
    found = _entry_points().get(name)
    if found is None:
        raise EngineError(f"unknown engine {name!r}; available: {', '.join(engine_names())}")
    try:
        return found.load()
    except ImportError as exc:  # the engine's module itself could not be imported
        raise EngineError(f"engine {name!r} could not be imported ({exc}); reinstall foley-bridge") from None


def create_engine(name: str, weights: Path | None = None) -> Engine:
    """A new, unloaded instance of a named engine; `weights`: the folder its model is in (engines with weights)."""
    factory = engine_class(name)
    return factory(weights=Path(weights)) if weights is not None else factory()

"""Fixtures every test folder shares: a project folder the server may use, a running server, a way
to start more (with other flags, or to kill -9 them), and a loaded procedural engine.

tests/blender needs Blender's `bpy`, which pins numpy<2: it runs in its own venvs (`make test`
creates .venv-blender50 and .venv-blender45), so the main venv leaves that folder to them; those
venvs have no httpx, so the server helpers are imported inside the fixtures that use them.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from server_process import LiveServer

collect_ignore = [] if importlib.util.find_spec("bpy") else ["blender"]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A folder the module's server may read timelines and media from and write Foley into."""
    return tmp_path_factory.mktemp("projects")


@pytest.fixture(scope="module")
def served(project, tmp_path_factory) -> Iterator[LiveServer]:
    """One server for the module: `project` allowed, one CPU worker."""
    from server_process import live_server

    with live_server(tmp_path_factory.mktemp("data"), "--allow-root", str(project), "--devices", "cpu") as server:
        yield server


@pytest.fixture
def start_server(tmp_path) -> Iterator[Callable[..., LiveServer]]:
    """Start servers of the test's own (`start_server(*flags, data_dir=…, token=…, port=…, env=…)`); all stop after it."""
    from server_process import live_server

    with ExitStack() as stack:
        def start(*args: str, data_dir: Path | None = None, **options) -> LiveServer:
            return stack.enter_context(live_server(data_dir or tmp_path / "data", *args, **options))

        yield start


@pytest.fixture(scope="module")
def engine():
    """The default engine, loaded as a worker loads it (banks warmed), for tests that render directly."""
    from foley_server.config import get_profile
    from foley_server.engines.registry import create_engine

    loaded = create_engine("procedural")
    loaded.load("cpu", get_profile("balanced"))
    return loaded

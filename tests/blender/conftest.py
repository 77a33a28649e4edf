"""Blender tests run in a venv with bpy (5.0.1 or 4.5 LTS), never in the main one (bpy needs numpy<2).

Media and the server come from the main venv (`.venv`, or FOLEY_MAIN_PYTHON): this venv only has
bpy, the add-on, the thin client and foley_otio, as an installed extension would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / "plugins" / "blender"), str(REPO / "plugins" / "common"), str(REPO / "otio_adapters"),
                str(REPO / "tests")]
MAIN_PYTHON = Path(os.environ.get("FOLEY_MAIN_PYTHON", REPO / ".venv" / "bin" / "python"))


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_movie(path: Path, rate: str, frames: int) -> Path:
    """A real H.264 file with a flash every second, written by the main venv (it has PyAV)."""
    code = ("import sys; from fractions import Fraction; from foley_server.demo.footage import write_event_video; "
            "write_event_video(sys.argv[1], fps=Fraction(sys.argv[2]), n_frames=int(sys.argv[3]), "
            "event_frames=list(range(10, int(sys.argv[3]), 25)), size=(96, 54))")
    subprocess.run([str(MAIN_PYTHON), "-c", code, str(path), rate, str(frames)], check=True)
    return path


@pytest.fixture(scope="session")
def addon():
    """Enabled the way Blender enables add-ons, so its preferences exist."""
    import addon_utils

    module = addon_utils.enable("foley_bridge", default_set=True, handle_error=_raise)
    assert module is not None
    yield module
    addon_utils.disable("foley_bridge", default_set=True)


def _raise(exc):
    raise exc


@pytest.fixture
def scene(addon):
    import bpy

    from foley_bridge.compat import all_strips, top_strips

    scene = bpy.context.scene
    scene.sequence_editor_create()
    for strip in all_strips(scene):
        top_strips(scene).remove(strip)
    scene.foley.seed, scene.foley.status, scene.foley.last_error = 0, "", ""
    scene.frame_start = 1
    return scene

"""`foley demo --pack`: one mastered WAV and a spectrogram per sound model, to listen and look."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..config import DEFAULT_PROFILE, get_profile
from ..engines.base import ClipRequest, Layer, SoundSpec, VisualEvents
from ..engines.registry import create_engine
from ..pictures import spectrogram_png
from ..pipeline.render import render_clip

SECONDS = 6.0

# (file stem, layer): every model once, event models on a few materials/surfaces.
PACK = [
    ("impact_wood", Layer("events", "impact", {"material": "wood"})),
    ("impact_metal", Layer("events", "impact", {"material": "metal"})),
    ("impact_glass", Layer("events", "impact", {"material": "glass"})),
    ("impact_punch", Layer("events", "impact", {"material": "flesh"})),
    ("footsteps_concrete", Layer("events", "footsteps", {"surface": "concrete"})),
    ("footsteps_gravel", Layer("events", "footsteps", {"surface": "gravel"})),
    ("footsteps_snow", Layer("events", "footsteps", {"surface": "snow"})),
    ("footsteps_water", Layer("events", "footsteps", {"surface": "water"})),
    ("door", Layer("events", "door", {})),
    ("vehicle", Layer("events", "vehicle", {})),
    ("splash", Layer("events", "splash", {})),
    ("handling_glass", Layer("events", "handling", {"material": "glass"})),
    ("pour", Layer("movement", "pour", {})),
    ("cloth", Layer("movement", "cloth", {})),
    ("whoosh", Layer("movement", "whoosh", {})),
    *[(m, Layer("ambience", m, {"intensity": 0.5}))
      for m in ("room_tone", "rain", "wind", "fire", "water", "forest", "city", "crowd", "drips")],
]


def _picture_events(layer: Layer) -> VisualEvents:
    """A plausible picture for the model: steps at walking pace, hits now and then, motion in waves."""
    spacing = {"footsteps": 0.55, "vehicle": 3.0, "door": 2.0}.get(layer.model, 0.9)
    onsets = np.arange(0.3, SECONDS - 0.5, spacing)
    env_t = np.arange(0, SECONDS, 1 / 25)
    motion = np.clip(np.sin(np.pi * env_t / 2.0) ** 2, 0, 1).astype(np.float32)
    strengths = np.linspace(1.0, 0.5, len(onsets)).astype(np.float32)
    return VisualEvents(SECONDS, onsets, strengths, env_t, motion, np.zeros(0))


def write_pack(folder: Path) -> list[Path]:
    """Render every model through the real render and mastering path; returns the WAVs."""
    folder.mkdir(parents=True, exist_ok=True)
    engine = create_engine("procedural")
    profile = get_profile(DEFAULT_PROFILE)
    engine.load("cpu", profile)
    wavs = []
    for stem, layer in PACK:
        events = _picture_events(layer)
        request = ClipRequest(stem, SECONDS, 0.0, SECONDS, events, SoundSpec(stem, "", (layer,)), 7, profile)
        wav = render_clip(engine, request, folder / f"{stem}.wav").wav_path
        spectrogram_png(folder / f"{stem}.png", wav, f"{stem}: {engine.models()[layer.model]}")
        wavs.append(wav)
    return wavs

"""`foley demo --pack`: one mastered WAV and a spectrogram per sound model, to listen and look."""

from __future__ import annotations

from pathlib import Path
from typing import Collection

import numpy as np

from ..config import DEFAULT_PROFILE, get_profile
from ..engines.base import ClipRequest, Layer, SoundSpec, VisualEvents
from ..engines.procedural.catalog import MODELS
from ..engines.registry import create_engine
from ..pictures import spectrogram_png
from ..pipeline.render import render_clip

SECONDS = 6.0

#: Variants worth hearing beside each model's default (model, choices).
VARIANTS = [
    ("impact", {"material": "metal"}), ("impact", {"material": "glass"}), ("impact", {"material": "flesh"}),
    ("footsteps", {"surface": "gravel"}), ("footsteps", {"surface": "snow"}), ("footsteps", {"surface": "water"}),
    ("handling", {"material": "glass"}), ("shatter", {"item": "window"}), ("shatter", {"item": "plate"}),
    ("gunshot", {"calibre": "rifle", "distance": "far"}), ("gunshot", {"tail": "indoor"}), ("gunshot", {"tail": "alley"}),
    ("explosion", {"distance": "far"}), ("fireworks", {"kind": "crackle"}), ("thunder", {"distance": "far"}),
    ("knock", {"target": "table"}), ("metal_drop", {"item": "keys"}), ("bodyfall", {"kind": "collapse"}),
    ("paper", {"action": "tear"}), ("paper", {"action": "page"}), ("fastener", {"kind": "velcro"}),
    ("switch", {"kind": "button"}), ("shutter", {"kind": "film"}), ("typing", {"device": "typewriter"}),
    ("clock", {"kind": "grandfather"}), ("bell", {"kind": "chimes"}), ("phone", {"kind": "mobile"}),
    ("hum", {"kind": "fluorescent"}), ("engine", {"action": "rev"}), ("engine", {"kind": "motorbike", "action": "rev"}),
    ("aircraft", {"kind": "jet"}), ("hooves", {"gait": "gallop"}), ("insects", {"kind": "cicadas"}),
    ("heartbeat", {"rate": "fast"}),
]


def _stem(model: str, choices: dict[str, str]) -> str:
    return "_".join([model, *choices.values()])


# (file stem, layer): every model with its defaults, then the variants above.
PACK = [(name, Layer(model.role, name, {"intensity": 0.5})) for name, model in MODELS.items()] + [
    (_stem(name, choices), Layer(MODELS[name].role, name, {**choices, "intensity": 0.5})) for name, choices in VARIANTS]

#: Seconds between the picture's onsets, for models whose sounds are long or come in series.
SPACING = {"footsteps": 0.55, "vehicle": 3.0, "door": 2.0, "explosion": 3.0, "thunder": 3.0, "fireworks": 2.5,
           "gunshot": 1.5, "shatter": 2.0, "knock": 1.5, "bodyfall": 2.0, "metal_drop": 1.5, "paper": 1.5,
           "fastener": 1.2, "engine": 2.0, "switch": 0.7, "shutter": 1.0}


def _picture_events(layer: Layer) -> VisualEvents:
    """A plausible picture for the model: steps at walking pace, hits now and then, motion in waves."""
    spacing = SPACING.get(layer.model, 0.9)
    onsets = np.arange(0.3, SECONDS - 0.5, spacing)
    env_t = np.arange(0, SECONDS, 1 / 25)
    motion = np.clip(np.sin(np.pi * env_t / 2.0) ** 2, 0, 1).astype(np.float32)
    strengths = np.linspace(1.0, 0.5, len(onsets)).astype(np.float32)
    return VisualEvents(SECONDS, onsets, strengths, env_t, motion, np.zeros(0))


def write_pack(folder: Path, only: Collection[str] | None = None) -> list[Path]:
    """Render every model (or the stems in `only`) through the real render and mastering path;
    returns the WAVs."""
    folder.mkdir(parents=True, exist_ok=True)
    engine = create_engine("procedural")
    profile = get_profile(DEFAULT_PROFILE)
    engine.load("cpu", profile)
    wavs = []
    for stem, layer in PACK:
        if only is not None and stem not in only:
            continue
        events = _picture_events(layer)
        request = ClipRequest(stem, SECONDS, 0.0, SECONDS, events, SoundSpec(stem, "", (layer,)), 7, profile)
        wav = render_clip(engine, request, folder / f"{stem}.wav").wav_path
        spectrogram_png(folder / f"{stem}.png", wav, f"{stem}: {MODELS[layer.model].description}")
        wavs.append(wav)
    return wavs

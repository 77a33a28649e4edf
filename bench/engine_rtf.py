"""Procedural engine speed: seconds of audio rendered per second of compute, per model and for a full mix.

Target (issue "procedural engine"): >= 200x real time for a 3-layer mix on 2 cores.
Run: .venv/bin/python bench/engine_rtf.py [--seconds 60]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from foley_server.config import get_profile
from foley_server.engines.base import CancelToken, ClipRequest, Layer, SoundSpec, VisualEvents, create_engine
from foley_server.pipeline.prompts import sound_spec

MODELS = [
    Layer("events", "impact", {"material": "wood"}),
    Layer("events", "impact", {"material": "metal"}),
    Layer("events", "footsteps", {"surface": "gravel"}),
    Layer("events", "door", {}),
    Layer("movement", "cloth", {}),
    Layer("movement", "whoosh", {}),
    Layer("ambience", "room_tone", {"intensity": 0.3}),
    Layer("ambience", "rain", {"intensity": 0.5}),
    Layer("ambience", "wind", {"intensity": 0.5}),
    Layer("events", "vehicle", {}),
    Layer("events", "splash", {}),
    Layer("events", "handling", {"material": "glass"}),
    Layer("movement", "pour", {}),
    *[Layer("ambience", m, {"intensity": 0.5}) for m in ("fire", "water", "forest", "city", "crowd", "drips")],
]


def rtf(engine, spec: SoundSpec, events: VisualEvents, seconds: float, repeats: int = 3) -> float:
    profile = get_profile("balanced")
    req = ClipRequest("bench", seconds, 0.0, seconds, events, spec, 1, profile)
    engine.generate(req, lambda d, t: None, CancelToken())  # builds the round-robin banks once
    best = min(_timed(engine, req) for _ in range(repeats))
    return seconds / best


def _timed(engine, req) -> float:
    t0 = time.perf_counter()
    engine.generate(req, lambda d, t: None, CancelToken())
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    engine = create_engine("procedural")
    engine.load("cpu", get_profile("balanced"))
    onsets = np.arange(0.3, args.seconds, 0.5)  # ~2 onsets per second
    env_t = np.arange(0, args.seconds, 1 / 25)
    events = VisualEvents(args.seconds, onsets, np.full(len(onsets), 0.8, np.float32), env_t,
                          (0.5 + 0.5 * np.sin(env_t)).astype(np.float32), np.zeros(0))
    print(f"{args.seconds:.0f} s window, {len(onsets)} onsets, 48 kHz stereo")
    print(f"{'model':<28}{'x real time':>12}")
    for layer in MODELS:
        label = f"{layer.model}({','.join(str(v) for v in layer.params.values())})"
        print(f"{label:<28}{rtf(engine, SoundSpec('', '', (layer,)), events, args.seconds):>11.0f}x")
    mix = sound_spec("footsteps on concrete, cloth movement, room tone")
    speed = rtf(engine, mix, events, args.seconds)
    print(f"{'full mix (3 layers)':<28}{speed:>11.0f}x   target >= 200x: {'met' if speed >= 200 else 'NOT met'} (ratio {speed / 200:.2f})")


if __name__ == "__main__":
    main()

"""Procedural engine speed: seconds of audio rendered per second of compute, per model and for full mixes.

Target (issue "procedural engine"): >= 200x real time for a 3-layer mix (events + movement +
ambience) on 2 cores. The engine is single-threaded numpy/scipy, so the CPU-time column is what one
core does; wall figures include whatever else the machine is running. "first" is the first window
of a clip with a new seed (its round-robin banks are built then); "warm" is every later window.
Run: .venv/bin/python bench/engine_rtf.py [--seconds 60] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from foley_server.config import get_profile
from foley_server.engines.base import CancelToken, ClipRequest, Layer, SoundSpec, VisualEvents
from foley_server.engines.procedural import _bank
from foley_server.engines.procedural.catalog import MODELS
from foley_server.engines.procedural.prompts import describe, sound_spec
from foley_server.engines.registry import create_engine

TARGET = 200.0

def _catalog_layers() -> list[Layer]:
    """Every model of the catalog with its defaults, then each other value of each of its choices."""
    layers = []
    for name, model in MODELS.items():
        layers.append(Layer(model.role, name, {"intensity": 0.5}))
        layers += [Layer(model.role, name, {param: value, "intensity": 0.5})
                   for param, values in model.choices.items() for value in values[1:]]
    return layers


#: Three-layer mixes (events + movement + ambience), the default one first.
MIXES = [
    "footsteps on concrete, cloth movement, room tone",
    "boots on gravel, cloth rustle, heavy rain",
    "metal clang, sword swing whoosh, howling wind",
    "footsteps on wood, cloth, crowd murmur",
    "gunshot in an alley, cloth movement, light rain",
    "typing on a keyboard, cloth, electrical hum",
    "chopping vegetables, cloth, bacon sizzling",
    "a horse galloping, cloth rustle, crickets at night",
    "a car engine revving, whoosh, city traffic",
    "a helicopter passing overhead, cloth, wind",
    "footsteps on wood, cloth, applause",
    "glass shattering, whoosh, a pot boiling",
]


def _timed(engine, req) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    engine.generate(req, lambda d, t: None, CancelToken())
    return time.perf_counter() - wall, time.process_time() - cpu


def rtf(engine, spec: SoundSpec, events: VisualEvents, seconds: float, repeats: int) -> tuple[float, float, float]:
    """(first-window wall x, warm wall x, warm cpu x), best of `repeats` for the warm figures."""
    req = ClipRequest("bench", seconds, 0.0, seconds, events, spec, 1, get_profile("balanced"))
    _bank.cache_clear()
    first, _ = _timed(engine, req)
    runs = [_timed(engine, req) for _ in range(repeats)]
    return seconds / first, seconds / min(w for w, _ in runs), seconds / min(c for _, c in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--defaults-only", action="store_true", help="each model once, with its default choices")
    args = parser.parse_args()
    engine = create_engine("procedural")
    engine.load("cpu", get_profile("balanced"))
    onsets = np.arange(0.3, args.seconds, 0.5)  # 2 onsets per second
    env_t = np.arange(0, args.seconds, 1 / 25)
    events = VisualEvents(args.seconds, onsets, np.full(len(onsets), 0.8, np.float32), env_t,
                          (0.5 + 0.5 * np.sin(env_t)).astype(np.float32), np.zeros(0))
    print(f"{args.seconds:.0f} s window, {len(onsets)} onsets, 48 kHz stereo, {os.cpu_count()} CPUs, best of {args.repeats}")
    print("x real time = seconds of audio per second of compute")
    print(f"{'model':<46}{'first':>8}{'warm':>8}{'cpu':>8}")
    for layer in _catalog_layers():
        if args.defaults_only and set(layer.params) != {"intensity"}:
            continue
        label = f"{layer.model}({','.join(f'{k}={v}' for k, v in layer.params.items() if k != 'intensity')})"
        first, wall, cpu = rtf(engine, SoundSpec("", "", (layer,)), events, args.seconds, args.repeats)
        print(f"{label:<46}{first:>7.0f}x{wall:>7.0f}x{cpu:>7.0f}x")
    print(f"\nfull 3-layer mixes{'':<28}{'first':>8}{'warm':>8}{'cpu':>8}  warm / {TARGET:.0f}x target")
    worst = np.inf
    for prompt in MIXES:
        spec = sound_spec(prompt, encoder=None)
        first, wall, cpu = rtf(engine, spec, events, args.seconds, args.repeats)
        worst = min(worst, wall)
        print(f"{describe(spec)[:45]:<46}{first:>7.0f}x{wall:>7.0f}x{cpu:>7.0f}x  {wall / TARGET:5.2f}")
    print(f"slowest full mix: {worst:.0f}x -> target {'met' if worst >= TARGET else 'NOT met'} (ratio {worst / TARGET:.2f})")


if __name__ == "__main__":
    main()

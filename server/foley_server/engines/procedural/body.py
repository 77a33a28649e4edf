"""The body: falls and collapses onto a floor, and a heartbeat.

A falling body is not one hit but a short sequence (knees or hip, the torso — the heaviest — then
arms and head), each a soft, heavy contact (flesh's low, damped modes) that the floor answers in
its own way: boards ring, concrete slaps, dirt crunches; clothes rustle through it all. A heartbeat
is the two heart sounds, lub (valves closing at the start of the beat) and the shorter dub.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..base import VisualEvents
from .modal import MATERIALS, strike
from .noise import RATE, band, filtered, stereo
from .patterns import add_at, beat_times, decaying, normalised, with_tail_fade
from .sound_model import SoundModel, one_shots, pattern

FLOORS = ("wood", "concrete", "dirt", "grass")


def _contact(rng: np.random.Generator, floor: str, length: int) -> np.ndarray:
    """One part of the body landing: a soft heavy thump and the floor's answer."""
    t = np.arange(length, dtype=np.float32) / RATE
    x = strike(MATERIALS["flesh"], rng, scale_t60=rng.uniform(1.0, 2.0))[:length]
    x = np.pad(x, (0, length - len(x)))
    x += 0.9 * (np.sin(2 * np.pi * rng.uniform(55, 85) * t) * np.exp(-t / 0.05)).astype(np.float32)
    if floor == "wood":
        ring = strike(MATERIALS["wood"], rng, f0=rng.uniform(90, 200), scale_t60=1.5)[:length]
        x[: len(ring)] += 0.5 * ring
    elif floor == "concrete":
        slap = filtered(rng.standard_normal(length).astype(np.float32), band(400, 5000)) * np.exp(-t / 0.008)
        x += 0.5 * slap / (np.abs(slap).max() or 1)
    else:  # dirt crunches, grass swishes: grains of noise after the contact
        grains = filtered(rng.standard_normal(length).astype(np.float32), band(*((1000, 7000) if floor == "dirt" else (300, 2500))))
        grains *= np.exp(-t / (0.04 if floor == "dirt" else 0.06)) * (rng.random(length) < 0.3)
        x += 0.6 * grains / (np.abs(grains).max() or 1)
        x = filtered(x, band(None, 3500 if floor == "grass" else 8000))
    x[0] = abs(x[0]) + 0.3
    return x / (np.abs(x).max() or 1)


def bodyfall(rng: np.random.Generator, floor: str = "wood", kind: str = "fall") -> np.ndarray:
    """A body hitting the floor; `collapse`: slower, the legs giving way before the torso lands."""
    spread = 2.5 if kind == "collapse" else 1.0
    parts = [(0.0, rng.uniform(0.55, 0.8)), (rng.uniform(0.05, 0.14) * spread, 1.0)]  # knees/hip, then the torso
    parts += [(rng.uniform(0.12, 0.35) * spread, rng.uniform(0.2, 0.5)) for _ in range(rng.integers(2, 4))]  # arms, head
    length = int((max(p[0] for p in parts) + 0.6) * RATE)
    x = np.zeros(length, dtype=np.float32)
    for when, level in parts:
        at = int(when * RATE)
        x[at:] += level * _contact(rng, floor, length - at)
    t = np.arange(length, dtype=np.float32) / RATE
    cloth = filtered(rng.standard_normal(length).astype(np.float32), band(300, 5000))
    cloth *= np.clip(t / 0.02, 0, 1) * np.exp(-t / (0.15 * spread))
    x += 0.12 * cloth / (np.abs(cloth).max() or 1)
    x[0] = abs(x[0]) + 0.2
    return with_tail_fade(normalised(x), 0.05)


RATES = {"resting": (60.0, 75.0), "fast": (115.0, 140.0)}


@lru_cache(maxsize=8)
def _heart_sounds(seed: int, rate: str) -> tuple[list[np.ndarray], float]:
    """A few lub-dub takes and the beat period for this clip's heart."""
    rng = np.random.default_rng(seed)
    bpm = rng.uniform(*RATES[rate])
    systole = 0.30 if rate == "resting" else 0.22  # lub to dub
    length = int((systole + 0.25) * RATE)
    t = np.arange(length, dtype=np.float32) / RATE
    takes = []
    for _ in range(6):
        lub_hz, dub_hz = rng.uniform(40, 55), rng.uniform(58, 75)
        lub = np.sin(2 * np.pi * lub_hz * t) * decaying(length, 0.035, 0.006)
        ts = np.clip(t - systole, 0, None)
        dub = np.sin(2 * np.pi * dub_hz * ts) * np.exp(-ts / 0.025) * np.clip(ts / 0.004, 0, 1) * (t >= systole)
        thump = filtered(rng.standard_normal(length).astype(np.float32), band(20, 180)) * decaying(length, 0.03, 0.004)
        x = lub + rng.uniform(0.5, 0.7) * dub + 0.25 * thump / (np.abs(thump).max() or 1)
        takes.append(with_tail_fade(normalised(x.astype(np.float32))))
    return takes, 60.0 / bpm


def heartbeat(events: VisualEvents, start: int, n: int, seed: int, intensity: float, rate: str = "resting") -> np.ndarray:
    """A steady lub-dub through the clip, a little irregular as a living heart is."""
    takes, period = _heart_sounds(seed, rate)
    out = stereo(n)
    pre = len(takes[0])
    for k, at, rng in beat_times(seed, "heart", period, start, n, pre, jitter_s=0.015 * period, phase_s=0.1):
        add_at(out, at, takes[k % len(takes)], rng.uniform(0.85, 1.0))
    return out


MODELS = {
    "bodyfall": SoundModel("events", "a body falling or collapsing on visual onsets: heavy soft contacts, the floor's answer, cloth",
                           one_shots(bodyfall, 6), {"floor": FLOORS, "kind": ("fall", "collapse")}),
    "heartbeat": SoundModel("events", "a heartbeat through the clip: lub-dub, resting or racing",
                            pattern(heartbeat), {"rate": tuple(RATES)}),
}

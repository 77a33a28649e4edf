"""The room a scene plays in: a light synthetic reverb on hits and movement (beds carry their own air)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import oaconvolve

from .noise import RATE, band, filtered, stable_seed


@dataclass(frozen=True)
class Space:
    """Reverberation time and how much of it is heard."""

    rt60_s: float
    wet: float
    damping_hz: float  # walls soak up highs above this


SPACES = {
    "room": Space(0.45, 0.18, 6000),
    "bathroom": Space(0.9, 0.3, 9000),
    "hall": Space(1.8, 0.32, 5000),
    "cave": Space(2.6, 0.4, 3500),
}


def impulse_response(space: Space, seed: int) -> np.ndarray:
    """Stereo exponentially decaying noise, darker as it decays (decorrelated left/right)."""
    n = int(space.rt60_s * RATE)
    t = np.arange(n, dtype=np.float32) / RATE
    rng = np.random.default_rng(stable_seed(seed, "ir", space.rt60_s))
    tail = rng.standard_normal((n, 2)).astype(np.float32) * np.exp(-6.91 * t / space.rt60_s)[:, None]
    dark = filtered(tail, band(None, space.damping_hz))
    mix = np.linspace(0.0, 1.0, n, dtype=np.float32)[:, None]  # highs die first
    ir = (1 - mix) * tail + mix * dark
    return ir / np.sqrt(np.sum(ir**2) / 2)


def tail_samples(space_name: str) -> int:
    """How far back a window must render dry sound for its reverb to be complete."""
    space = SPACES.get(space_name)
    return int(space.rt60_s * RATE) if space else 0


def reverberate(dry: np.ndarray, space_name: str, seed: int) -> np.ndarray:
    """dry + wet reverb of `dry`, same length (the caller pre-rolls the dry signal by tail_samples)."""
    space = SPACES.get(space_name)
    if space is None or not dry.any():
        return dry
    wet = oaconvolve(dry, impulse_response(space, seed), axes=0)[: len(dry)]
    return (dry + space.wet * wet.astype(np.float32)).astype(np.float32)

"""The room a scene plays in: a light synthetic reverb on hits and movement (beds carry their own air)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.signal import oaconvolve

from .noise import RATE, band, filtered, stable_seed, stereo


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


@lru_cache(maxsize=8)
def impulse_response(space: Space, seed: int) -> np.ndarray:
    """Stereo exponentially decaying noise, darker as it decays (decorrelated left/right).
    Cached: every window of a clip reverberates through the same room. Shared: never write into it."""
    n = int(space.rt60_s * RATE)
    t = np.arange(n, dtype=np.float32) / RATE
    rng = np.random.default_rng(stable_seed(seed, "ir", space.rt60_s))
    tail = rng.standard_normal((n, 2)).astype(np.float32) * np.exp(-6.91 * t / space.rt60_s)[:, None]
    dark = filtered(tail, band(None, space.damping_hz))
    mix = np.linspace(0.0, 1.0, n, dtype=np.float32)[:, None]  # highs die first
    ir = (1 - mix) * tail + mix * dark
    ir = np.asfortranarray(ir / np.sqrt(np.sum(ir**2) / 2), dtype=np.float32)
    ir.flags.writeable = False
    return ir


def tail_samples(space_name: str) -> int:
    """How far back a window must render dry sound for its reverb to be complete."""
    space = SPACES.get(space_name)
    return int(space.rt60_s * RATE) if space else 0


def reverberate(dry: np.ndarray, space_name: str, seed: int) -> np.ndarray:
    """dry + wet reverb of `dry`, same length (the caller pre-rolls the dry signal by tail_samples)."""
    space = SPACES.get(space_name)
    if space is None or not dry.any():
        return dry
    ir = impulse_response(space, seed)
    out = stereo(len(dry))
    for ch in range(dry.shape[1]):  # channel by channel: contiguous in the column-major layout
        out[:, ch] = oaconvolve(dry[:, ch], ir[:, ch])[: len(dry)]
    out *= np.float32(space.wet)
    out += dry
    return out

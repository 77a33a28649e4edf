"""Doors: slammed, closed or opened — panel, latch and hinge, each on the visual onset."""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter

from .modal import MATERIALS, Material, strike
from .noise import RATE, band, filtered

ACTIONS = ("slam", "close", "open")
_PANEL = Material((70, 130), (1.0, 1.84, 2.97, 4.12, 5.6), 0.35, 0.5, 0.6, (60, 3000), 0.006)
_CREAK_BAND = band(500, 2200)


def _latch(rng: np.random.Generator) -> np.ndarray:
    return strike(MATERIALS["metal"], rng, f0=rng.uniform(1800, 2600), scale_t60=0.05)


def _creak(rng: np.random.Generator, seconds: float) -> np.ndarray:
    """A hinge creaking: stick-slip pulses at a wandering rate, ringing in the door's wood."""
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    rate = rng.uniform(25, 45) * (1 + 0.5 * np.sin(2 * np.pi * rng.uniform(0.5, 1.5) * t + rng.uniform(0, 6.3)))
    phase = np.cumsum(rate) / RATE
    pulses = (np.diff(np.floor(phase), prepend=0.0) > 0).astype(np.float32)
    f = rng.uniform(700, 1300)
    r = 0.995
    ring = lfilter([1.0], [1.0, -2 * r * np.cos(2 * np.pi * f / RATE), r * r], pulses).astype(np.float32)
    env = np.sin(np.pi * np.clip(t / seconds, 0, 1)) ** 0.5
    return filtered(ring * env.astype(np.float32), _CREAK_BAND)


def door(rng: np.random.Generator, action: str = "slam") -> np.ndarray:
    """One door sound with its transient at sample 0."""
    if action == "open":  # the latch lets go, then the hinge creaks as it swings
        latch = _latch(rng)
        creak = _creak(rng, rng.uniform(0.6, 1.1))
        x = np.zeros(int(0.05 * RATE) + len(creak), dtype=np.float32)
        x[: len(latch)] += latch[: len(x)]
        x[int(0.05 * RATE) :] += 0.6 * creak / (np.abs(creak).max() or 1)
        return (x / np.abs(x).max()).astype(np.float32)
    panel = strike(_PANEL, rng, scale_t60=1.0 if action == "slam" else 0.5)
    latch = _latch(rng)
    start = int(rng.uniform(0.004, 0.012) * RATE)
    panel_level, latch_level = (1.0, 0.35) if action == "slam" else (0.35, 0.8)  # a close is mostly the latch
    x = panel_level * panel
    n = min(len(latch), len(x) - start)
    x[start : start + n] += latch_level * latch[:n]
    x[0] = abs(x[0]) + 0.2 * panel_level  # transient on the onset sample
    return (x / np.abs(x).max()).astype(np.float32)

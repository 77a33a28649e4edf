"""Movement layers that follow the picture's motion: cloth rustle and whooshes."""

from __future__ import annotations

import numpy as np

from ...engines.base import VisualEvents
from .noise import band, block_noise, envelope_at, filtered

_CLOTH_LOW, _CLOTH_HIGH = band(300, 1600), band(1800, 7000)
_WHOOSH_LOW, _WHOOSH_HIGH = band(150, 900), band(700, 4500)


def _motion(events: VisualEvents, start: int, n: int, smooth_s: float) -> np.ndarray:
    return envelope_at(events.envelope_times_s, events.motion_envelope, start, n, smooth_s)


def cloth(events: VisualEvents, start: int, n: int, seed: int) -> np.ndarray:
    """Fabric rubbing: louder and brighter the more the picture moves."""
    motion = _motion(events, start, n, 0.06)
    noise = block_noise(seed, "cloth", start, n)
    flutter = 0.6 + 0.4 * np.abs(filtered(block_noise(seed, "cloth-flutter", start, n)[:, :1], band(None, 12)))[:, 0] * 8
    low, high = filtered(noise, _CLOTH_LOW), filtered(noise, _CLOTH_HIGH)
    bright = np.clip(motion, 0, 1)[:, None]
    amp = (motion**0.8 * np.clip(flutter, 0, 1.5))[:, None]
    return (amp * (low * (1 - 0.6 * bright) + 0.7 * high * bright)).astype(np.float32)


def whoosh(events: VisualEvents, start: int, n: int, seed: int) -> np.ndarray:
    """Air moved by fast motion: only strong motion speaks, and it opens up as it speeds."""
    motion = _motion(events, start, n, 0.12)
    noise = block_noise(seed, "whoosh", start, n)
    low, high = filtered(noise, _WHOOSH_LOW), filtered(noise, _WHOOSH_HIGH)
    speed = np.clip(motion, 0, 1)[:, None]
    return (speed**1.6 * (low * (1 - speed) + high * speed)).astype(np.float32)


MODELS = {"cloth": cloth, "whoosh": whoosh}

"""Movement layers that follow the picture's motion: cloth rustle and whooshes."""

from __future__ import annotations

import numpy as np

from ...engines.base import VisualEvents
from .noise import (
    CONTROL_HOP,
    DECORRELATION,
    RATE,
    band,
    block_noise,
    decorrelated,
    decorrelated_noise,
    envelope_coarse,
    expand,
    filtered_noise,
    stereo,
)

_CLOTH = band(300, 7000)
_FLUTTER_HZ = 20
_WHOOSH_LOW, _WHOOSH_HIGH = band(150, 900), band(700, 4500)


def _motion(events: VisualEvents, start: int, n: int, smooth_s: float) -> np.ndarray:
    """The motion envelope on the 1 ms control grid from `start`."""
    return envelope_coarse(events.envelope_times_s, events.motion_envelope, start, n, smooth_s)


def cloth(events: VisualEvents, start: int, n: int, seed: int) -> np.ndarray:
    """Fabric rubbing: louder and brighter the more the picture moves."""
    motion = np.clip(_motion(events, start, n, 0.06), 0, 1)
    if not motion.any():
        return stereo(n)
    # Irregular rubbing: a random level every 50 ms, the same whichever window asks.
    first = start // (RATE // _FLUTTER_HZ)
    count = n // (RATE // _FLUTTER_HZ) + 3
    flutter = 0.7 + 0.17 * block_noise(seed, "flutter", first, count, channels=1, rate=_FLUTTER_HZ)[:, 0]
    grid = envelope_coarse((first + np.arange(count)) / _FLUTTER_HZ, flutter, start, n, 0.05)
    # Level and brightness are control curves: combine them on the 1 ms grid, expand once each.
    amp = 0.3 * motion**0.8 * grid
    bright = 1.5 * amp * motion
    # From one sample before the window: the first difference below needs it.
    rustle = decorrelated_noise(seed, "cloth", start - 1, n + 1, _CLOTH)
    # plain * r + bright * (r - r_prev): a first difference tilts the spectrum up, brightness
    # without a second filter.
    out = rustle[1:] * expand(amp * (1 - 0.5 * motion) + bright, CONTROL_HOP, 0, n)[:, None]
    out -= rustle[:-1] * expand(bright, CONTROL_HOP, 0, n)[:, None]
    return out


#: On-screen speed (picture heights per second) at which a whoosh is at full strength.
FULL_WHOOSH_SPEED = 0.7


def whoosh(events: VisualEvents, start: int, n: int, seed: int) -> np.ndarray:
    """Air moved by fast motion: only fast motion speaks, and it opens up as it speeds.

    Uses the measured on-screen speed (coarse optical flow) when the analysis has it, else the
    motion energy as a stand-in.
    """
    if len(events.motion_speed) == len(events.envelope_times_s) and len(events.motion_speed):
        speed = np.clip(events.motion_speed / FULL_WHOOSH_SPEED, 0.0, 1.0)
        motion = envelope_coarse(events.envelope_times_s, speed, start, n, 0.12)
    else:
        motion = _motion(events, start, n, 0.12)
    speed = np.clip(motion, 0, 1)
    if not speed.any():
        return stereo(n)
    level = 0.5 * speed**1.6
    noise = block_noise(seed, "whoosh", start - DECORRELATION, n + DECORRELATION, channels=1)
    low, high = decorrelated(filtered_noise(noise, _WHOOSH_LOW), n), decorrelated(filtered_noise(noise, _WHOOSH_HIGH), n)
    low *= expand(level * (1 - speed), CONTROL_HOP, 0, n)[:, None]
    high *= expand(level * speed, CONTROL_HOP, 0, n)[:, None]
    low += high
    return low

"""Thunder: the crack of a near strike and the long roll of a distant one, on the lightning's flash.

A lightning channel is kilometres of crooked segments, each sending a shock wave: near, the closest
segments arrive as a tearing crack; then the rest arrive one after another from further away, as a
rumble that rolls (swells wherever many segments lie at the same distance) and darkens with distance.
"""

from __future__ import annotations

import numpy as np

from .noise import BED_RATE, RATE, band, filtered, upsample
from .patterns import decaying, normalised, with_tail_fade
from .sound_model import SoundModel, one_shots


def _rolls(rng: np.random.Generator, t: np.ndarray, seconds: float, count: int) -> np.ndarray:
    """The rumble's loudness: a few swells of random width, one per group of channel segments."""
    env = np.zeros_like(t)
    for _ in range(count):
        centre, width = rng.uniform(0.05, 0.8) * seconds, rng.uniform(0.25, 1.2)
        env += rng.uniform(0.4, 1.0) * np.exp(-0.5 * ((t - centre) / width) ** 2)
    return env


def thunder(rng: np.random.Generator, distance: str = "near") -> np.ndarray:
    """One thunderclap: near = crack, then rumble; far = a soft first arrival growing into a low roll."""
    near = distance == "near"
    seconds = rng.uniform(4.5, 7.0) if near else rng.uniform(6.0, 9.0)
    # The rumble is all below 1 kHz: synthesise it at 6 kHz and resample once.
    low_n = int(seconds * BED_RATE)
    t_low = np.arange(low_n, dtype=np.float32) / BED_RATE
    rumble = filtered(rng.standard_normal(low_n).astype(np.float32),
                      band(25, 400 if near else 180, order=3, rate=BED_RATE))
    env = _rolls(rng, t_low, seconds, 4 if near else 3) * np.exp(-t_low / (seconds * 0.45))
    env *= np.clip(t_low / (0.15 if near else 0.6), 0, 1)  # a far roll builds up
    x = upsample(rumble * env.astype(np.float32), RATE // BED_RATE, 0, int(seconds * RATE))
    x = x / (np.abs(x).max() or 1)
    n = len(x)
    if near:  # the tearing crack: a burst of shock waves from the nearest segments
        crack_n = int(rng.uniform(0.25, 0.5) * RATE)
        t = np.arange(crack_n, dtype=np.float32) / RATE
        clicks = np.zeros(crack_n, dtype=np.float32)
        times = np.sort(rng.exponential(0.06, rng.integers(60, 140)))
        times = (times[times < crack_n / RATE - 0.002] * RATE).astype(int)
        clicks[times] = rng.uniform(0.2, 1.0, len(times)) * rng.choice((-1.0, 1.0), len(times))
        clicks[0] = 1.0
        hiss = filtered(rng.standard_normal(crack_n).astype(np.float32), band(300, 6000))
        crack = filtered(clicks, band(200, 9000)) + 0.5 * hiss * np.exp(-t / 0.05)
        crack = crack / (np.abs(crack).max() or 1)
        x[:crack_n] += 1.6 * crack * np.exp(-t / 0.12)
        x[0] = abs(x[0]) + 0.5
    else:  # the first, muffled arrival: a soft low thud at the flash
        first_n = int(0.3 * RATE)
        thud = filtered(rng.standard_normal(first_n).astype(np.float32), band(30, 250)) * decaying(first_n, 0.08)
        x[:first_n] += 0.5 * thud / (np.abs(thud).max() or 1)
        x[0] = abs(x[0]) + 0.3
    return with_tail_fade(normalised(x[:n]), 0.2)


MODELS = {
    "thunder": SoundModel("events", "thunder on visual onsets (lightning flashes): near crack and rumble, or a distant roll",
                          one_shots(thunder, 4), {"distance": ("near", "far")}),
}

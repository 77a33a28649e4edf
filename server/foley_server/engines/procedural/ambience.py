"""Ambience beds: room tone, rain and wind, continuous across windows and decorrelated left/right."""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter

from .noise import (
    BED_FACTOR,
    BED_RATE,
    DECORRELATION,
    RATE,
    band,
    block_noise,
    control_curve,
    decorrelated,
    filtered_noise,
    low_rate_noise,
    low_rate_source,
    stable_seed,
    upsample,
)

# Gains are set for 6 kHz noise, which has 8x the power per hertz of full-rate noise.
_ROOM = [(band(None, 250, rate=BED_RATE), 0.28), (band(250, 2000, rate=BED_RATE), 0.04)]
_WIND_LOW, _WIND_MID = band(None, 380, rate=BED_RATE), band(250, 1400, rate=BED_RATE)
_RAIN_HISS = band(1500, None)


def room_tone(start: int, n: int, seed: int, intensity: float = 0.5) -> np.ndarray:
    """The air of a quiet room: low rumble with a little mid-band life."""
    return low_rate_noise(seed, "room", start, n, _ROOM)


#: A raindrop's tick dies away with this time constant.
_DROP_TAU_S = 0.0012


def rain(start: int, n: int, seed: int, intensity: float = 0.5) -> np.ndarray:
    """Rain: broadband hiss plus drops landing at random, as dense as the intensity says.

    Each drop is a noise tick with an instant attack and a 1.2 ms decay: the drops' envelope is
    their impulses through a one-pole decay, and it modulates white noise (as a convolution of the
    impulses with a noise burst would, for a fraction of the work).
    """
    # One white stream serves all four noises (drops' and hiss's, left and right), each
    # DECORRELATION apart (see noise.decorrelated): one channel of noise filtered, not two.
    white = block_noise(seed, "rain", start - 3 * DECORRELATION, n + 3 * DECORRELATION, channels=1)[:, 0]
    pre = int(20 * _DROP_TAU_S * RATE)  # drops older than this have fallen below -170 dB
    # A floor far below hearing (-570 dB) keeps the decay between sparse drops out of float32
    # denormals, which are a hundred times slower.
    impulses = np.full((2, n + pre), 1e-30, dtype=np.float32)  # channel-major: lfilter runs along rows
    per_second = int(150 + 900 * intensity)
    for block in range((start - pre) // RATE, (start + n) // RATE + 1):
        rng = np.random.default_rng(stable_seed(seed, "rain-drops", block))
        pos = block * RATE + rng.integers(0, RATE, (per_second, 2)) - (start - pre)
        # Random polarity: overlapping ticks add in power, as independent noise bursts do.
        amp = (rng.uniform(0.05, 1.0, (per_second, 2)) ** 2 * rng.choice((-1.0, 1.0), (per_second, 2))).astype(np.float32)
        for ch in range(2):
            ok = (pos[:, ch] >= 0) & (pos[:, ch] < n + pre)
            np.add.at(impulses[ch], pos[ok, ch], amp[ok, ch])
    decay = np.array([1.0, -np.exp(-1.0 / (_DROP_TAU_S * RATE))], dtype=np.float32)
    drops = decorrelated(white[: DECORRELATION + n], n)
    drops *= lfilter(np.ones(1, np.float32), decay, impulses, axis=1)[:, pre:].T
    drops *= np.float32(0.2)
    hiss = decorrelated(filtered_noise(white[2 * DECORRELATION :], _RAIN_HISS), n)
    hiss *= np.float32(0.12)
    drops += hiss
    return drops


def wind(start: int, n: int, seed: int, intensity: float = 0.5) -> np.ndarray:
    """Wind: low roar with gusts that swell the level and open up the top.

    One channel at the low rate, stereo by `decorrelated`: the right channel hears each gust 0.37 s
    after the left, as a gust crossing the scene would arrive (gusts last seconds)."""
    begin = start - DECORRELATION
    noise, offset = low_rate_source(seed, "wind", begin, n + DECORRELATION, BED_FACTOR, channels=1)
    low, mid = filtered_noise(noise[:, 0], _WIND_LOW), filtered_noise(noise[:, 0], _WIND_MID)
    rng = np.random.default_rng(stable_seed(seed, "gusts"))
    phases = rng.uniform(0, 2 * np.pi, 3)
    # Gusts are slow: a control curve at the low rate shapes the bands before the one resampling.
    gust = control_curve(lambda t: np.clip((0.55 + 0.25 * np.sin(2 * np.pi * 0.071 * t + phases[0])
                                            + 0.2 * np.sin(2 * np.pi * 0.173 * t + phases[1])) * (0.6 + 0.8 * intensity), 0.1, 1.6),
                         (begin - offset) // BED_FACTOR, len(low), 0.01, rate=BED_RATE)
    low *= np.float32(0.35) * gust
    gust *= gust
    mid *= np.float32(0.18) * gust
    low += mid
    return decorrelated(upsample(low, BED_FACTOR, offset, n + DECORRELATION), n)

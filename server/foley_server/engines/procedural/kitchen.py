"""The kitchen: chopping on a board, frying and sizzling, boiling and bubbling.

A chop is a knife going through food (a crisp crunch of cells breaking) and striking the board (a
short, thick wooden or plastic knock). Frying is water boiling off in hot oil: thousands of tiny
bursts a second, a hiss with spits in it. Boiling is bubbles forming and bursting: each a Minnaert
resonance (a sine whose pitch is set by its size, rising as it closes), over the pot's low rumble.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.signal import sosfilt

from .modal import Material, strike
from .noise import RATE, band, block_noise, control_curve, filtered_noise, low_rate_source, stable_seed, stereo, upsample
from .patterns import normalised, with_tail_fade
from .sound_model import SoundModel, bed, one_shots

BOARDS = {
    "wood": Material((260, 520), (1.0, 2.31, 3.92), 0.05, 0.6, 0.5, (300, 6000), 0.0012),
    "plastic": Material((420, 800), (1.0, 2.08, 3.43), 0.035, 0.5, 0.5, (500, 8000), 0.001),
}
FOODS = ("vegetables", "herbs", "meat")


def chop(rng: np.random.Generator, board: str = "wood", food: str = "vegetables") -> np.ndarray:
    """The blade through the food (crunch, wet squelch or a soft rustle), then on the board."""
    length = int(0.25 * RATE)
    t = np.arange(length, dtype=np.float32) / RATE
    through = rng.uniform(0.004, 0.015) if food != "herbs" else rng.uniform(0.001, 0.004)
    colour = {"vegetables": (2000, 9000), "herbs": (3000, 12000), "meat": (200, 2500)}[food]
    food_sound = filtered_noise(rng.standard_normal(length).astype(np.float32), band(*colour))
    food_sound *= np.clip(t / 0.0005, 0, 1) * np.exp(-t / (through + 0.003))
    if food == "vegetables":  # cells snapping: the crunch comes in grains
        food_sound *= (rng.random(length) < 0.5).astype(np.float32)
    x = (0.6 if food != "herbs" else 0.3) * food_sound / (np.abs(food_sound).max() or 1)
    at = int(through * RATE)
    knock = strike(BOARDS[board], rng)
    x[at : at + len(knock)] += knock[: length - at]
    x[0] = abs(x[0]) + 0.3
    return with_tail_fade(normalised(x))


@lru_cache(maxsize=4)
def _spit_kernels(seed: int, count: int = 8) -> np.ndarray:
    """A few shapes of oil spitting: 2-4 ms bursts of bright noise, already band-passed."""
    rng = np.random.default_rng(stable_seed(seed, "fry-spit"))
    t = np.arange(int(0.006 * RATE)) / RATE
    raw = rng.standard_normal((count, len(t))) * np.exp(-t / rng.uniform(0.0006, 0.0015, (count, 1)))
    shaped = sosfilt(band(1500, 9000), raw, axis=1) * np.minimum(1.0, (len(t) - np.arange(len(t))) / (0.001 * RATE))
    return (shaped / np.abs(shaped).max(axis=1, keepdims=True)).astype(np.float32)


def fry(start: int, n: int, seed: int, intensity: float = 0.5) -> np.ndarray:
    """Sizzling: a dense bright hiss of micro-bursts that seethes, and louder spits of oil now and then."""
    white = block_noise(seed, "fry", start - 1, n + 1)  # from the sample before: the difference needs it
    # A first difference tilts white noise up 6 dB an octave: the hiss of thousands of tiny bursts.
    hiss = white[1:] - white[:-1]
    rng = np.random.default_rng(stable_seed(seed, "fry-seethe"))
    rates, phases = rng.uniform(3, 11, 3), rng.uniform(0, 2 * np.pi, 3)
    seethe = control_curve(lambda t: 0.05 * (1 + 0.2 * np.sin(2 * np.pi * rates * t[:, None] + phases).sum(axis=1)), start, n)
    hiss *= seethe[:, None]
    kernels = _spit_kernels(seed)
    size = kernels.shape[1]
    spits = stereo(n + 2 * size)  # room for spits that began before the window or end after it
    for block in range((start - size) // RATE, (start + n) // RATE + 1):
        brng = np.random.default_rng(stable_seed(seed, "fry-spits", block))
        count = brng.poisson(40 + 160 * intensity)
        at = block * RATE + brng.integers(0, RATE, count) - start
        channel, shape = brng.integers(0, 2, count), brng.integers(0, len(kernels), count)
        amp = 0.12 * np.minimum(brng.pareto(2.0, count), 4.0) * brng.choice((-1.0, 1.0), count)
        heard = np.flatnonzero((at > -size) & (at < n))
        scaled = kernels[shape[heard]] * amp[heard, None].astype(np.float32)  # every spit's shape at its level at once
        for a, ch, kernel in zip(at[heard] + size, channel[heard], scaled):  # spits[size] is sample `start`
            spits[a : a + size, ch] += kernel
    hiss += spits[size : size + n]
    return hiss


_BOIL_FACTOR = 4  # bubbles and rumble stay under 3 kHz: synthesised at 12 kHz
_BOIL_RATE = RATE // _BOIL_FACTOR
_RUMBLE = band(None, 200, rate=_BOIL_RATE)


@lru_cache(maxsize=4)
def _bubble_kernels(seed: int, count: int = 8) -> list[np.ndarray]:
    rng = np.random.default_rng(stable_seed(seed, "boil-kernels"))
    out = []
    for _ in range(count):
        n = int(0.04 * _BOIL_RATE)
        t = np.arange(n) / _BOIL_RATE
        f = rng.uniform(250, 1400)
        out.append((np.sin(2 * np.pi * f * (t + 8 * t**2)) * np.exp(-t / rng.uniform(0.004, 0.012))).astype(np.float32))
    return out


def boil(start: int, n: int, seed: int, intensity: float = 0.5) -> np.ndarray:
    """A pot boiling: bubbles bursting (a simmer for low intensity, a rolling boil for high) over a rumble."""
    noise, offset = low_rate_source(seed, "boil", start, n, _BOIL_FACTOR)
    lo = (start - offset) // _BOIL_FACTOR
    out = filtered_noise(noise, _RUMBLE) * np.float32(0.6)
    kernels = _bubble_kernels(seed)
    size = len(noise)
    for block in range(lo // _BOIL_RATE - 1, (lo + size) // _BOIL_RATE + 1):
        rng = np.random.default_rng(stable_seed(seed, "bubbles", block))
        count = rng.poisson(20 + 180 * intensity)
        at = block * _BOIL_RATE + rng.integers(0, _BOIL_RATE, count) - lo
        which, channel = rng.integers(0, len(kernels), count), rng.integers(0, 2, count)
        amp = (rng.uniform(0.1, 1.0, count) ** 2).astype(np.float32)
        for i in np.flatnonzero((at >= 0) & (at < size)):  # bubbles before the padding have burst already
            kernel = kernels[which[i]][: size - at[i]]
            out[at[i] : at[i] + len(kernel), channel[i]] += amp[i] * kernel
    return upsample(out, _BOIL_FACTOR, offset, n)


MODELS = {
    "chop": SoundModel("events", "chopping on visual onsets: the knife through the food, then the board",
                       one_shots(chop), {"board": tuple(BOARDS), "food": FOODS}),
    "fry": SoundModel("ambience", "frying and sizzling in a pan: seething hiss and spitting oil", bed(fry), level_db=10),
    "boil": SoundModel("ambience", "boiling and bubbling: bubbles bursting over the pot's rumble; intensity simmer..rolling boil",
                       bed(boil), level_db=10),
}

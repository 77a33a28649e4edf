"""Outdoor beds: fire, running water and forest (leaves and birds), continuous across windows."""

from __future__ import annotations

import numpy as np
from scipy.signal import sosfilt

from .noise import BED_RATE, RATE, band, control_curve, decorrelated_noise, low_rate_noise, stable_seed, stereo
from .patterns import random_times

_FIRE_ROAR = [(band(None, 300, rate=BED_RATE), 0.25)]
_CRACKLE = band(1200, 7000)
_WATER_BODY = band(250, 2500)
_WATER_SPARKLE = band(2500, 9000)
_LEAVES = band(1500, 9000)


def _crackle_kernels(seed: int, count: int = 8) -> np.ndarray:
    """A few crackle shapes (count, samples): noise bursts a millisecond long, already band-passed,
    so placing them is the whole cost of the crackle layer."""
    rng = np.random.default_rng(stable_seed(seed, "crackle-kernel"))
    t = np.arange(int(0.008 * RATE)) / RATE
    raw = rng.standard_normal((count, len(t))) * np.exp(-t / rng.uniform(0.0005, 0.0011, (count, 1)))
    raw[:, int(0.004 * RATE) :] = 0.0
    shaped = sosfilt(_CRACKLE, raw, axis=1)  # the band-pass rings out inside the 8 ms
    shaped *= np.minimum(1.0, (len(t) - np.arange(len(t))) / (0.001 * RATE))  # no step at the end
    return (shaped / np.abs(shaped).max(axis=1, keepdims=True)).astype(np.float32)


def fire(start: int, n: int, seed: int, intensity: float = 0.5) -> np.ndarray:
    """A fire: soft low roar, dense small crackles and the odd loud pop."""
    roar = low_rate_noise(seed, "fire", start, n, _FIRE_ROAR)
    kernels = _crackle_kernels(seed)
    size = kernels.shape[1]
    crackles = stereo(n + 2 * size)  # the window with room either side
    # Crackles per one-second block, all drawn at once (the same in every window): when, where,
    # which shape, how loud, and the odd pop four times louder. They are sparse: add each one.
    for block in range((start - size) // RATE, (start + n) // RATE + 1):
        rng = np.random.default_rng(stable_seed(seed, "crackle", block))
        count = rng.poisson(25 + 60 * intensity)
        at = block * RATE + rng.integers(0, RATE, count) - start + size
        channel = rng.integers(0, 2, count)
        shape = rng.integers(0, len(kernels), count)
        amp = 0.45 * rng.uniform(0.2, 1.0, count) ** 3 * np.where(rng.random(count) < 0.04, 4.0, 1.0)
        for i in np.flatnonzero((at >= 0) & (at < n + size)):
            crackles[at[i] : at[i] + size, channel[i]] += np.float32(amp[i]) * kernels[shape[i]]
    roar += crackles[size : size + n]
    return roar


def water(start: int, n: int, seed: int, intensity: float = 0.5) -> np.ndarray:
    """A stream or river: a broad wash that bubbles, with sparkle on top."""
    body = decorrelated_noise(seed, "water", start, n, _WATER_BODY)
    sparkle = decorrelated_noise(seed, "water-top", start, n, _WATER_SPARKLE)
    # Bubbling: the level wobbles 6-14 times a second, differently in each channel.
    rng = np.random.default_rng(stable_seed(seed, "bubbles"))
    rates, phases = rng.uniform(6, 14, (3, 2)), rng.uniform(0, 2 * np.pi, (3, 2))
    wobble = control_curve(
        lambda t: 1 + 0.25 * np.sin(2 * np.pi * rates[None] * t[:, None, None] + phases[None]).sum(axis=1), start, n)
    body *= wobble
    sparkle *= np.float32(0.4)
    body += sparkle
    body *= np.float32(0.12 * (0.6 + intensity))
    return body


def forest(start: int, n: int, seed: int, intensity: float = 0.5) -> np.ndarray:
    """Woods: leaves moving in the air and birds chirping now and then, left and right."""
    out = decorrelated_noise(seed, "leaves", start, n, _LEAVES)
    out *= control_curve(lambda t: 0.09 * (0.6 + 0.4 * np.sin(2 * np.pi * 0.09 * t)), start, n, 0.01)[:, None]
    pre = int(0.6 * RATE)
    for at, rng in random_times(seed, "birds", start, n, 0.6 + 1.5 * intensity, pre):
        amp = rng.uniform(0.2, 1.0)
        chirp = _bird_call(rng)
        pan = rng.uniform(-0.8, 0.8)
        lo, hi = max(0, -at), min(len(chirp), n - at)
        if hi > lo:
            out[at + lo : at + hi, 0] += 0.25 * amp * np.cos((pan + 1) * np.pi / 4) * chirp[lo:hi]
            out[at + lo : at + hi, 1] += 0.25 * amp * np.sin((pan + 1) * np.pi / 4) * chirp[lo:hi]
    return out


def _bird_call(rng: np.random.Generator) -> np.ndarray:
    """A short trill of frequency-swept whistles between 2 and 6 kHz."""
    notes = []
    base = rng.uniform(2500, 5000)
    for _ in range(rng.integers(2, 6)):
        length = int(rng.uniform(0.04, 0.12) * RATE)
        t = np.arange(length) / RATE
        sweep = base * (1 + rng.uniform(-0.3, 0.3) * t / t[-1])
        phase = 2 * np.pi * np.cumsum(sweep) / RATE
        notes.append((np.sin(phase) * np.hanning(length)).astype(np.float32))
        notes.append(np.zeros(int(rng.uniform(0.02, 0.06) * RATE), dtype=np.float32))
    return np.concatenate(notes)

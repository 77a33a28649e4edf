"""Sounds that recur on their own clock (ticks, rings, strides, claps): when each one falls, and
adding it into a window, so that every window that sees a sound renders it identically."""

from __future__ import annotations

from typing import Iterator

import numpy as np

from .noise import RATE, stable_seed


def pan_gains(pan: float) -> tuple[float, float]:
    """Constant-power left/right gains for pan in [-1, 1]."""
    angle = (pan + 1) * np.pi / 4
    return float(np.cos(angle)), float(np.sin(angle))


def add_at(out: np.ndarray, at: int, sound: np.ndarray, level: float, pan: float = 0.0) -> None:
    """out[at:] += level * sound, panned (mono sound) or as is (stereo), clipped to the window."""
    lo, hi = max(0, -at), min(len(sound), out.shape[0] - at)
    if hi <= lo:
        return
    if sound.ndim == 2:
        out[at + lo : at + hi] += np.float32(level) * sound[lo:hi]
        return
    left, right = pan_gains(pan)
    seg = sound[lo:hi]
    out[at + lo : at + hi, 0] += np.float32(level * left) * seg
    out[at + lo : at + hi, 1] += np.float32(level * right) * seg


def random_times(seed: int, key: str, start: int, n: int, per_second: float, pre: int,
                 rate: int = RATE) -> Iterator[tuple[int, np.random.Generator]]:
    """Poisson event times per one-second block (the same whichever window asks), as offsets from
    `start` in [-pre, n), each with its own rng for everything else about that event."""
    for block in range((start - pre) // rate, (start + n) // rate + 1):
        rng = np.random.default_rng(stable_seed(seed, key, block))
        for pos in np.sort(rng.integers(0, rate, rng.poisson(per_second))):
            at = block * rate + int(pos) - start
            if -pre <= at < n:
                yield at, np.random.default_rng(stable_seed(seed, key, block, int(pos)))


def beat_times(seed: int, key: str, period_s: float, start: int, n: int, pre: int, jitter_s: float = 0.0,
               phase_s: float = 0.0) -> Iterator[tuple[int, int, np.random.Generator]]:
    """Beats every `period_s` from clip time `phase_s` (beat k, its offset from `start` in
    [-pre, n) and its rng), each nudged by up to +-jitter_s: a clock, a gait, a ringing cadence."""
    period = period_s * RATE
    first = max(0, int(np.floor((start - pre - phase_s * RATE) / period)) - 1)
    last = int(np.ceil((start + n - phase_s * RATE) / period)) + 1
    for k in range(first, last + 1):
        rng = np.random.default_rng(stable_seed(seed, key, k))
        at = int(round(phase_s * RATE + k * period + rng.uniform(-jitter_s, jitter_s) * RATE)) - start
        if -pre <= at < n:
            yield k, at, rng


def onsets_near(onsets_s: np.ndarray, start: int, n: int, pre: int) -> np.ndarray:
    """Indices of the onsets whose sound can reach samples [start, start + n)."""
    first = np.searchsorted(onsets_s, (start - pre) / RATE, side="left")
    last = np.searchsorted(onsets_s, (start + n) / RATE, side="left")
    return np.arange(first, last)


def impulse_train(times: np.ndarray, amps: np.ndarray, n: int) -> np.ndarray:
    """A mono signal of n samples with amps[i] added at integer sample times[i] (outside ignored)."""
    out = np.zeros(n, dtype=np.float32)
    ok = (times >= 0) & (times < n)
    np.add.at(out, times[ok], amps[ok].astype(np.float32))
    return out


def decaying(length: int, tau_s: float, attack_s: float = 0.0) -> np.ndarray:
    """An envelope: linear attack then exponential decay with time constant tau_s."""
    t = np.arange(length, dtype=np.float32) / RATE
    env = np.exp(-t / np.float32(tau_s))
    if attack_s > 0:
        env *= np.clip(t / np.float32(attack_s), 0, 1)
    return env


def normalised(x: np.ndarray) -> np.ndarray:
    """x scaled to peak 1 (float32); silence stays silence."""
    peak = float(np.abs(x).max()) if x.size else 0.0
    return (x / peak).astype(np.float32) if peak > 0 else x.astype(np.float32)


def with_tail_fade(x: np.ndarray, fade_s: float = 0.01) -> np.ndarray:
    """The last fade_s faded to zero, so a cut-off take ends without a click."""
    fade = min(len(x), int(fade_s * RATE))
    if fade:
        x[-fade:] *= np.linspace(1, 0, fade, dtype=np.float32)
    return x

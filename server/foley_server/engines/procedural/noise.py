"""Noise that is the same whichever window asks for it: seeded per absolute one-second block."""

from __future__ import annotations

import zlib

import numpy as np
from scipy.signal import butter, sosfilt

RATE = 48_000


def stable_seed(*parts: object) -> int:
    """A seed from any parts (strings, ints), stable across runs and Python processes."""
    return zlib.crc32("|".join(map(str, parts)).encode()) & 0x7FFFFFFF


def block_noise(seed: int, key: str, start: int, n: int, channels: int = 2) -> np.ndarray:
    """White noise (float32, (n, channels)) for samples [start, start + n) of an endless stream."""
    out = np.empty((n, channels), dtype=np.float32)
    first, last = start // RATE, (start + n - 1) // RATE if n else start // RATE
    pos = 0
    for block in range(first, last + 1):
        rng = np.random.default_rng(stable_seed(seed, key, block))
        data = rng.standard_normal((RATE, channels), dtype=np.float32)
        lo = max(start, block * RATE) - block * RATE
        hi = min(start + n, (block + 1) * RATE) - block * RATE
        out[pos : pos + hi - lo] = data[lo:hi]
        pos += hi - lo
    return out


def band(lo_hz: float | None, hi_hz: float | None, order: int = 2) -> np.ndarray:
    """Second-order sections of a Butterworth low/high/band-pass (None leaves that side open)."""
    nyq = RATE / 2
    if lo_hz and hi_hz:
        return butter(order, [lo_hz / nyq, min(hi_hz / nyq, 0.99)], btype="band", output="sos")
    if lo_hz:
        return butter(order, lo_hz / nyq, btype="high", output="sos")
    return butter(order, min(hi_hz / nyq, 0.99), btype="low", output="sos")


def filtered(x: np.ndarray, sos: np.ndarray) -> np.ndarray:
    """Filter along time, keeping float32."""
    return sosfilt(sos, x, axis=0).astype(np.float32)


def envelope_at(times_s: np.ndarray, values: np.ndarray, start: int, n: int, smooth_s: float = 0.03) -> np.ndarray:
    """A control curve sampled per audio sample for [start, start + n), smoothed to avoid zipper noise."""
    if len(times_s) == 0 or n == 0:
        return np.zeros(n, dtype=np.float32)
    # Interpolate on a 1 ms grid, smooth there, then expand: cheap and click-free.
    hop = RATE // 1000
    grid = (start + np.arange(0, n + hop, hop)) / RATE
    coarse = np.interp(grid, times_s, values, left=0.0, right=0.0)
    width = max(1, int(smooth_s * 1000))
    if width > 1:
        kernel = np.hanning(width + 2)[1:-1]
        coarse = np.convolve(np.pad(coarse, width, mode="edge"), kernel / kernel.sum(), mode="same")[width:-width]
    fine = np.interp(np.arange(n) / hop, np.arange(len(coarse)), coarse)
    return fine.astype(np.float32)

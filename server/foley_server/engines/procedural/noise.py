"""Noise that is the same whichever window asks for it: seeded per absolute one-second block."""

from __future__ import annotations

import zlib

import numpy as np
import soxr
from scipy.signal import butter, sosfilt

RATE = 48_000
# Beds without highs are synthesised at RATE / BED_FACTOR (6 kHz): an eighth of the work.
BED_FACTOR = 8
BED_RATE = RATE // BED_FACTOR


def stable_seed(*parts: object) -> int:
    """A seed from any parts (strings, ints), stable across runs and Python processes."""
    return zlib.crc32("|".join(map(str, parts)).encode()) & 0x7FFFFFFF


_UNIT = np.float32(np.sqrt(12.0))  # uniform noise scaled to unit variance


def block_noise(seed: int, key: str, start: int, n: int, channels: int = 2, rate: int = RATE) -> np.ndarray:
    """White noise (float32, (n, channels)) for samples [start, start + n) of an endless stream at `rate`.

    Uniform rather than Gaussian: five times cheaper, and indistinguishable once filtered.
    """
    out = np.empty((n, channels), dtype=np.float32)
    first, last = start // rate, (start + n - 1) // rate if n else start // rate
    pos = 0
    for block in range(first, last + 1):
        rng = np.random.default_rng(stable_seed(seed, key, rate, block))
        lo = max(start, block * rate) - block * rate
        hi = min(start + n, (block + 1) * rate) - block * rate
        data = rng.random((hi, channels), dtype=np.float32)[lo:]
        out[pos : pos + hi - lo] = (data - np.float32(0.5)) * _UNIT
        pos += hi - lo
    return out


def low_rate_bands(seed: int, key: str, start: int, n: int, filters: list[np.ndarray],
                   factor: int = BED_FACTOR) -> list[np.ndarray]:
    """One noise stream at RATE / factor, shaped by each filter and resampled up: beds with no highs
    cost a fraction. Filters are designed for the low rate (band(..., rate=BED_RATE)); low-rate
    noise has `factor` times the power per hertz of full-rate noise, so gains are set for that."""
    low_rate = RATE // factor
    pad = low_rate // 10  # filter and resampler settle inside the padding, not the window
    lo = start // factor - pad
    count = -(-n // factor) + 2 * pad + 1
    noise = block_noise(seed, key, lo, count, rate=low_rate) if lo >= 0 else np.vstack(
        [np.zeros((-lo, 2), np.float32), block_noise(seed, key, 0, count + lo, rate=low_rate)])
    offset = start - lo * factor
    return [soxr.resample(np.ascontiguousarray(sosfilt(sos, noise, axis=0), dtype=np.float32), low_rate, RATE)[offset : offset + n]
            for sos in filters]


def low_rate_noise(seed: int, key: str, start: int, n: int, shapes: list[tuple[np.ndarray, float]],
                   factor: int = BED_FACTOR) -> np.ndarray:
    """The sum of low-rate bands with gains: `shapes` are (sos, gain) pairs."""
    bands = low_rate_bands(seed, key, start, n, [sos for sos, _ in shapes], factor)
    return sum(gain * b for b, (_, gain) in zip(bands, shapes))


def band(lo_hz: float | None, hi_hz: float | None, order: int = 2, rate: int = RATE) -> np.ndarray:
    """Second-order sections of a Butterworth low/high/band-pass (None leaves that side open)."""
    nyq = rate / 2
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


def control_curve(fn, start: int, n: int, hop_s: float = 0.001) -> np.ndarray:
    """A slowly varying control signal fn(seconds) evaluated every `hop_s` and interpolated per sample."""
    hop = max(1, int(hop_s * RATE))
    grid = np.arange(start - start % hop, start + n + 2 * hop, hop)
    values = np.asarray(fn(grid / RATE), dtype=np.float32)
    samples = np.arange(start, start + n)
    if values.ndim == 1:
        return np.interp(samples, grid, values).astype(np.float32)
    return np.stack([np.interp(samples, grid, values[:, c]) for c in range(values.shape[1])], axis=1).astype(np.float32)

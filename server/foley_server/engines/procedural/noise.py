"""Noise that is the same whichever window asks for it: seeded per absolute one-second block.

Stereo signals are (n, 2) float32 arrays in column-major order (`stereo`): each channel is
contiguous, so numpy scales them by per-sample curves (x * curve[:, None]) and scipy filters them
along time in single passes. A row-major (n, 2) array gives the same results but each operation
that meets one walks two-sample rows, 5-10x slower: build stereo buffers with `stereo`."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import soxr
from scipy.signal import butter, sos2tf, sos2zpk, sosfilt, zpk2sos

from ..seeds import stable_seed  # noqa: F401  (re-exported: every model seeds through it)

RATE = 48_000
# Beds without highs are synthesised at RATE / BED_FACTOR (6 kHz): an eighth of the work.
BED_FACTOR = 8
BED_RATE = RATE // BED_FACTOR


_BYTE_SCALE = np.float32(1 / np.sqrt((256**2 - 1) / 12))  # a uniform random byte scaled to unit variance


def stereo(n: int, channels: int = 2) -> np.ndarray:
    """Silence (float32, (n, channels)) in the column-major layout every stereo signal here uses."""
    return np.zeros((n, channels), dtype=np.float32, order="F")


def block_noise(seed: int, key: str, start: int, n: int, channels: int = 2, rate: int = RATE) -> np.ndarray:
    """White noise (float32, (n, channels), column-major, unit variance) for samples [start, start + n)
    of an endless stream at `rate`; each channel is a stream of its own.

    Each sample is one random byte: a generator's raw 64-bit words give eight samples each, three
    times cheaper than drawing floats. Any i.i.d. sequence is white; filtered or not, 256 equally
    likely levels are heard as the same noise as a continuum of them.
    """
    out = np.empty((n, channels), dtype=np.float32, order="F")
    first, last = start // rate, (start + n - 1) // rate if n else start // rate
    pos = 0
    for block in range(first, last + 1):
        lo = max(start, block * rate) - block * rate
        hi = min(start + n, (block + 1) * rate) - block * rate
        for ch in range(channels):
            words = np.random.PCG64(stable_seed(seed, key, rate, block, ch)).random_raw(-(-hi // 8))
            # A window that starts mid-block draws the block's start too: every window agrees.
            np.multiply(words.view(np.int8)[lo:hi], _BYTE_SCALE, out=out[pos : pos + hi - lo, ch])
        pos += hi - lo
    out += _BYTE_SCALE / np.float32(2)  # bytes run -128..127: centre them
    return out


#: Samples between the two channels of `decorrelated` noise.
DECORRELATION = int(0.37 * RATE)


def decorrelated(x: np.ndarray, n: int, lag: int = DECORRELATION) -> np.ndarray:
    """Stereo (n, 2, column-major) from one channel of filtered noise covering lag + n samples:
    left is its last n samples, right the n samples `lag` earlier (DECORRELATION at full rate).

    Noise this far apart is uncorrelated (filter memories here are a few milliseconds), so the
    image is as wide as two independent channels' for the price of filtering one; a 0.37 s echo
    of noise has no pitch (its comb teeth are 2.7 Hz apart, far finer than hearing resolves).
    """
    x = x.reshape(len(x))
    out = np.empty((n, 2), dtype=np.float32, order="F")
    out[:, 0] = x[lag : lag + n]
    out[:, 1] = x[:n]
    return out


def decorrelated_noise(seed: int, key: str, start: int, n: int, sos: np.ndarray) -> np.ndarray:
    """Filtered white noise for samples [start, start + n), stereo by `decorrelated`."""
    return decorrelated(filtered_noise(block_noise(seed, key, start - DECORRELATION, n + DECORRELATION, channels=1), sos), n)


def low_rate_noise(seed: int, key: str, start: int, n: int, shapes: list[tuple[np.ndarray, float]],
                   factor: int = BED_FACTOR) -> np.ndarray:
    """The sum of low-rate bands with gains (`shapes`: (sos, gain) pairs) for [start, start + n):
    one channel through one filter (`band_sum`), resampled once, stereo by `decorrelated`."""
    noise, offset = low_rate_source(seed, key, start - DECORRELATION, n + DECORRELATION, factor, channels=1)
    return decorrelated(upsample(filtered_noise(noise[:, 0], band_sum(shapes)), factor, offset, n + DECORRELATION), n)


def low_rate_source(seed: int, key: str, start: int, n: int, factor: int, channels: int = 2) -> tuple[np.ndarray, int]:
    """Noise at RATE / factor covering [start, start + n) with settling padding, and the offset
    (in full-rate samples) of `start` inside it once upsampled."""
    low_rate = RATE // factor
    pad = low_rate // 10  # filter and resampler settle inside the padding, not the window
    lo = start // factor - pad
    count = -(-n // factor) + 2 * pad + 1
    # Before the clip's first sample too: a decorrelated bed's delayed channel starts there.
    return block_noise(seed, key, lo, count, channels, low_rate), start - lo * factor


def upsample(x: np.ndarray, factor: int, offset: int, n: int) -> np.ndarray:
    """A low-rate signal from `low_rate_source` back at RATE, samples [offset, offset + n)
    (column-major: channel by channel, which is also cheaper for soxr than interleaved)."""
    if x.ndim == 1:
        return soxr.resample(np.ascontiguousarray(x, dtype=np.float32), RATE // factor, RATE)[offset : offset + n]
    out = np.empty((n, x.shape[1]), dtype=np.float32, order="F")
    for ch in range(x.shape[1]):
        out[:, ch] = soxr.resample(np.ascontiguousarray(x[:, ch], dtype=np.float32), RATE // factor, RATE)[offset : offset + n]
    return out


@lru_cache(maxsize=512)
def band(lo_hz: float | None, hi_hz: float | None, order: int = 2, rate: int = RATE) -> np.ndarray:
    """Second-order sections of a Butterworth low/high/band-pass (None leaves that side open).
    Cached: takes are built from hundreds of filtered strikes, and designing a filter costs
    more than running it over a short strike. The array is shared: never write into it."""
    nyq = rate / 2
    if lo_hz and hi_hz:
        return butter(order, [lo_hz / nyq, min(hi_hz / nyq, 0.99)], btype="band", output="sos")
    if lo_hz:
        return butter(order, lo_hz / nyq, btype="high", output="sos")
    return butter(order, min(hi_hz / nyq, 0.99), btype="low", output="sos")


def band_sum(shapes: list[tuple[np.ndarray, float]]) -> np.ndarray:
    """One filter whose output is the sum of the bands' outputs with their gains (`shapes`:
    (sos, gain) pairs). sosfilt costs ~7 ns a sample however many sections it runs (up to four),
    so summing bands inside one filter costs one pass instead of one per band."""
    if len(shapes) == 1:
        sos, gain = shapes[0]
        scaled = np.array(sos, dtype=np.float64)
        scaled[0, :3] *= gain
        return scaled
    return _band_sum(tuple((np.asarray(sos, dtype=np.float64).tobytes(), len(sos), float(gain)) for sos, gain in shapes))


@lru_cache(maxsize=64)
def _band_sum(shapes: tuple[tuple[bytes, int, float], ...]) -> np.ndarray:
    bands = [(np.frombuffer(raw).reshape(sections, 6), gain) for raw, sections, gain in shapes]
    tfs = [sos2tf(sos) for sos, _ in bands]
    poles = np.concatenate([sos2zpk(sos)[1] for sos, _ in bands])
    # b1/a1 + b2/a2 + ... over the common denominator a1 * a2 * ...
    numerator = np.zeros(1)
    for i, ((b, _), (_, gain)) in enumerate(zip(tfs, bands)):
        term = gain * b
        for j, (_, a) in enumerate(tfs):
            if j != i:
                term = np.polymul(term, a)
        numerator = np.polyadd(numerator, term)
    numerator = np.trim_zeros(numerator, "f")
    return zpk2sos(np.roots(numerator), poles, numerator[0])  # shared, like band()'s: never write into it


def filtered(x: np.ndarray, sos: np.ndarray) -> np.ndarray:
    """Filter along time, keeping float32 (computed in float64: sparse signals decaying through
    float32 filters hit denormals, which are a hundred times slower)."""
    return sosfilt(sos, x, axis=0).astype(np.float32)


def filtered_noise(x: np.ndarray, sos: np.ndarray) -> np.ndarray:
    """Filter dense noise along time in float32: no float64 copies of a window-sized signal.
    Only for signals that never fall silent (denormals, see `filtered`)."""
    return sosfilt(np.asarray(sos, dtype=np.float32), np.asarray(x, dtype=np.float32), axis=0)


def expand(coarse: np.ndarray, hop: int, offset: int, n: int) -> np.ndarray:
    """Per-sample values from a curve given every `hop` samples (linear in between), for samples
    [offset, offset + n) counted from the curve's first point. Much cheaper than np.interp."""
    coarse = np.asarray(coarse, dtype=np.float32)
    blocks = -(-(offset + n) // hop)
    if len(coarse) < blocks + 1:
        coarse = np.concatenate([coarse, np.full(blocks + 1 - len(coarse), coarse[-1], np.float32)])
    if coarse.ndim == 1:
        fine = np.empty((blocks, hop), dtype=np.float32)  # filled in place: no window-sized temporaries
        np.multiply((coarse[1 : blocks + 1] - coarse[:blocks])[:, None], np.arange(hop, dtype=np.float32) / np.float32(hop),
                    out=fine)
        fine += coarse[:blocks, None]
        return fine.reshape(-1)[offset : offset + n]
    out = np.empty((n, coarse.shape[1]), dtype=np.float32, order="F")
    for ch in range(coarse.shape[1]):
        out[:, ch] = expand(coarse[:, ch], hop, offset, n)
    return out


#: Control curves are computed on a 1 ms grid and expanded per sample.
CONTROL_HOP = RATE // 1000


def envelope_coarse(times_s: np.ndarray, values: np.ndarray, start: int, n: int, smooth_s: float = 0.03) -> np.ndarray:
    """A control curve on a 1 ms grid from sample `start` (n // CONTROL_HOP + 2 points), smoothed;
    do arithmetic on it, then `expand(curve, CONTROL_HOP, 0, n)`."""
    hop = CONTROL_HOP
    grid = (start + np.arange(0, n + hop, hop)) / RATE
    if len(times_s) == 0:
        return np.zeros(len(grid), dtype=np.float32)
    coarse = np.interp(grid, times_s, values, left=0.0, right=0.0)
    width = max(1, int(smooth_s * 1000))
    if width > 1:
        kernel = np.hanning(width + 2)[1:-1]
        coarse = np.convolve(np.pad(coarse, width, mode="edge"), kernel / kernel.sum(), mode="same")[width:-width]
    return coarse.astype(np.float32)


def envelope_at(times_s: np.ndarray, values: np.ndarray, start: int, n: int, smooth_s: float = 0.03) -> np.ndarray:
    """A control curve sampled per audio sample for [start, start + n), smoothed to avoid zipper noise."""
    if len(times_s) == 0 or n == 0:
        return np.zeros(n, dtype=np.float32)
    # Interpolate on a 1 ms grid, smooth there, then expand: cheap and click-free.
    return expand(envelope_coarse(times_s, values, start, n, smooth_s), CONTROL_HOP, 0, n)


def control_curve(fn, start: int, n: int, hop_s: float = 0.001, rate: int = RATE) -> np.ndarray:
    """A slowly varying control signal fn(seconds) evaluated every `hop_s` and interpolated per
    sample, for samples [start, start + n) of a stream at `rate`."""
    hop = max(1, int(hop_s * rate))
    offset = start % hop
    grid = np.arange(start - offset, start + n + 2 * hop, hop)
    values = np.asarray(fn(grid / rate), dtype=np.float32)
    return expand(values, hop, offset, n)

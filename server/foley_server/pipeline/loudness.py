"""Streaming BS.1770 loudness and true peak, so mastering memory stays flat in clip length.

pyloudnorm measures a whole array at once; a 10-minute stereo clip would then need ~230 MB.
We reuse pyloudnorm's K-weighting filters and block gating rules but feed the signal chunk by
chunk, keeping only 100 ms sub-block energies (one float per channel per 100 ms).
"""

from __future__ import annotations

import math

import numpy as np
from pyloudnorm.iirfilter import IIRfilter
from scipy.signal import resample_poly, sosfilt

_BLOCK_S = 0.400
_STEP_S = 0.100  # 75 % overlap, as BS.1770-4
_ABSOLUTE_GATE = -70.0
_CHANNEL_GAINS = (1.0, 1.0, 1.0, 1.41, 1.41)
_TP_BLOCK = 1024
_TP_CONTEXT = 32


def _k_weighting(rate: int) -> np.ndarray:
    """The same two stages pyloudnorm's "K-weighting" meter uses, as second-order sections."""
    shelf = IIRfilter(4.0, 1 / math.sqrt(2), 1500.0, rate, "high_shelf")
    high_pass = IIRfilter(0.0, 0.5, 38.0, rate, "high_pass")
    return np.array([np.concatenate([f.b, f.a]) / f.a[0] for f in (shelf, high_pass)])


class StreamingLoudness:
    """Integrated gated loudness (LUFS) and true peak (dBTP) over chunks of (frames, channels)."""

    def __init__(self, rate: int, channels: int) -> None:
        self.rate = rate
        self.channels = channels
        self._sos = _k_weighting(rate)
        self._state = np.zeros((len(self._sos), channels, 2))
        self._step = int(round(_STEP_S * rate))
        self._carry = np.zeros((channels, 0))
        self._sub_energy: list[np.ndarray] = []  # sum of squares per 100 ms, per channel
        self._true_peak = 0.0
        self._tp_tail = np.zeros((0, channels), dtype=np.float32)

    def feed(self, chunk: np.ndarray) -> None:
        """Measure the next chunk; chunks must be contiguous in time."""
        # Channels first: filtering along contiguous rows is ~3x faster than down columns.
        x = np.asarray(chunk, dtype=np.float64).T
        x, self._state = sosfilt(self._sos, x, axis=-1, zi=self._state)
        x = np.concatenate([self._carry, x], axis=1)
        n_full = x.shape[1] // self._step
        if n_full:
            blocks = x[:, : n_full * self._step].reshape(self.channels, n_full, self._step)
            self._sub_energy.append(np.einsum("cns,cns->nc", blocks, blocks))
        self._carry = x[:, n_full * self._step :]
        self._update_true_peak(np.asarray(chunk))

    def _update_true_peak(self, chunk: np.ndarray) -> None:
        # 4x oversampling per BS.1770-4 Annex 2, only where it can matter: an inter-sample peak
        # exceeds its neighbouring samples by well under 2x, so blocks whose sample peak is below
        # half the running true peak are skipped (most of a Foley track).
        n = chunk.shape[0]
        if n == 0:
            return
        full = n // _TP_BLOCK * _TP_BLOCK
        blocks = chunk[:full].reshape(-1, _TP_BLOCK * self.channels)
        peaks = np.maximum(blocks.max(axis=1, initial=0.0), -blocks.min(axis=1, initial=0.0))
        if full < n:
            peaks = np.append(peaks, float(np.abs(chunk[full:]).max()))
        self._true_peak = max(self._true_peak, float(peaks.max()))
        for index in np.flatnonzero(peaks > 0.5 * self._true_peak):
            lo, hi = index * _TP_BLOCK, min(n, (index + 1) * _TP_BLOCK + _TP_CONTEXT)
            before = chunk[max(0, lo - _TP_CONTEXT) : lo] if lo else self._tp_tail
            segment = np.concatenate([before, chunk[lo:hi]]).astype(np.float64)
            self._true_peak = max(self._true_peak, float(np.abs(resample_poly(segment, 4, 1, axis=0)).max()))
        self._tp_tail = chunk[-_TP_CONTEXT:]

    @property
    def true_peak_dbtp(self) -> float:
        return 20 * math.log10(self._true_peak) if self._true_peak > 0 else -math.inf

    def integrated_lufs(self) -> float:
        """Gated integrated loudness of everything fed so far; -inf for silence or < 400 ms."""
        if not self._sub_energy:
            return -math.inf
        sub = np.concatenate(self._sub_energy)  # (n_sub, channels)
        per_block = int(round(_BLOCK_S / _STEP_S))
        if sub.shape[0] < per_block:
            return -math.inf
        window = np.ones(per_block)
        z = np.stack([np.convolve(sub[:, c], window, mode="valid") for c in range(self.channels)], axis=1)
        z /= per_block * self._step
        gains = np.array(_CHANNEL_GAINS[: self.channels])
        with np.errstate(divide="ignore"):
            block_lufs = -0.691 + 10 * np.log10(z @ gains)
        above_abs = block_lufs >= _ABSOLUTE_GATE
        if not above_abs.any():
            return -math.inf
        relative_gate = -0.691 + 10 * np.log10(z[above_abs].mean(axis=0) @ gains) - 10.0
        gated = above_abs & (block_lufs > relative_gate)
        if not gated.any():
            return -math.inf
        return float(-0.691 + 10 * np.log10(z[gated].mean(axis=0) @ gains))


def mastering_gain_db(lufs: float, true_peak_dbtp: float, target_lufs: float, ceiling_dbtp: float) -> float:
    """Gain that reaches the loudness target without pushing the true peak over the ceiling."""
    if not math.isfinite(lufs) or not math.isfinite(true_peak_dbtp):
        return 0.0
    return min(target_lufs - lufs, ceiling_dbtp - true_peak_dbtp)

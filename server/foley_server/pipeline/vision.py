"""Visual events from a stream of small grey frames: motion onsets, a motion envelope and cuts.

Memory is constant: besides one float or two per frame, only the last two frames are kept.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
from scipy.ndimage import median_filter, uniform_filter

from ..engines.base import VisualEvents

# Differences below this many grey levels are compression noise, not motion.
NOISE_LEVELS = 10
# A cut changes most of the picture, and the new picture stays.
CUT_CHANGED_FRACTION = 0.5
CUT_CHANGE_LEVELS = 25
# Motion is measured per cell of a coarse grid, so a local event (a foot landing, a ball hitting
# the floor) stands out even while something else moves elsewhere in the picture.
# Cells are smoothed with their neighbours so an object merely moving into the next cell
# does not count as new motion.
GRID = (9, 16)
# Onset picking on the spatial flux (sum of per-cell energy rises), normalised by the clip's
# strongest rise: a peak must clear the local median by ONSET_DELTA and an absolute floor that
# keeps compression noise in still shots from ever counting.
ONSET_FLOOR = 0.02
ONSET_DELTA = 0.3
LOCAL_WINDOW_S = 1.0
MIN_ONSET_GAP_S = 0.08


def _energy(diff: np.ndarray) -> float:
    """Mean above-noise change of a frame difference, in [0, 1]."""
    return float(np.maximum(diff - NOISE_LEVELS, 0).mean() / 255.0)


def _changed(diff: np.ndarray) -> float:
    return float((diff > CUT_CHANGE_LEVELS).mean())


def _cell_energy(diff: np.ndarray) -> np.ndarray:
    """Above-noise change per grid cell, smoothed over neighbour cells, in [0, 1]."""
    rows, cols = GRID
    h, w = diff.shape
    rows, cols = min(rows, h), min(cols, w)
    ch, cw = h // rows, w // cols
    above = np.maximum(diff[: ch * rows, : cw * cols] - NOISE_LEVELS, 0).astype(np.float32)
    cells = above.reshape(rows, ch, cols, cw).mean(axis=(1, 3)) / 255.0
    return uniform_filter(cells, size=3, mode="nearest")


class VisualAnalyzer:
    """Feed frames in time order, then `finish` for the clip's visual events."""

    def __init__(self, frame_rate: float) -> None:
        self.frame_rate = float(frame_rate)
        self._times: list[float] = []
        self._energy: list[float] = []
        self._flux: list[float] = []  # summed rise of cell energies per frame
        self._prev_cells: np.ndarray | None = None
        self._is_cut: list[bool] = []
        self._prev: np.ndarray | None = None
        self._prev2: np.ndarray | None = None
        self._pending_cut: int | None = None  # index whose cut status needs the next frame

    def feed(self, t: float, frame: np.ndarray) -> None:
        """Add the next frame (grey uint8); keeps only the two previous frames."""
        current = frame.astype(np.int16)
        index = len(self._times)
        self._times.append(float(t))
        self._is_cut.append(False)
        if self._prev is None:
            self._energy.append(0.0)
            self._flux.append(0.0)
        else:
            diff = np.abs(current - self._prev)
            self._energy.append(_energy(diff))
            cells = _cell_energy(diff)
            rise = 0.0 if self._prev_cells is None else float(np.maximum(cells - self._prev_cells, 0).sum())
            self._flux.append(rise)
            self._prev_cells = cells
            if self._pending_cut is not None and self._prev2 is not None:
                # The change at the pending frame is a cut if the picture did not come back (a flash would).
                back = _changed(np.abs(current - self._prev2))
                settled = _changed(diff)
                self._is_cut[self._pending_cut] = back > CUT_CHANGED_FRACTION and settled < 0.5 * back
            self._pending_cut = index if _changed(diff) > CUT_CHANGED_FRACTION else None
        self._prev2, self._prev = self._prev, current

    def finish(self, duration_s: float) -> VisualEvents:
        """Envelope, cuts and onsets of everything fed so far."""
        if self._pending_cut is not None:
            self._is_cut[self._pending_cut] = True  # a whole-picture change at the very end: treat as a cut
        times = np.asarray(self._times, dtype=np.float64)
        energy = np.asarray(self._energy, dtype=np.float64)
        cuts = np.asarray(self._is_cut, dtype=bool)
        if len(times) < 2:
            return VisualEvents.empty(duration_s)
        energy_no_cuts = energy.copy()
        energy_no_cuts[cuts] = np.nan  # the jump at a cut says nothing about motion
        onsets, strengths = self._onsets(np.asarray(self._flux, dtype=np.float64), cuts)
        scale = np.nanpercentile(energy_no_cuts, 99) if np.isfinite(energy_no_cuts).any() else 0.0
        envelope = np.nan_to_num(energy_no_cuts / scale if scale > 0 else energy_no_cuts * 0.0, nan=0.0)
        return VisualEvents(
            duration_s=duration_s,
            onset_times_s=times[onsets],
            onset_strengths=strengths.astype(np.float32),
            envelope_times_s=times,
            motion_envelope=np.clip(envelope, 0.0, 1.0).astype(np.float32),
            cut_times_s=times[cuts],
        )

    def _onsets(self, flux: np.ndarray, cuts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Frames where motion jumps somewhere in the picture: the first frame showing the change."""
        flux = flux.copy()
        flux[cuts] = 0.0  # a cut changes everything and is not a sound
        after_cut = np.flatnonzero(cuts) + 1
        flux[after_cut[after_cut < len(flux)]] = 0.0
        peak = float(flux.max()) if len(flux) else 0.0
        if peak < ONSET_FLOOR:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        norm = flux / peak
        half = max(1, int(LOCAL_WINDOW_S * self.frame_rate / 2))
        threshold = np.maximum(ONSET_FLOOR / peak, _running_median(norm, half) + ONSET_DELTA)
        candidates = np.flatnonzero(norm > threshold)
        min_gap = max(1, int(round(MIN_ONSET_GAP_S * self.frame_rate)))
        picked: list[int] = []
        for index in candidates[np.argsort(-flux[candidates], kind="stable")]:
            if all(abs(index - p) >= min_gap for p in picked):
                picked.append(int(index))
        chosen = np.asarray(sorted(picked), dtype=np.int64)
        if len(chosen) == 0:
            return chosen, np.zeros(0)
        return chosen, np.clip(norm[chosen], 0.05, 1.0)


def _running_median(x: np.ndarray, half: int) -> np.ndarray:
    """Median over +-half samples (edges use what exists): the local level of ongoing motion."""
    return median_filter(x, size=2 * half + 1, mode="nearest")


def visual_events(frames: Iterable[tuple[float, np.ndarray]], duration_s: float, frame_rate: float) -> VisualEvents:
    """Analyse a whole frame stream (as from `decode_frames`) in one call."""
    analyzer = VisualAnalyzer(frame_rate)
    for t, frame in frames:
        analyzer.feed(t, frame)
    return analyzer.finish(duration_s)

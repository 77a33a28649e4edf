"""Visual events from a stream of small grey frames: motion onsets, a motion envelope and cuts.

Memory is constant: besides one float or two per frame, only the last two frames are kept.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
from scipy.ndimage import maximum_filter1d, median_filter, uniform_filter

from ..engines.base import VisualEvents
from .flow import FlowMeter

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
# Strengths and the motion envelope are relative to the strongest motion within this many
# seconds either side: final soon after decoding passes, and fair to quiet parts of long clips.
NORMALISE_WINDOW_S = 4.0
ENVELOPE_FLOOR = 0.002
#: How far behind the decode frontier events are final.
FINAL_LAG_S = NORMALISE_WINDOW_S + LOCAL_WINDOW_S / 2 + 2 * MIN_ONSET_GAP_S


def _changed(diff: np.ndarray) -> float:
    return float(np.count_nonzero(diff > CUT_CHANGE_LEVELS)) / diff.size


def _cell_energy(above: np.ndarray) -> np.ndarray:
    """Above-noise change per grid cell, smoothed over neighbour cells, in [0, 1]."""
    rows, cols = GRID
    h, w = above.shape
    rows, cols = min(rows, h), min(cols, w)
    ch, cw = h // rows, w // cols
    cells = above[: ch * rows, : cw * cols].reshape(rows, ch, cols, cw).sum(axis=(1, 3)) / (255.0 * ch * cw)
    return uniform_filter(cells, size=3, mode="nearest")


class VisualAnalyzer:
    """Feed frames in time order, then `finish` for the clip's visual events."""

    def __init__(self, frame_rate: float, flow: bool = False) -> None:
        self.frame_rate = float(frame_rate)
        self._flow = FlowMeter(self.frame_rate) if flow else None
        self._speed: list[float] = []
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
        if self._flow is not None:
            self._speed.append(self._flow.feed(frame))
        current = frame.astype(np.int16)
        index = len(self._times)
        self._times.append(float(t))
        self._is_cut.append(False)
        if self._prev is None:
            self._energy.append(0.0)
            self._flux.append(0.0)
        else:
            diff = np.abs(current - self._prev)
            changed = _changed(diff)
            above = np.subtract(diff, NOISE_LEVELS, out=diff)
            np.maximum(above, 0, out=above)
            self._energy.append(float(above.mean()) / 255.0)
            cells = _cell_energy(above)
            rise = 0.0 if self._prev_cells is None else float(np.maximum(cells - self._prev_cells, 0).sum())
            self._flux.append(rise)
            self._prev_cells = cells
            if self._pending_cut is not None and self._prev2 is not None:
                # The change at the pending frame is a cut if the picture did not come back (a flash would).
                back = _changed(np.abs(current - self._prev2))
                self._is_cut[self._pending_cut] = back > CUT_CHANGED_FRACTION and changed < 0.5 * back
            self._pending_cut = index if changed > CUT_CHANGED_FRACTION else None
        self._prev2, self._prev = self._prev, current

    @property
    def frontier_s(self) -> float:
        """Time of the last frame fed."""
        return self._times[-1] if self._times else 0.0

    def finish(self, duration_s: float) -> VisualEvents:
        """Envelope, cuts and onsets of everything fed (the stream has ended)."""
        if self._pending_cut is not None:
            self._is_cut[self._pending_cut] = True  # a whole-picture change at the very end: treat as a cut
            self._pending_cut = None
        return self.snapshot(duration_s, final_until_s=np.inf)

    def snapshot(self, duration_s: float, final_until_s: float) -> VisualEvents:
        """Events so far; onsets only before `final_until_s`, where later frames can no longer change them.

        Everything is normalised locally (within +-NORMALISE_WINDOW_S), so the part of a long clip
        already analysed is final while decoding goes on: generation can start before decoding ends.
        """
        times = np.asarray(self._times, dtype=np.float64)
        if len(times) < 2:
            return VisualEvents.empty(duration_s)
        energy = np.asarray(self._energy, dtype=np.float64)
        cuts = np.asarray(self._is_cut, dtype=bool)
        if self._pending_cut is not None:
            cuts[self._pending_cut] = False  # undecided until the next frame arrives
        onsets, strengths = self._onsets(np.asarray(self._flux, dtype=np.float64), cuts)
        keep = times[onsets] < final_until_s
        energy[cuts] = 0.0  # the jump at a cut says nothing about motion
        scale = np.maximum(maximum_filter1d(energy, self._normalise_size, mode="nearest"), ENVELOPE_FLOOR)
        return VisualEvents(
            duration_s=duration_s,
            onset_times_s=times[onsets][keep],
            onset_strengths=strengths[keep].astype(np.float32),
            envelope_times_s=times,
            motion_envelope=np.clip(energy / scale, 0.0, 1.0).astype(np.float32),
            cut_times_s=times[cuts],
            motion_speed=np.asarray(self._speed, dtype=np.float32),
        )

    @property
    def _normalise_size(self) -> int:
        return 2 * max(1, int(NORMALISE_WINDOW_S * self.frame_rate)) + 1

    def _onsets(self, flux: np.ndarray, cuts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Frames where motion jumps somewhere in the picture: the first frame showing the change."""
        flux = flux.copy()
        flux[cuts] = 0.0  # a cut changes everything and is not a sound
        after_cut = np.flatnonzero(cuts) + 1
        flux[after_cut[after_cut < len(flux)]] = 0.0
        # Each frame is judged against the strongest rise near it, never below the absolute floor.
        scale = np.maximum(maximum_filter1d(flux, self._normalise_size, mode="nearest"), ONSET_FLOOR)
        norm = flux / scale
        half = max(1, int(LOCAL_WINDOW_S * self.frame_rate / 2))
        threshold = _running_median(norm, half) + ONSET_DELTA
        gap = max(1, int(round(MIN_ONSET_GAP_S * self.frame_rate)))
        # A peak is the largest rise within +-gap frames (the first of equals).
        is_peak = flux >= maximum_filter1d(flux, 2 * gap - 1, mode="constant", cval=0.0)
        is_peak[1:] &= flux[1:] != flux[:-1]
        chosen = np.flatnonzero(is_peak & (norm > threshold) & (flux >= ONSET_FLOOR))
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

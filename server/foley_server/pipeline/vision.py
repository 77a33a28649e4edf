"""Visual events from a stream of small grey frames: motion onsets, a motion envelope and cuts.

Memory is constant: besides one float or two per frame, only the last two frames are kept.

Each frame is first box-blurred (a few pixels): grain and compression noise are independent from
pixel to pixel and average away, while real motion changes whole patches and survives. Without it,
grainy or heavily compressed footage analysed near its own resolution shows a false "hit" at every
keyframe (the encoder re-draws the grain there). Differences between blurred frames above a noise
floor give the motion energy (the envelope). Onsets are where that energy rises on a coarse grid of
cells, net of where it falls (something merely moving on is not new motion), and clearly above the
motion already going on around that time. A change over the whole picture that stays is a cut, and
a cut is never an onset.
"""

from __future__ import annotations

import functools
import math
from collections import deque
from collections.abc import Iterable

import numpy as np
from scipy.ndimage import maximum_filter1d, median_filter, uniform_filter

from ..engines.base import VisualEvents
from .flow import FlowMeter

# Differences below this many grey levels (between blurred frames) are noise, not motion.
NOISE_LEVELS = 10
# Box blur side in pixels: smaller on very small frames, where it would blur the events away.
BLUR_PX = 5
BLUR_PX_SMALL = 3  # frames under SMALL_FRAME_ROWS rows
SMALL_FRAME_ROWS = 100
# A cut changes the whole picture at once, and the new picture stays: either most pixels change by
# more than CUT_CHANGE_LEVELS, or (shots of similar tones) nearly every grid cell changes, by
# CUT_MIN_LEVELS on average and at least twice as much as on the frame before; and the picture as a
# whole changed much less on the frame before (CUT_SETTLE_RATIO). It is
# confirmed on the next frame: that frame must differ from the one before the cut about as much as
# the cut did (a flash comes back, a cut does not) and change itself much less (a pan or a shake
# goes on moving). So a cut is a lone spike of whole-picture change.
CUT_CHANGED_FRACTION = 0.5
CUT_CHANGE_LEVELS = 25
CUT_CELL_FRACTION = 0.85
CUT_CELL_LEVELS = 0.5  # a cell counts as changed from this mean above-noise change on
CUT_MIN_LEVELS = 2.5
# Black bars (letterbox, pillarbox) are left out of that count: rows or columns of cells darker
# than BAR_LEVELS on both sides of the change.
BAR_LEVELS = 24
CUT_BACK_RATIO = 0.6  # change across the cut (before -> after) at least this much of the cut's
CUT_SETTLE_RATIO = 0.5  # change after the cut at most this much of the change across it
# Motion is measured per cell of a coarse grid, so a local event (a foot landing, a ball hitting
# the floor) stands out even while something else moves elsewhere in the picture.
# Cells are smoothed with their neighbours so an object merely moving into the next cell
# does not count as new motion.
GRID = (9, 16)
# The novelty of a frame (its "flux") is the sum over cells of each cell's rise in change less the
# sum of the falls, each against the most that cell changed over the last RECENT_S (at least two
# frames): an object moving on from cell to cell raises some cells and lowers others, a hit (a
# flash, a jolt, a burst of dust, something set moving) raises more than it lowers; and motion
# that goes on in steps (a frame the encoder drew late in a pan, animation on twos or threes,
# duplicated frames) is not new each time it steps.
RECENT_S = 0.1
# A peak of the flux is an onset when it clears an adaptive threshold: the local median (within
# LOCAL_WINDOW_S) + ONSET_MADS median absolute deviations, ONSET_RATIO times that median (ongoing
# motion such as a pan or a walk fluctuates; a hit stands out of it), and an absolute floor of
# about one grid cell changing clearly (10 % of full scale), which keeps noise from ever counting.
# Peaks closer than MIN_ONSET_GAP_S are one onset (the larger; the first of equals).
ONSET_FLOOR = 0.1
ONSET_MADS = 4.0
ONSET_RATIO = 2.5
LOCAL_WINDOW_S = 1.0
MIN_ONSET_GAP_S = 0.08
# Strengths and the motion envelope are relative to the strongest motion within this many
# seconds either side: final soon after decoding passes, and fair to quiet parts of long clips.
NORMALISE_WINDOW_S = 4.0
ENVELOPE_FLOOR = 0.002
#: How far behind the decode frontier events are final.
FINAL_LAG_S = NORMALISE_WINDOW_S + LOCAL_WINDOW_S + 2 * MIN_ONSET_GAP_S


def _box_sum(frame: np.ndarray, k: int) -> np.ndarray:
    """Sum over each k x k box (valid part only), int16: k*k times the box-blurred frame."""
    h, w = frame.shape
    if k <= 1 or h < k or w < k:
        return frame.astype(np.int16)
    rows = frame[: h - k + 1].astype(np.int16)
    for i in range(1, k):
        rows += frame[i : h - k + 1 + i]
    out = rows[:, : w - k + 1].copy()
    for j in range(1, k):
        out += rows[:, j : w - k + 1 + j]
    return out


def _cell_change(above: np.ndarray, scale: float) -> tuple[float, np.ndarray, np.ndarray]:
    """Mean above-noise change over the picture, per grid cell, and per cell smoothed over its neighbours.

    All in [0, 1] of `scale` (a full-range change); the grid covers the picture but for the few
    pixels that do not divide into it.
    """
    rows, cols = GRID
    h, w = above.shape
    rows, cols = min(rows, h), min(cols, w)
    ch, cw = h // rows, w // cols
    # Two single-axis sums are several times faster than one sum over two axes of a 4-d view.
    strips = above[: ch * rows, : cw * cols].reshape(rows, ch, cw * cols).sum(axis=1, dtype=np.int32)
    cells = strips.reshape(rows, cols, cw).sum(axis=2) / (scale * ch * cw)
    return float(cells.mean()), cells, uniform_filter(cells, size=3, mode="nearest")


def _cell_means(image: np.ndarray) -> np.ndarray:
    """Mean value per grid cell (same grid as `_cell_change`)."""
    rows, cols = GRID
    h, w = image.shape
    rows, cols = min(rows, h), min(cols, w)
    ch, cw = h // rows, w // cols
    strips = image[: ch * rows, : cw * cols].reshape(rows, ch, cw * cols).sum(axis=1, dtype=np.int64)
    return strips.reshape(rows, cols, cw).sum(axis=2) / (ch * cw)


class VisualAnalyzer:
    """Feed frames in time order, then `finish` for the clip's visual events."""

    def __init__(self, frame_rate: float, flow: bool = False) -> None:
        self.frame_rate = float(frame_rate)
        self._flow = FlowMeter(self.frame_rate) if flow else None
        self._speed: list[float] = []
        self._times: list[float] = []
        self._energy: list[float] = []
        self._flux: list[float] = []  # net rise of cell energies per frame (novelty)
        self._recent_cells: deque[np.ndarray] = deque(maxlen=max(2, math.ceil(RECENT_S * self.frame_rate - 1e-6)))
        self._is_cut: list[bool] = []
        self._prev: np.ndarray | None = None
        self._prev2: np.ndarray | None = None
        self._pending_cut: int | None = None  # index whose cut status needs the next frame
        self._pending_wide = False  # whether that change covered most pixels (a cut even unconfirmed)
        self._blur = 0  # box side, set from the first frame's height
        self._noise = self._cut_levels = 0  # thresholds in box sums (levels * blur^2)
        self._cut_change = 0.0  # mean above-noise change (grey levels) at the pending cut
        self._last_levels = 0.0  # mean above-noise change (grey levels) of the last frame
        self._last_raw: np.ndarray | None = None  # change per cell on the last frame

    def _cover_inside_bars(self, current: np.ndarray, changed: np.ndarray) -> float:
        """Fraction of cells changed, leaving out black bars: whole rows or columns of cells that
        are dark in this frame and the one before."""
        assert self._prev is not None
        dark = np.maximum(_cell_means(current), _cell_means(self._prev)) < BAR_LEVELS * self._blur**2
        live = ~(np.all(dark, axis=1)[:, None] | np.all(dark, axis=0)[None, :])
        n = np.count_nonzero(live)
        return float(np.count_nonzero(changed & live)) / n if n else 0.0

    @staticmethod
    def _cut_sized(wide: float, levels: float, cover: float) -> bool:
        """Whether a change looks like a change of shot: `wide` is the fraction of pixels changed by
        more than CUT_CHANGE_LEVELS, `levels` the mean change, `cover` the fraction of cells changed."""
        return wide > CUT_CHANGED_FRACTION or (levels >= CUT_MIN_LEVELS and cover >= CUT_CELL_FRACTION)

    def feed(self, t: float, frame: np.ndarray) -> None:
        """Add the next frame (grey uint8); keeps only the two previous (blurred) frames."""
        if self._flow is not None:
            self._speed.append(self._flow.feed(frame))
        if not self._blur:
            self._blur = BLUR_PX if frame.shape[0] >= SMALL_FRAME_ROWS else BLUR_PX_SMALL
            self._noise = NOISE_LEVELS * self._blur**2
            self._cut_levels = CUT_CHANGE_LEVELS * self._blur**2
        current = _box_sum(frame, self._blur)
        index = len(self._times)
        self._times.append(float(t))
        self._is_cut.append(False)
        if self._prev is None or self._prev.shape != current.shape:
            self._energy.append(0.0)
            self._flux.append(0.0)
        else:
            diff = np.abs(current - self._prev)
            wide = float(np.count_nonzero(diff > self._cut_levels)) / diff.size
            above = np.subtract(diff, self._noise, out=diff)
            np.maximum(above, 0, out=above)
            energy, raw, cells = _cell_change(above, 255.0 * self._blur**2)
            self._energy.append(energy)
            levels = energy * 255.0  # mean above-noise change in grey levels
            # Cells that changed, and at least twice as much as on the frame before (a pan changes
            # every cell on every frame; a cut on one).
            changed_cells = raw > CUT_CELL_LEVELS / 255.0
            if self._last_raw is not None:
                changed_cells &= raw > 2.0 * self._last_raw
            self._last_raw = raw
            cover = float(np.count_nonzero(changed_cells)) / raw.size
            if levels >= CUT_MIN_LEVELS and cover < CUT_CELL_FRACTION:
                cover = self._cover_inside_bars(current, changed_cells)
            if self._recent_cells:
                # Rises less falls, cell by cell, against the most each cell changed lately.
                before = functools.reduce(np.maximum, self._recent_cells)
                self._flux.append(max(0.0, float(cells.sum() - before.sum())))
            else:
                self._flux.append(0.0)
            self._recent_cells.append(cells)
            if self._pending_cut is not None and self._prev2 is not None:
                # The change at the pending frame is a cut if the picture did not come back (a flash
                # would) and then held still (a pan or a shake would not).
                across = np.abs(current - self._prev2)
                back = float(np.maximum(across - self._noise, 0).mean()) / self._blur**2
                self._is_cut[self._pending_cut] = (back >= CUT_BACK_RATIO * self._cut_change
                                                   and levels < CUT_SETTLE_RATIO * back)
            self._pending_cut = None
            if self._cut_sized(wide, levels, cover) and self._last_levels < CUT_SETTLE_RATIO * levels:
                self._pending_cut, self._cut_change = index, levels
                self._pending_wide = wide > CUT_CHANGED_FRACTION
            self._last_levels = levels
        self._prev2, self._prev = self._prev, current

    @property
    def frontier_s(self) -> float:
        """Time of the last frame fed."""
        return self._times[-1] if self._times else 0.0

    def finish(self, duration_s: float) -> VisualEvents:
        """Envelope, cuts and onsets of everything fed (the stream has ended)."""
        if self._pending_cut is not None:
            # A change of most pixels on the very last frame: a cut, though unconfirmed.
            self._is_cut[self._pending_cut] = self._pending_wide
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
        half = max(1, int(LOCAL_WINDOW_S * self.frame_rate / 2))
        known = flux.copy()
        if len(known) > 2:
            known[:2] = known[2]  # no novelty can be measured on the first two frames: not a lull
        level = _running_median(known, half)
        spread = _running_median(np.abs(known - level), half)
        threshold = np.maximum(np.maximum(level + ONSET_MADS * spread, ONSET_RATIO * level), ONSET_FLOOR)
        gap = max(1, int(round(MIN_ONSET_GAP_S * self.frame_rate)))
        # A peak is the largest rise within +-gap frames (the first of equals).
        is_peak = flux >= maximum_filter1d(flux, 2 * gap - 1, mode="constant", cval=0.0)
        is_peak[1:] &= flux[1:] != flux[:-1]
        chosen = np.flatnonzero(is_peak & (flux >= threshold))
        # Strength: relative to the strongest rise within NORMALISE_WINDOW_S.
        scale = np.maximum(maximum_filter1d(flux, self._normalise_size, mode="nearest"), ONSET_FLOOR)
        return chosen, np.clip(flux[chosen] / scale[chosen], 0.05, 1.0)


def _running_median(x: np.ndarray, half: int) -> np.ndarray:
    """Median over +-half samples (edges use what exists): the local level of ongoing motion."""
    return median_filter(x, size=2 * half + 1, mode="nearest")


def visual_events(frames: Iterable[tuple[float, np.ndarray]], duration_s: float, frame_rate: float) -> VisualEvents:
    """Analyse a whole frame stream (as from `decode_frames`) in one call."""
    analyzer = VisualAnalyzer(frame_rate)
    for t, frame in frames:
        analyzer.feed(t, frame)
    return analyzer.finish(duration_s)

"""Visual events from a stream of small grey frames: motion onsets, a motion envelope, cuts and flashes.

Memory is constant: besides one float or two per frame, only the last frame is kept, and while a
cut is undecided (a few frames) the frame before it.

Each frame is first box-blurred (a few pixels): grain and compression noise are independent from
pixel to pixel and average away, while real motion changes whole patches and survives. Without it,
grainy or heavily compressed footage analysed near its own resolution shows a false "hit" at every
keyframe (the encoder re-draws the grain there). A change of the whole picture's brightness (a fade,
a flash, a light) is taken off before anything else is measured, so it is never motion. Differences
between blurred frames above a noise floor give the motion energy (the envelope). Onsets are where
that energy rises on a coarse grid of cells, net of where it falls (something merely moving on is
not new motion), and clearly above the motion already going on around that time. A change over the
whole picture that stays is a cut, and a cut is never an onset; one that comes back within a few
frames is a flash, which is one strong onset and no cut.
"""

from __future__ import annotations

import functools
import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import maximum_filter1d, median_filter, uniform_filter

from ..engines.base import VisualEvents
from .brightness import BLANK_LEVELS, GAIN_TOLERANCE, STEP_MIN_LEVELS, brightness_points, gain_and_offset
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
# whole changed much less on the frame before (CUT_SETTLE_RATIO). It is confirmed on the next frame:
# that frame must differ from the one before the cut about as much as the cut did (a flash comes
# back, a cut does not) and change itself much less than the cut did (a pan, a shake or a fade goes
# on changing). So a cut is a lone spike of whole-picture change.
CUT_CHANGED_FRACTION = 0.5
CUT_CHANGE_LEVELS = 25
CUT_CELL_FRACTION = 0.85
CUT_CELL_LEVELS = 0.5  # a cell counts as changed from this mean above-noise change on
CUT_MIN_LEVELS = 2.5
# Black bars (letterbox, pillarbox) are left out of that count: rows or columns of cells darker
# than BAR_LEVELS on both sides of the change.
BAR_LEVELS = 24
CUT_BACK_RATIO = 0.6  # change across the cut (before -> after) at least this much of the cut's
CUT_SETTLE_RATIO = 0.5  # change after the cut at most this much of the change across it and of the cut's
# Flashes: a candidate cut is held for FLASH_MAX_FRAMES frames after its own. If one of those frames
# matches the frame before the change (differs from it by less than FLASH_BACK_RATIO of the change)
# the picture came back: a flash of one to FLASH_MAX_FRAMES frames (muzzle flash, lightning, camera
# flash, an explosion's first frames). It is one onset at its first frame, of FLASH_STRENGTH, and no
# cut at either edge. A brightness step of FLASH_STEP_LEVELS that comes at once is a candidate too,
# so a flash that only lights the picture up is found as well as one that burns it out.
FLASH_MAX_FRAMES = 3
FLASH_BACK_RATIO = 0.35
FLASH_STEP_LEVELS = 20.0
FLASH_STRENGTH = 1.0
# What moves in the picture until FLASH_TAIL_S after the light goes (the camera jolted by a blast, the
# picture settling) is part of the flash, not an onset of its own.
FLASH_TAIL_S = 0.2
# Where the clip's edge cuts a flash off (it opens lit, or ends before the light goes) there is no
# frame on the far side to compare with. The lit frames then count as a flash when they are at least
# FLASH_STEP_LEVELS brighter and either the same picture lit up (their change of content at most
# FLASH_SAME_RATIO of the brightness step) or burnt out to nearly one tone (the brightness points
# within FLAT_LEVELS of each other, as a standard deviation).
FLASH_SAME_RATIO = 0.5
FLAT_LEVELS = 12.0
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
#: How far behind the decode frontier events are final. An onset depends on the flux up to
#: NORMALISE_WINDOW_S after it (its strength) and each frame's flux on whether it lies in a cut or a
#: flash, known FLASH_MAX_FRAMES frames later: NORMALISE_WINDOW_S + FLASH_MAX_FRAMES frames. The
#: margin beyond NORMALISE_WINDOW_S (1.16 s) covers that hold down to 2.6 frames per second.
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


@dataclass
class _HeldChange:
    """A change of the whole picture, held until it is known to be a cut, a flash or neither."""

    index: int  # the first frame showing the change
    before: np.ndarray  # the (blurred) frame before it: a flash comes back to it
    change: float  # mean above-noise change of the picture, brightness included (grey levels)
    may_cut: bool  # big enough for a cut (content, or most pixels by CUT_CHANGE_LEVELS)
    wide: bool  # most pixels changed: a cut even unconfirmed, on the clip's last frame
    lit: bool  # the same picture lit up, or burnt out: a flash if the clip ends before it comes back
    confirmed: bool = False  # the next frame's test: the new picture stayed, and stayed still


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
        self._flashes: list[tuple[int, int]] = []  # (first lit frame, first frame back) per flash
        self._held: list[_HeldChange] = []  # undecided changes, oldest first
        self._prev: np.ndarray | None = None
        self._prev_points: np.ndarray | None = None  # the previous frame's brightness points (box sums)
        self._blur = 0  # box side, set from the first frame's height
        self._noise = self._cut_levels = 0  # thresholds in box sums (levels * blur^2)
        self._last_total = 0.0  # content + brightness change (grey levels) of the last frame
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

    def _above_noise(self, a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
        """Mean above-noise difference of two blurred frames (grey levels), and the fraction of pixels
        changed by more than CUT_CHANGE_LEVELS; brightness included. Only for held changes (rare)."""
        diff = np.abs(a - b)
        wide = float(np.count_nonzero(diff > self._cut_levels)) / diff.size
        return float(np.maximum(diff - self._noise, 0).mean()) / self._blur**2, wide

    def _lit(self, lit_points: np.ndarray, step: float, content: float) -> bool:
        """Whether a frame `step` grey levels brighter than its neighbour, with `content` levels of
        change left, is that picture lit up by a flash or burnt out by one (its brightness points)."""
        if step < FLASH_STEP_LEVELS:
            return False
        return content <= FLASH_SAME_RATIO * step or float(np.std(lit_points)) / self._blur**2 <= FLAT_LEVELS

    def feed(self, t: float, frame: np.ndarray) -> None:
        """Add the next frame (grey uint8); keeps only the previous (blurred) frame, and the frame
        before each change still held."""
        if self._flow is not None:
            self._speed.append(self._flow.feed(frame))
        if not self._blur:
            self._blur = BLUR_PX if frame.shape[0] >= SMALL_FRAME_ROWS else BLUR_PX_SMALL
            self._noise = NOISE_LEVELS * self._blur**2
            self._cut_levels = CUT_CHANGE_LEVELS * self._blur**2
        current = _box_sum(frame, self._blur)
        points = brightness_points(current)
        index = len(self._times)
        self._times.append(float(t))
        self._is_cut.append(False)
        if self._prev is None or self._prev.shape != current.shape:
            self._energy.append(0.0)
            self._flux.append(0.0)
            self._decide_held(until=index)  # a new picture size: nothing to compare with
        else:
            # The brightness step in box sums: the middle point's change (one order statistic of a
            # few hundred; np.median would cost five times as much).
            shifts = (points - self._prev_points).ravel()
            step = float(np.partition(shifts, len(shifts) // 2)[len(shifts) // 2])
            if abs(step) >= STEP_MIN_LEVELS * self._blur**2:
                diff = self._change_of_content(current, points, step)
            else:
                diff = current - self._prev
            np.abs(diff, out=diff)
            step /= self._blur**2
            wide = float(np.count_nonzero(diff > self._cut_levels)) / diff.size
            above = np.subtract(diff, self._noise, out=diff)
            np.maximum(above, 0, out=above)
            energy, raw, cells = _cell_change(above, 255.0 * self._blur**2)
            self._energy.append(energy)
            levels = energy * 255.0  # mean above-noise change of content in grey levels
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
            total = levels + abs(step)
            came_back = self._follow_held(index, current, total) if self._held else False
            content_cut = self._cut_sized(wide, levels, cover)
            if (not came_back and (content_cut or abs(step) >= FLASH_STEP_LEVELS)
                    and self._last_total < CUT_SETTLE_RATIO * total):
                self._hold(index, current, points, step, levels, content_cut)
            self._last_total = total
        self._prev, self._prev_points = current, points

    def _change_of_content(self, current: np.ndarray, points: np.ndarray, step: float) -> np.ndarray:
        """The change from the previous frame to `current` less the change of brightness (int16, signed)."""
        assert self._prev is not None and self._prev_points is not None
        x = self._prev_points.ravel().astype(np.float32)
        y = points.ravel().astype(np.float32)
        if float(np.std(x)) <= BLANK_LEVELS * self._blur**2:  # out of black or white: nothing to compare with
            return np.zeros_like(current)
        gain, offset, misfit = gain_and_offset(x, y)
        y -= x
        y -= step
        if abs(gain - 1.0) > GAIN_TOLERANCE and misfit < float(np.abs(y).mean()):  # a gain explains it better
            lit = self._prev * np.float32(gain)
            lit += np.float32(offset)
            return np.subtract(current, lit, out=lit).astype(np.int16)
        diff = current - self._prev
        diff -= int(round(step))
        return diff

    def _hold(self, index: int, current: np.ndarray, points: np.ndarray, step: float, levels: float,
              content_cut: bool) -> None:
        """Start holding the change at frame `index`, unless the clip opened on a flash that ends here."""
        assert self._prev is not None and self._prev_points is not None
        if index <= FLASH_MAX_FRAMES and self._lit(self._prev_points, -step, levels):
            self._flashes.append((0, index))  # lit from the first frame: the flash began at or before it
            return
        change, wide = self._above_noise(current, self._prev)
        self._held.append(_HeldChange(index, self._prev, change, content_cut or wide > CUT_CHANGED_FRACTION,
                                      wide > CUT_CHANGED_FRACTION, self._lit(points, step, levels)))

    def _follow_held(self, index: int, current: np.ndarray, total: float) -> bool:
        """Compare frame `index` with the frames before the held changes; True if it ends a flash."""
        for n, held in enumerate(self._held):
            back, _ = self._above_noise(current, held.before)
            if back < FLASH_BACK_RATIO * held.change:
                self._flashes.append((held.index, index))
                del self._held[n:]  # later changes were inside the flash
                self._decide_held(until=index - FLASH_MAX_FRAMES + 1)
                return True
            if index == held.index + 1:  # the new picture stayed, and held still (a cut) or not
                held.confirmed = (back >= CUT_BACK_RATIO * held.change
                                  and total < CUT_SETTLE_RATIO * min(back, held.change))
        self._decide_held(until=index - FLASH_MAX_FRAMES + 1)
        return False

    def _decide_held(self, until: float) -> None:
        """Changes before frame `until` had their frames to come back: cuts if confirmed."""
        while self._held and self._held[0].index < until:
            held = self._held.pop(0)
            self._is_cut[held.index] = held.may_cut and held.confirmed

    @property
    def frontier_s(self) -> float:
        """Time of the last frame fed."""
        return self._times[-1] if self._times else 0.0

    def finish(self, duration_s: float) -> VisualEvents:
        """Envelope, cuts and onsets of everything fed (the stream has ended)."""
        last = len(self._times) - 1
        for held in self._held:
            if held.lit:  # the clip ends before the light goes: a flash cut off by the clip's edge
                self._flashes.append((held.index, last + 1))
                break  # later changes were inside it
            # A change of most pixels on the very last frame: a cut, though unconfirmed.
            self._is_cut[held.index] = held.may_cut and (held.confirmed or (held.index == last and held.wide))
        self._held.clear()
        return self.snapshot(duration_s, final_until_s=np.inf)

    def snapshot(self, duration_s: float, final_until_s: float) -> VisualEvents:
        """Events so far; onsets only before `final_until_s`, where later frames can no longer change them.

        Everything is normalised locally (within +-NORMALISE_WINDOW_S), so the part of a long clip
        already analysed is final while decoding goes on: generation can start before decoding ends.
        Cuts and flashes are reported once decided, and never change afterwards.
        """
        times = np.asarray(self._times, dtype=np.float64)
        if len(times) < 2:
            return VisualEvents.empty(duration_s)
        energy = np.asarray(self._energy, dtype=np.float64)
        cuts = np.asarray(self._is_cut, dtype=bool)
        lit = np.zeros(len(times), dtype=bool)  # flash frames, the frame the picture comes back on included
        for first, back in self._flashes:
            lit[first : back + 1] = True
        onsets, strengths = self._onsets(np.asarray(self._flux, dtype=np.float64), cuts, lit)
        keep = times[onsets] < final_until_s
        energy[cuts | lit] = 0.0  # the jump at a cut or a flash says nothing about motion
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

    def _onsets(self, flux: np.ndarray, cuts: np.ndarray, lit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Frames where motion jumps somewhere in the picture, and where flashes begin: the first frame
        showing the change."""
        flux = flux.copy()
        flux[cuts | lit] = 0.0  # a cut changes everything and is not a sound; a flash is one, below
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
        strengths = np.clip(flux[chosen] / scale[chosen], 0.05, 1.0)
        if not self._flashes:
            return chosen, strengths
        # A flash is the strongest event a picture has; a peak within the onset gap before one, or
        # before its tail has passed, is that flash.
        firsts = np.array([first for first, _ in self._flashes])
        ends = np.array([back for _, back in self._flashes]) + max(gap, int(round(FLASH_TAIL_S * self.frame_rate)))
        apart = np.all((chosen[:, None] <= firsts[None, :] - gap) | (chosen[:, None] >= ends[None, :]), axis=1)
        chosen = np.concatenate([chosen[apart], firsts])
        strengths = np.concatenate([strengths[apart], np.full(len(firsts), FLASH_STRENGTH)])
        order = np.argsort(chosen, kind="stable")
        return chosen[order], strengths[order]


def _running_median(x: np.ndarray, half: int) -> np.ndarray:
    """Median over +-half samples (edges use what exists): the local level of ongoing motion."""
    return median_filter(x, size=2 * half + 1, mode="nearest")


def visual_events(frames: Iterable[tuple[float, np.ndarray]], duration_s: float, frame_rate: float) -> VisualEvents:
    """Analyse a whole frame stream (as from `decode_frames`) in one call."""
    analyzer = VisualAnalyzer(frame_rate)
    for t, frame in frames:
        analyzer.feed(t, frame)
    return analyzer.finish(duration_s)

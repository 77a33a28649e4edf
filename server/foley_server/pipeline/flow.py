"""Coarse optical flow: how fast things move on screen, for whooshes (block matching on a small grid).

Motion energy says how much of the picture changes; a whoosh wants how fast something travels.
Frames are halved again (to ~72 px high) and each grid cell finds the shift, within +-SEARCH_PX,
that best explains it from the previous frame. Costs ~1-2 ms a frame, so it runs only for
prompts that have a whoosh.
"""

from __future__ import annotations

import numpy as np

SEARCH_PX = 3  # at the halved size: up to ~4 % of the picture height per frame
CELLS = (6, 8)
MIN_GAIN = 0.8  # the best shift must explain the cell at least this much better than no shift
_OFFSETS = [(dy, dx) for dy in range(-SEARCH_PX, SEARCH_PX + 1) for dx in range(-SEARCH_PX, SEARCH_PX + 1)]


def _half(frame: np.ndarray) -> np.ndarray:
    h, w = frame.shape[0] // 2 * 2, frame.shape[1] // 2 * 2
    return frame[:h, :w].reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3), dtype=np.float32)


class FlowMeter:
    """Feed grey frames in order; `speed` returns picture heights per second for the last pair."""

    def __init__(self, frame_rate: float) -> None:
        self.frame_rate = frame_rate
        self._prev: np.ndarray | None = None

    def feed(self, frame: np.ndarray) -> float:
        """Screen speed between the previous frame and this one (0 for the first frame)."""
        current = _half(frame)
        previous, self._prev = self._prev, current
        if previous is None:
            return 0.0
        rows, cols = CELLS
        h, w = current.shape
        ch, cw = (h - 2 * SEARCH_PX) // rows, (w - 2 * SEARCH_PX) // cols
        if ch < 2 or cw < 2:
            return 0.0
        core = current[SEARCH_PX : SEARCH_PX + ch * rows, SEARCH_PX : SEARCH_PX + cw * cols]
        costs = np.empty((len(_OFFSETS), rows, cols), dtype=np.float32)
        for k, (dy, dx) in enumerate(_OFFSETS):
            shifted = previous[SEARCH_PX - dy : SEARCH_PX - dy + ch * rows, SEARCH_PX - dx : SEARCH_PX - dx + cw * cols]
            costs[k] = np.abs(core - shifted).reshape(rows, ch, cols, cw).sum(axis=(1, 3))
        still = costs[_OFFSETS.index((0, 0))]
        best = costs.argmin(axis=0)
        moved = costs.min(axis=0) < MIN_GAIN * still  # only cells whose content really travelled
        if not moved.any():
            return 0.0
        shifts = np.asarray(_OFFSETS, dtype=np.float32)[best[moved]]
        pixels = float(np.percentile(np.hypot(shifts[:, 0], shifts[:, 1]), 90))
        return pixels / h * self.frame_rate

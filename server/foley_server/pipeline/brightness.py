"""How the light of the whole picture changed between two frames, so fades and flashes are taken off
before motion and content are measured."""

from __future__ import annotations

import numpy as np

# Brightness: the median change of the blurred frame at BRIGHTNESS_GRID points spread over the picture
# is the frame's brightness step. Where it is at least STEP_MIN_LEVELS, the change of brightness is
# taken off every pixel's change before motion and content are measured: the gain and offset that map
# the previous frame's points onto this one's (a fade to black scales the picture and leaves black
# bars black; a fade to white also lifts it), or the step alone where that explains the change
# better. So a fade is neither motion nor a cut however fast it goes, while a local event (a lamp,
# a muzzle flash in one corner) covers too few points to move the median, and motion moves them
# both ways. Gains within GAIN_TOLERANCE of 1 are taken as 1 (cheaper: the step alone). A frame
# whose points are all within BLANK_LEVELS (a standard deviation) is blank, black or white: what
# appears on it (a fade in) is all light; a cut from it is told by its brightness step.
BRIGHTNESS_GRID = (18, 32)
STEP_MIN_LEVELS = 2.0
GAIN_TOLERANCE = 0.02
BLANK_LEVELS = 6.0


def brightness_points(image: np.ndarray) -> np.ndarray:
    """A view of `image` at BRIGHTNESS_GRID points spread evenly over it (no copy, no arithmetic)."""
    h, w = image.shape
    sy, sx = max(1, h // BRIGHTNESS_GRID[0]), max(1, w // BRIGHTNESS_GRID[1])
    return image[sy // 2 :: sy, sx // 2 :: sx]


def gain_and_offset(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Least-squares y ~ gain * x + offset, and its mean misfit: how a change of light maps one
    frame's brightness onto the next (local events and motion only add to the misfit)."""
    xm, ym = x.mean(), y.mean()
    dx, dy = x - xm, y - ym
    spread = float(dx @ dx)
    gain = float(dx @ dy) / spread if spread > 0 else 1.0
    dy -= gain * dx
    return gain, float(ym - gain * xm), float(np.abs(dy).mean())

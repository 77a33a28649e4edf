"""Edited footage for the picture-event tests: panning grainy shots with flashes, cuts, dissolves and fades."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np

from foley_server.demo.footage import _shake, _texture, encode


class PanningShot:
    """A textured shot in a slow pan with fresh grain on every frame: a real shot's frames are never
    identical, so whatever compares two of them has to allow for motion and grain."""

    def __init__(self, seed: int, size: tuple[int, int], pan_px: int = 1, grain: float = 2.0) -> None:
        w, h = size
        self._texture = _texture(h, w + 400, seed, 30, 190)
        self._size, self._pan, self._grain = size, pan_px, grain
        self._rng = np.random.default_rng(seed + 1000)

    def frame(self, i: int) -> np.ndarray:
        w, h = self._size
        x = (i * self._pan) % 800
        x = min(x, 800 - x)  # back and forth across the texture, never jumping
        view = self._texture[:, x : x + w].astype(np.float32)
        return np.clip(view + self._rng.normal(0, self._grain, view.shape), 0, 255).astype(np.uint8)


def flash_picture(scene: np.ndarray, style: str) -> np.ndarray:
    """The scene during a full-frame flash.

    burn: the picture burns out to near white, a trace of the scene left (a muzzle flash filling the
    lens, an explosion's first frames); light: the scene lit up, its content still plain (lightning,
    a camera flash).
    """
    if style not in ("burn", "light"):
        raise ValueError(f"unknown flash style {style!r}; use burn, light or blast")
    if style == "burn":
        return (228 + scene.astype(np.float32) * 0.1).astype(np.uint8)
    return np.clip(scene.astype(np.float32) * 1.5 + 60, 0, 255).astype(np.uint8)


def write_flash_video(path: Path, *, fps: Fraction | float, n_frames: int, flashes: Sequence[tuple[int, int, str]] = (),
                      cuts: Sequence[int] = (), size: tuple[int, int] = (256, 144)) -> None:
    """Panning shots with full-frame flashes, each (first frame, frames long, style), and hard cuts
    (each listed frame starts a new shot).

    Styles as `flash_picture`, and blast: an explosion, burnt out on its first frame and glowing on
    the next, the camera jolted as the light goes.
    """
    shot_starts = [0, *sorted(cuts)]
    lit = {first + k: (style, k) for first, length, style in flashes for k in range(length)}
    blasts = [first + length for first, length, style in flashes if style == "blast"]

    def frames():
        shot = None
        for i in range(n_frames):
            if i in shot_starts:
                shot = PanningShot(seed=10 + shot_starts.index(i), size=size)
            image = _shake(shot.frame(i), i, blasts, scale=size[1] / 144)
            if i in lit:
                style, k = lit[i]
                image = flash_picture(image, style if style != "blast" else ("burn" if k == 0 else "light"))
            yield image

    encode(path, frames(), fps)


def write_transition_video(path: Path, *, fps: Fraction | float, n_frames: int, kind: str, start: int, length: int,
                           hold: int | None = None, size: tuple[int, int] = (256, 144)) -> None:
    """A panning shot with one gradual transition of `length` frames from frame `start`.

    dissolve: blends into a second shot; fade-black / fade-white: fades out to black or white over
    `length` frames, holds `hold` frames (a quarter second unless given), and fades back in to the
    same shot over `length` frames; fade-in: the clip opens from black; fade-out: the clip ends
    fading to black.
    """
    kinds = ("dissolve", "fade-black", "fade-white", "fade-in", "fade-out")
    if kind not in kinds:
        raise ValueError(f"unknown transition {kind!r}; use one of {', '.join(kinds)}")
    a, b = PanningShot(21, size), PanningShot(22, size)
    hold = max(1, int(round(0.25 * float(fps)))) if hold is None else hold

    def mix(x: np.ndarray, y: np.ndarray | float, u: float) -> np.ndarray:
        return np.clip(x.astype(np.float32) * (1 - u) + np.asarray(y, dtype=np.float32) * u + 0.5, 0, 255).astype(np.uint8)

    def frames():
        for i in range(n_frames):
            image = a.frame(i)
            k = i - start
            ramp = float(np.clip((k + 1) / (length + 1), 0, 1))  # 0 before, 1 after the transition
            if kind == "dissolve":
                image = mix(image, b.frame(i), ramp)
            elif kind in ("fade-black", "fade-white"):
                level = 0.0 if kind == "fade-black" else 250.0
                back = float(np.clip((k - length - hold + 1) / (length + 1), 0, 1))  # the fade back in
                image = mix(image, level, ramp * (1 - back))
            elif kind == "fade-in":
                image = mix(image, 0.0, 1 - ramp)
            else:
                image = mix(image, 0.0, ramp)
            yield image

    encode(path, frames(), fps)

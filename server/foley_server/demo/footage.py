"""Synthetic footage with visible events at known frames, for the demo, the tests and the benchmarks."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from scipy.ndimage import gaussian_filter

_SHAKE = ((0, 8), (0, 4), (0, 2))  # (dy, dx) per frame after an impact: the first jolt is the largest change


_NTSC_BASES = (24, 30, 48, 60, 120)


def _rate(fps: Fraction | float) -> Fraction:
    """The exact stream rate: Fractions as given, 23.976/29.97/59.94... as n*1000/1001, others as written."""
    if isinstance(fps, Fraction):
        return fps
    base = round(float(fps) * 1.001)
    if base in _NTSC_BASES and abs(float(fps) - base / 1.001) < 2e-3 and abs(float(fps) - base) > 1e-6:
        return Fraction(base * 1000, 1001)
    return Fraction(fps).limit_denominator(1001)


def _texture(h: int, w: int, seed: int, lo: int, hi: int) -> np.ndarray:
    """Soft random texture: gives camera shake something to move."""
    rng = np.random.default_rng(seed)
    tex = gaussian_filter(rng.random((h, w)), sigma=max(1.5, h / 60))
    tex = (tex - tex.min()) / (np.ptp(tex) or 1)
    return (lo + tex * (hi - lo)).astype(np.uint8)


def encode(path: Path, frames: Iterable[np.ndarray], fps: Fraction | float, *, preset: str = "veryfast", crf: int = 20,
           audio: bool = False, codec: str = "libx264") -> None:
    """Encode grey (h, w) or RGB (h, w, 3) uint8 frames as yuv420p video with frame i at exactly i / fps.

    Frames are consumed one at a time (memory is constant in length). `audio` adds a quiet AAC tone
    track of the same length, interleaved with the picture like camera footage with its own sound.
    """
    rate = _rate(fps)
    frames = iter(frames)
    first = next(frames, None)
    if first is None:
        raise ValueError("no frames to encode")
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream(codec, rate=rate)
        stream.height, stream.width = first.shape[:2]
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = 1 / rate
        gop = str(max(12, int(rate) * 2))
        if codec in ("libx264", "libx265"):
            stream.options = {"crf": str(crf), "preset": preset, "g": gop}
        else:
            stream.options = {"g": gop}
        sound = out.add_stream("aac", rate=48_000, layout="mono") if audio else None
        sent = 0  # audio samples encoded so far
        for index, image in enumerate(itertools.chain([first], frames)):
            frame = av.VideoFrame.from_ndarray(image, format="gray" if image.ndim == 2 else "rgb24")
            frame.pts = index
            frame.time_base = 1 / rate
            for packet in stream.encode(frame):
                out.mux(packet)
            if sound is not None:  # sound up to the end of this picture, in whole AAC frames
                upto = int((index + 1) / rate * sound.rate) // 1024 * 1024
                sent = _tone(out, sound, sent, upto)
        for packet in stream.encode():
            out.mux(packet)
        if sound is not None:
            _tone(out, sound, sent, int(round(float((index + 1) / rate) * sound.rate)))
            for packet in sound.encode():
                out.mux(packet)


def _tone(out, sound, start: int, stop: int) -> int:
    """Encode a quiet 220 Hz tone for samples [start, stop) in 1024-sample frames; returns stop."""
    for s0 in range(start, stop, 1024):
        t = np.arange(s0, min(stop, s0 + 1024)) / sound.rate
        block = (0.05 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)[None, :]
        frame = av.AudioFrame.from_ndarray(block, format="fltp", layout="mono")
        frame.sample_rate = sound.rate
        frame.pts = s0
        for packet in sound.encode(frame):
            out.mux(packet)
    return stop


def _shake(image: np.ndarray, frame: int, impacts: Sequence[int], scale: float = 1.0) -> np.ndarray:
    for impact in impacts:
        k = frame - impact
        if 0 <= k < len(_SHAKE):
            dy, dx = (int(round(v * scale)) for v in _SHAKE[k])
            return np.roll(image, (dy, dx), axis=(0, 1))
    return image


def write_event_video(path: Path, *, fps: Fraction | float, n_frames: int, event_frames: Sequence[int],
                      size: tuple[int, int] = (320, 180), kind: str = "flash", codec: str = "libx264",
                      audio: bool = False) -> None:
    """A dark static scene with an event exactly at each of `event_frames`.

    flash: a lamp-sized region lights up for one frame; jump: a box is knocked to a new place and
    stays; shake: the camera is shaken for three frames.
    """
    if kind not in ("flash", "jump", "shake"):
        raise ValueError(f"unknown event kind {kind!r}; use flash, jump or shake")
    w, h = size
    base = _texture(h, w, seed=1, lo=20, hi=90)
    events = sorted(set(event_frames))
    flashes = set(events)

    def frames():
        box_x = w // 4
        for i in range(n_frames):
            image = base.copy()
            if kind == "flash" and i in flashes:
                image[h // 4 : 3 * h // 4, w // 3 : 2 * w // 3] = 235
            if kind == "jump":
                if i in flashes:
                    box_x = w // 4 if box_x != w // 4 else w // 2
                image[h // 3 : h // 3 + h // 5, box_x : box_x + w // 8] = 210
            if kind == "shake":
                image = _shake(image, i, events)
            yield image

    encode(path, frames(), fps, audio=audio, codec=codec)


def _blend(image: np.ndarray, y0: int, x0: int, alpha: np.ndarray, color) -> None:
    """Paint `color` over image[y0:, x0:] with per-pixel coverage `alpha` (anti-aliased edges)."""
    h, w = alpha.shape
    region = image[y0 : y0 + h, x0 : x0 + w]
    a = alpha[: region.shape[0], : region.shape[1]]
    if region.ndim == 3:
        a = a[..., None]
    mixed = region + (np.asarray(color, dtype=np.float32) - region) * a
    image[y0 : y0 + h, x0 : x0 + w] = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)


def _box(h: int, w: int, cy: float, cx: float, ry: float, rx: float) -> tuple[int, int, int, int]:
    return max(0, int(cy - ry) - 2), min(h, int(cy + ry) + 3), max(0, int(cx - rx) - 2), min(w, int(cx + rx) + 3)


def _ellipse(image: np.ndarray, cy: float, cx: float, ry: float, rx: float, color, opacity: float = 1.0) -> None:
    """A filled ellipse with a one-pixel soft edge, so sub-pixel motion moves it smoothly."""
    y0, y1, x0, x1 = _box(image.shape[0], image.shape[1], cy, cx, ry, rx)
    if y0 >= y1 or x0 >= x1:
        return
    yy = np.arange(y0, y1, dtype=np.float32)[:, None]
    xx = np.arange(x0, x1, dtype=np.float32)[None, :]
    d = np.sqrt(((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2)
    _blend(image, y0, x0, np.clip((1.0 - d) * min(ry, rx) + 0.5, 0.0, 1.0) * opacity, color)


def _rect(image: np.ndarray, top: float, bottom: float, left: float, right: float, color) -> None:
    """A filled rectangle [top, bottom) x [left, right) in fractional pixels (partly covered edge pixels)."""
    h, w = image.shape[:2]
    y0, y1, x0, x1 = max(0, int(np.floor(top))), min(h, int(np.ceil(bottom))), max(0, int(np.floor(left))), min(w, int(np.ceil(right)))
    if y0 >= y1 or x0 >= x1:
        return
    ys = np.arange(y0, y1, dtype=np.float32)
    xs = np.arange(x0, x1, dtype=np.float32)
    cover_y = np.clip(np.minimum(ys + 1, bottom) - np.maximum(ys, top), 0, 1)
    cover_x = np.clip(np.minimum(xs + 1, right) - np.maximum(xs, left), 0, 1)
    _blend(image, y0, x0, cover_y[:, None] * cover_x[None, :], color)


def _segment(image: np.ndarray, p0: tuple[float, float], p1: tuple[float, float], half_width: float, color) -> None:
    """A thick line from p0 to p1 ((y, x) each) with round ends and soft edges: a limb."""
    (ya, xa), (yb, xb) = p0, p1
    h, w = image.shape[:2]
    y0, y1 = max(0, int(min(ya, yb) - half_width) - 2), min(h, int(max(ya, yb) + half_width) + 3)
    x0, x1 = max(0, int(min(xa, xb) - half_width) - 2), min(w, int(max(xa, xb) + half_width) + 3)
    if y0 >= y1 or x0 >= x1:
        return
    yy = np.arange(y0, y1, dtype=np.float32)[:, None]
    xx = np.arange(x0, x1, dtype=np.float32)[None, :]
    dy, dx = yb - ya, xb - xa
    u = np.clip(((yy - ya) * dy + (xx - xa) * dx) / max(dy * dy + dx * dx, 1e-9), 0.0, 1.0)
    dist = np.hypot(yy - (ya + u * dy), xx - (xa + u * dx))
    _blend(image, y0, x0, np.clip(half_width - dist + 0.5, 0.0, 1.0), color)


def write_bouncing_ball(path: Path, fps: float, seconds: float, size: tuple[int, int] = (640, 360)) -> list[int]:
    """A red ball dropped on a wooden floor, bouncing lower each time; returns the contact frames.

    At each contact the ball squashes and the camera jolts (the floor shakes); when it comes to rest
    it is picked up and dropped again.
    """
    w, h = size
    n = int(round(seconds * fps))
    floor = int(h * 0.82)
    radius = h * 0.07
    room = np.dstack([_texture(h, w, 2, 110, 220), _texture(h, w, 2, 100, 205), _texture(h, w, 2, 85, 180)])
    room[floor:] = (np.array([120, 80, 45]) * (0.8 + 0.2 * _texture(h - floor, w, 3, 0, 255)[..., None] / 255)).astype(np.uint8)
    g = h * 2.2  # pixels / s^2
    y, v, x, vx = h * 0.15, 0.0, w * 0.2, w * 0.08
    contacts: list[int] = []
    dt = 1.0 / fps
    positions = []
    for i in range(n):
        v += g * dt
        y += v * dt
        x += vx * dt
        squash = 1.0
        if y + radius >= floor:
            y = floor - radius
            if abs(v) > h * 0.25:
                contacts.append(i)
                squash = 0.7
            v = -v * 0.72
            if abs(v) < h * 0.25:  # the ball comes to rest: pick it up and drop it again
                y, v = h * 0.15, 0.0
        if x > w * 0.85 or x < w * 0.15:
            vx = -vx
        positions.append((y, x, squash))

    def frames():
        for i, (cy, cx, squash) in enumerate(positions):
            image = room.copy()
            ry, rx = radius * squash, radius / squash
            height_above = (floor - radius - cy) / floor  # the shadow shrinks as the ball rises
            _ellipse(image, floor + 4, cx, radius * 0.25, radius * (1.2 - 0.6 * height_above), (70, 45, 25))
            _ellipse(image, cy + radius - ry, cx, ry, rx, (205, 30, 35))  # the bottom stays on its path
            yield _shake(image, i, contacts)

    encode(path, frames(), fps)
    return contacts


def write_door(path: Path, fps: float, seconds: float, size: tuple[int, int] = (640, 360)) -> list[int]:
    """A door in a wall, pushed open slowly and slammed shut (the wall shakes); returns the slam frames."""
    w, h = size
    n = int(round(seconds * fps))
    wall = np.dstack([_texture(h, w, 4, 170, 210)] * 3)
    wall[..., 2] = (wall[..., 2] * 0.85).astype(np.uint8)
    left, top, door_w, bottom = int(w * 0.38), int(h * 0.12), int(w * 0.22), int(h * 0.95)
    wall[top - 6 : bottom, left - 6 : left + door_w + 6] = (90, 70, 50)  # frame
    wall[top:bottom, left : left + door_w] = (25, 22, 20)  # the dark room behind the door
    cycle = int(round(2.2 * fps))
    slam_at = int(round(1.6 * fps))
    slams = [c + slam_at for c in range(int(0.3 * fps), n, cycle) if c + slam_at < n]
    openness = np.zeros(n)
    for s in slams:
        start = s - slam_at
        for i in range(start, min(n, s + 1)):
            k = i - start
            if k < int(0.9 * fps):  # pushed open, slowing to a stop
                openness[i] = 0.8 * np.sin(0.5 * np.pi * k / int(0.9 * fps))
            else:  # then pulled: an accelerating swing shut
                u = (k - int(0.9 * fps)) / max(1, slam_at - int(0.9 * fps))
                openness[i] = 0.8 * (1 - u * u)
        openness[s] = 0.0
    knob_r = max(2.0, h / 72)

    def frames():
        for i in range(n):
            image = wall.copy()
            visible = door_w * np.cos(openness[i] * np.pi / 2)  # the leaf seen edge-on as it swings
            _rect(image, top, bottom, left, left + visible, (140, 95, 55))
            _ellipse(image, (top + bottom) / 2, left + max(knob_r + 1, visible - 3 * knob_r), knob_r, knob_r, (220, 190, 80))
            yield _shake(image, i, slams)

    encode(path, frames(), fps)
    return slams


def write_walker(path: Path, fps: float, seconds: float, size: tuple[int, int] = (640, 360)) -> list[int]:
    """A figure walking across gravel, kicking up a puff at each footfall; returns the footfall frames."""
    w, h = size
    n = int(round(seconds * fps))
    ground = int(h * 0.8)
    scene = np.dstack([_texture(h, w, 5, 150, 190), _texture(h, w, 5, 170, 205), _texture(h, w, 5, 200, 235)])
    gravel = _texture(h - ground, w, 6, 90, 160)
    scene[ground:] = np.dstack([gravel, gravel, (gravel * 0.9).astype(np.uint8)])
    step_s = 0.5
    steps = [int(round(t * fps)) for t in np.arange(0.35, seconds - 0.1, step_s)]
    body_h = h * 0.42
    s = h / 360  # drawing scale

    def frames():
        for i in range(n):
            image = scene.copy()
            t = i / fps
            x = w * 0.1 + (w * 0.8) * (t / seconds)
            phase = np.sin(2 * np.pi * (t - 0.35) / (2 * step_s))
            hip_y = ground - body_h * 0.45
            _rect(image, ground - body_h, hip_y + 4 * s, x - 8 * s, x + 8 * s, (40, 50, 90))  # torso
            _ellipse(image, ground - body_h - 14 * s, x, 14 * s, 12 * s, (225, 190, 160))  # head
            for side in (-1, 1):
                foot_x = x + side * phase * w * 0.04
                lift = max(0.0, side * np.cos(2 * np.pi * (t - 0.35) / (2 * step_s))) * 10 * s
                _segment(image, (hip_y, x), (ground - 4 * s - lift, foot_x), 4 * s, (30, 30, 40))  # leg
            for step in steps:
                if 0 <= i - step < 4:  # a dust puff bursts at the footfall, then settles
                    fx = w * 0.1 + (w * 0.8) * (step / fps / seconds)
                    _ellipse(image, ground - 6 * s, fx, h * 0.05, w * 0.07, (240, 230, 205), opacity=1.0 - 0.3 * (i - step))
            yield image

    encode(path, frames(), fps)
    return steps


def write_long_video(path: Path, seconds: float, fps: float, size: tuple[int, int], events_every_s: float = 0.8) -> list[int]:
    """A long grey clip for benchmarks: drifting texture and a box knocked to a new place now and then."""
    w, h = size
    n = int(round(seconds * fps))
    base = _texture(h // 4, w // 4, 7, 30, 200).repeat(4, axis=0).repeat(4, axis=1)[:h, :w]
    every = max(1, int(round(events_every_s * fps)))
    events = list(range(every, n, every))

    def frames():
        box = (h // 3, w // 4)
        for i in range(n):
            image = np.roll(base, i % w, axis=1)
            if i % every == 0 and i:
                box = (box[0], w // 2 if box[1] == w // 4 else w // 4)
            image[box[0] : box[0] + h // 6, box[1] : box[1] + w // 10] = 240
            yield image

    encode(path, frames(), fps, preset="ultrafast", crf=28)
    return events


def write_corrupt_file(path: Path) -> None:
    """Bytes that start like an MP4 but are garbage: what a broken copy looks like."""
    rng = np.random.default_rng(0)
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())


def mux_audio(out, stream, samples: np.ndarray) -> None:
    """Encode float32 (frames, channels) samples into an open container's audio stream, then flush it."""
    layout = "mono" if samples.shape[1] == 1 else "stereo"
    for start in range(0, samples.shape[0], 1024):
        block = np.ascontiguousarray(samples[start : start + 1024].T, dtype=np.float32)
        frame = av.AudioFrame.from_ndarray(block, format="fltp", layout=layout)
        frame.sample_rate = stream.rate
        frame.pts = start
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)


def write_audio_only(path: Path, seconds: float = 1.0) -> None:
    """An MP4 holding only an AAC tone: a valid media file with no picture."""
    rate = 48_000
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("aac", rate=rate, layout="mono")
        t = np.arange(int(seconds * rate)) / rate
        mux_audio(out, stream, (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[:, None])

"""Small mechanisms: switches and buttons, camera shutters, zippers and velcro, clocks, typing.

All of them are clicks: a part snapping against another, heard as a sharp tick plus the ring of
what it is built into (a plastic housing, a metal escapement, a wooden case). What tells them apart
is how the clicks are arranged in time: a switch's snap and spring, a shutter's curtains and
mirror, a zipper's teeth as fast as the pull, an escapement's steady beat, a typist's words.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.signal import lfilter

from ..base import VisualEvents
from .modal import Material, strike
from .noise import RATE, band, filtered, stable_seed, stereo
from .patterns import add_at, beat_times, normalised, with_tail_fade
from .sound_model import SoundModel, one_shots, pattern

_PLASTIC_CLICK = Material((2000, 4500), (1.0, 2.08, 3.43), 0.015, 0.5, 0.8, (1500, 14000), 0.0003)
_METAL_CLICK = Material((3000, 7000), (1.0, 2.76, 5.40), 0.03, 0.3, 0.6, (2500, 16000), 0.0002)
_HOUSING = Material((300, 700), (1.0, 2.08, 3.43), 0.03, 0.5, 0.4, (300, 4000), 0.001)


def _tick(rng: np.random.Generator, material: Material, level: float = 1.0, scale_t60: float = 1.0) -> np.ndarray:
    return level * strike(material, rng, scale_t60=scale_t60)


def _assemble(parts: list[tuple[float, np.ndarray]], tail_s: float = 0.05) -> np.ndarray:
    """Sum (seconds, sound) parts into one take, the first at sample 0."""
    length = int(max(when * RATE + len(s) for when, s in parts) + tail_s * RATE)
    x = np.zeros(length, dtype=np.float32)
    for when, sound in parts:
        at = int(when * RATE)
        x[at : at + len(sound)] += sound
    x[0] = abs(x[0]) + 0.2
    return with_tail_fade(normalised(x), 0.005)


SWITCHES = ("light", "button", "click")


def switch(rng: np.random.Generator, kind: str = "light") -> np.ndarray:
    """A light switch (snap and spring), a button (press and release) or a mechanical click (two ticks)."""
    if kind == "light":
        return _assemble([(0.0, _tick(rng, _PLASTIC_CLICK)), (rng.uniform(0.003, 0.007), _tick(rng, _HOUSING, 0.8)),
                          (rng.uniform(0.01, 0.02), _tick(rng, _PLASTIC_CLICK, 0.3))])
    if kind == "button":
        return _assemble([(0.0, _tick(rng, _PLASTIC_CLICK)), (0.002, _tick(rng, _HOUSING, 0.4, 0.5)),
                          (rng.uniform(0.08, 0.25), _tick(rng, _PLASTIC_CLICK, rng.uniform(0.35, 0.6)))])
    return _assemble([(0.0, _tick(rng, _METAL_CLICK)), (rng.uniform(0.01, 0.04), _tick(rng, _METAL_CLICK, rng.uniform(0.4, 0.8)))])


CAMERAS = ("slr", "compact", "film")


def _whirr(rng: np.random.Generator, seconds: float) -> np.ndarray:
    """A film advance motor: a geared buzz that slows as the spring tensions."""
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    f = rng.uniform(180, 280) * (1 - 0.25 * t / seconds)
    phase = 2 * np.pi * np.cumsum(f) / RATE
    buzz = np.sign(np.sin(phase)) * 0.5 + np.sin(3 * phase) * 0.3
    noise = rng.standard_normal(n) * 0.3
    x = filtered((buzz + noise).astype(np.float32), band(150, 6000)) * np.sin(np.pi * t / seconds).astype(np.float32) ** 0.5
    return 0.35 * x / (np.abs(x).max() or 1)


def shutter(rng: np.random.Generator, kind: str = "slr") -> np.ndarray:
    """A camera: SLR = curtain, mirror slap, second curtain, mirror return; compact = a small click-chk;
    film = an SLR with its advance motor."""
    if kind == "compact":
        return _assemble([(0.0, _tick(rng, _PLASTIC_CLICK, 0.8)), (rng.uniform(0.03, 0.06), _tick(rng, _PLASTIC_CLICK, 0.5))])
    exposure = rng.uniform(0.015, 0.06)
    mirror = _tick(rng, Material((150, 300), (1.0, 1.9, 3.1), 0.04, 0.6, 0.9, (200, 6000), 0.002), 0.9)
    parts = [(0.0, _tick(rng, _METAL_CLICK)), (0.004, mirror), (exposure, _tick(rng, _METAL_CLICK, 0.8)),
             (exposure + rng.uniform(0.05, 0.09), _tick(rng, _HOUSING, 0.7))]
    if kind == "film":
        parts.append((exposure + rng.uniform(0.15, 0.22), _whirr(rng, rng.uniform(0.25, 0.4))))
    return _assemble(parts)


FASTENERS = ("zipper", "velcro")


def _resonant_clicks(rng: np.random.Generator, times_s: np.ndarray, amps: np.ndarray, length: int, hz: float) -> np.ndarray:
    """Impulses ringing a two-pole resonance at `hz` (the zipper's slider and teeth)."""
    impulses = np.zeros(length, dtype=np.float64)
    at = (times_s * RATE).astype(int)
    ok = at < length
    np.add.at(impulses, at[ok], amps[ok])
    r, w = 0.985, 2 * np.pi * hz / RATE
    return lfilter([1.0, -r * np.cos(w)], [1.0, -2 * r * np.cos(w), r * r], impulses).astype(np.float32)


def fastener(rng: np.random.Generator, kind: str = "zipper") -> np.ndarray:
    """A zipper pulled (teeth clicking as fast as the pull) or velcro ripped (hooks letting go in a dense crackle)."""
    seconds = rng.uniform(0.3, 0.8) if kind == "zipper" else rng.uniform(0.25, 0.6)
    length = int((seconds + 0.03) * RATE)
    t = np.arange(length, dtype=np.float32) / RATE
    speed = np.clip(t / 0.04, 0, 1) * np.clip((seconds - t) / 0.05, 0, 1) * (1 + 0.25 * np.sin(2 * np.pi * rng.uniform(2, 5) * t))
    speed[0] = max(speed[0], 1.0)
    if kind == "zipper":
        rate = rng.uniform(250, 700)
    else:
        rate = rng.uniform(3000, 6000)
    count = int(rate * seconds)
    times = np.concatenate([[0.0], np.sort(rng.choice(length, count, p=speed / speed.sum())) / RATE])
    amps = np.concatenate([[1.5], rng.uniform(0.3, 1.0, count) * rng.choice((-1.0, 1.0), count)])
    if kind == "zipper":
        x = _resonant_clicks(rng, times, amps, length, rng.uniform(2500, 4500))
        scrape = filtered(rng.standard_normal(length).astype(np.float32), band(1500, 8000)) * speed
        x = x / (np.abs(x).max() or 1) + 0.15 * scrape / (np.abs(scrape).max() or 1)
    else:
        impulses = np.zeros(length, dtype=np.float32)
        np.add.at(impulses, (times * RATE).astype(int), amps.astype(np.float32))
        env = lfilter([1.0], [1.0, -np.exp(-1.0 / (0.0002 * RATE))], impulses).astype(np.float32)
        x = filtered(env * rng.standard_normal(length).astype(np.float32), band(500, 11000))
    x[0] = abs(x[0]) + 0.2
    return with_tail_fade(normalised(x))


# --- patterns on their own clock -------------------------------------------------------------

#: (beat period s, escapement click, case resonance, case level)
CLOCKS = {
    "wall": (1.0, Material((2500, 4000), (1.0, 2.76, 5.4), 0.02, 0.3, 0.5, (2000, 12000), 0.0003),
             Material((500, 900), (1.0, 2.08, 3.43), 0.04, 0.5, 0.3, (300, 5000), 0.001), 0.6),
    "grandfather": (1.0, Material((1500, 2500), (1.0, 2.76, 5.4), 0.03, 0.3, 0.5, (1000, 9000), 0.0004),
                    Material((150, 300), (1.0, 2.31, 3.92), 0.25, 0.6, 0.3, (150, 3000), 0.002), 1.0),
    "watch": (1.0 / 6.0, Material((5000, 8000), (1.0, 2.76, 5.4), 0.012, 0.3, 0.5, (4000, 16000), 0.0002),
              Material((1500, 2500), (1.0, 2.32), 0.01, 0.5, 0.3, (2000, 12000), 0.0005), 0.3),
}


@lru_cache(maxsize=8)
def _clock_takes(seed: int, kind: str) -> tuple[list[np.ndarray], float, float]:
    """Tick and tock takes (even beats, odd beats), the period and where the first beat falls."""
    period, click, case, case_level = CLOCKS[kind]
    rng = np.random.default_rng(seed)
    takes = []
    for index in range(8):  # even: tick, odd: tock, a little lower
        f0 = rng.uniform(*click.f0) * (1.0 if index % 2 == 0 else 0.85)
        x = strike(click, rng, f0=f0)
        body = case_level * strike(case, rng)
        y = np.zeros(max(len(x), len(body)), dtype=np.float32)
        y[: len(x)] += x
        y[: len(body)] += body
        takes.append(with_tail_fade(normalised(y), 0.005))
    return takes, period, float(rng.uniform(0, period))


def clock(events: VisualEvents, start: int, n: int, seed: int, intensity: float, kind: str = "wall") -> np.ndarray:
    """A clock ticking steadily (tick, tock) through the clip."""
    takes, period, phase = _clock_takes(seed, kind)
    out = stereo(n)
    pre = max(len(t) for t in takes)
    for k, at, rng in beat_times(seed, "clock", period, start, n, pre, jitter_s=0.0005, phase_s=phase):
        add_at(out, at, takes[2 * int(rng.integers(0, 4)) + k % 2], rng.uniform(0.9, 1.0))
    return out


DEVICES = ("keyboard", "laptop", "typewriter")


@lru_cache(maxsize=8)
def _key_takes(seed: int, device: str) -> dict[str, list[np.ndarray]]:
    """Keystroke takes (press, bottom-out, release), space bars, and for a typewriter its bell and return."""
    rng = np.random.default_rng(seed)
    if device == "typewriter":
        bar = Material((900, 2200), (1.0, 2.76, 5.4, 8.9), 0.06, 0.4, 0.7, (800, 12000), 0.0004)
        platen = Material((180, 320), (1.0, 2.1, 3.4), 0.04, 0.6, 0.5, (200, 4000), 0.002)
        keys = [_assemble([(0.0, _tick(rng, bar)), (0.001, _tick(rng, platen, 0.7)),
                           (rng.uniform(0.03, 0.05), _tick(rng, _METAL_CLICK, 0.3))]) for _ in range(10)]
        bell = strike(Material((2200, 2600), (1.0, 2.4, 4.1), 1.2, 0.5, 0.05, (3000, 12000), 0.0005), rng)
        ratchet = np.concatenate([_tick(rng, _METAL_CLICK, 0.4)[: int(0.012 * RATE)] for _ in range(25)])
        return {"key": keys, "space": keys[:3], "bell": [normalised(bell)], "return": [ratchet]}
    soft = device == "laptop"
    keys, spaces = [], []
    for _ in range(10):
        press = _tick(rng, _PLASTIC_CLICK, 0.5 if soft else 0.8)
        bottom = _tick(rng, _HOUSING, 0.8, 0.6 if soft else 1.0)
        release = _tick(rng, _PLASTIC_CLICK, 0.25 if soft else 0.45)
        x = _assemble([(0.0, press), (rng.uniform(0.006, 0.015), bottom), (rng.uniform(0.06, 0.11), release)])
        keys.append(filtered(x, band(None, 5000)) if soft else x)
    for _ in range(3):
        thunk = Material((180, 320), (1.0, 1.6, 2.3), 0.05, 0.5, 0.6, (200, 5000), 0.001)
        spaces.append(_assemble([(0.0, _tick(rng, thunk)), (0.004, _tick(rng, _PLASTIC_CLICK, 0.5)),
                                 (rng.uniform(0.08, 0.12), _tick(rng, thunk, 0.4))]))
    return {"key": keys, "space": spaces}


def typing(events: VisualEvents, start: int, n: int, seed: int, intensity: float, device: str = "keyboard") -> np.ndarray:
    """A typist: words of keystrokes and spaces, pauses now and then, busier while the picture moves."""
    takes = _key_takes(seed, device)
    out = stereo(n)
    pre = int(0.4 * RATE)
    slow = device == "typewriter"
    for block in range((start - pre) // RATE, (start + n) // RATE + 1):
        rng = np.random.default_rng(stable_seed(seed, "typing", block))
        if rng.random() < 0.15:  # a pause to think
            continue
        when = block + rng.uniform(0.0, 0.15)
        keys_in_word = int(rng.integers(2, 8))
        while when < block + 1:
            motion = float(events.motion_at(np.array([when]))[0]) if len(events.envelope_times_s) else 0.5
            if rng.random() < 0.45 + 0.55 * min(1.0, 2 * motion):
                kind = "space" if keys_in_word == 0 else "key"
                take = takes[kind][int(rng.integers(0, len(takes[kind])))]
                add_at(out, int(round(when * RATE)) - start, take, rng.uniform(0.5, 1.0), rng.uniform(-0.2, 0.2))
            keys_in_word = int(rng.integers(2, 8)) if keys_in_word == 0 else keys_in_word - 1
            when += rng.uniform(0.12, 0.3) if slow else rng.uniform(0.07, 0.2)
        if slow and rng.random() < 0.06:  # end of a line: the bell, then the carriage return
            add_at(out, int(round((block + 0.6) * RATE)) - start, takes["bell"][0], 0.5)
            add_at(out, int(round((block + 0.75) * RATE)) - start, takes["return"][0], 0.6)
    return out


MODELS = {
    "switch": SoundModel("events", "switches and buttons on visual onsets: a light switch's snap, a button press and release, "
                                   "a mechanical click",
                         one_shots(switch), {"kind": SWITCHES}),
    "shutter": SoundModel("events", "a camera taking a picture on visual onsets (flashes): shutter curtains, mirror, film advance",
                          one_shots(shutter), {"kind": CAMERAS}),
    "fastener": SoundModel("events", "a zipper pulled or velcro ripped on visual onsets",
                           one_shots(fastener), {"kind": FASTENERS}),
    "clock": SoundModel("events", "a clock ticking through the clip: tick, tock", pattern(clock), {"kind": tuple(CLOCKS)},
                        level_db=-8),
    "typing": SoundModel("events", "typing through the clip, in words and pauses, busier while the picture moves",
                         pattern(typing, "motion"), {"device": DEVICES}, level_db=-4),
}

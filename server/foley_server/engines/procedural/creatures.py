"""Creatures a procedural model can render convincingly: wings, insects at night, hooves.

Wings flap at a rate set by the bird's size, each downstroke a gust of air through feathers (a
band of noise swelling and falling) with a feathery clap at the top of the stroke. A cricket
chirps by rubbing a file: a few pulses of a pure 3.5-5 kHz carrier, chirp after chirp at its own
steady rate; a field of them, left to right. Cicadas buzz (a fast-pulsed hiss); flies drone.
Hooves follow the gait: a walk's four even beats, a trot's two diagonal pairs, a gallop's run of
four and a pause; each a hard, hollow clop on a road or a dull thud in dirt.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..base import VisualEvents
from .modal import Material, strike
from .noise import RATE, band, control_curve, decorrelated_noise, filtered, stable_seed, stereo, upsample
from .patterns import add_at, beat_times, decaying, normalised, random_times, with_tail_fade
from .sound_model import SoundModel, bed, pattern

WINGS = {"small": (9.0, 13.0), "medium": (4.5, 7.0), "large": (2.0, 3.5)}  # flaps per second


@lru_cache(maxsize=8)
def _flaps(seed: int, size: str) -> tuple[list[np.ndarray], float]:
    rng = np.random.default_rng(seed)
    rate = rng.uniform(*WINGS[size])
    length = int(0.8 / rate * RATE)
    t = np.arange(length, dtype=np.float32) / RATE
    colour = {"small": (800, 7000), "medium": (300, 5000), "large": (120, 2500)}[size]
    takes = []
    for _ in range(6):
        gust = filtered(rng.standard_normal(length).astype(np.float32), band(*colour))
        peak = rng.uniform(0.25, 0.4) * length / RATE
        swell = np.where(t < peak, t / peak, np.exp(-(t - peak) / (0.3 * length / RATE))) ** 2
        x = gust * swell.astype(np.float32)
        clap = filtered(rng.standard_normal(length).astype(np.float32), band(1500, 9000)) * decaying(length, 0.004)
        x += 0.4 * clap * (np.abs(x).max() / (np.abs(clap).max() or 1))
        takes.append(with_tail_fade(normalised(x)))
    return takes, 1.0 / rate


def wings(events: VisualEvents, start: int, n: int, seed: int, intensity: float, size: str = "medium") -> np.ndarray:
    """Wings flapping while the picture moves, as hard as it moves."""
    takes, period = _flaps(seed, size)
    out = stereo(n)
    pre = len(takes[0])
    beats = list(beat_times(seed, "flap", period, start, n, pre, jitter_s=0.06 * period))
    if not beats:
        return out
    motion = events.motion_at(np.array([(start + at) / RATE for _, at, _ in beats]))
    for (k, at, rng), m in zip(beats, motion):
        if m > 0.08:
            add_at(out, at, takes[k % len(takes)], float(min(1.0, 1.3 * m)) * rng.uniform(0.7, 1.0), rng.uniform(-0.3, 0.3))
    return out


INSECTS = ("crickets", "cicadas", "flies")


@lru_cache(maxsize=8)
def _crickets(seed: int, count: int) -> list[tuple[np.ndarray, float, float, float]]:
    """Each cricket: its chirp, its chirp period, its pan and level."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        carrier = rng.uniform(3500, 5000)
        pulses, pulse_s, gap_s = int(rng.integers(2, 5)), rng.uniform(0.012, 0.02), rng.uniform(0.012, 0.025)
        length = int(pulses * (pulse_s + gap_s) * RATE)
        t = np.arange(length) / RATE
        within = (t % (pulse_s + gap_s)) / pulse_s
        env = np.where(within < 1, np.sin(np.pi * np.clip(within, 0, 1)), 0.0)
        chirp = (np.sin(2 * np.pi * carrier * t) * env).astype(np.float32)
        out.append((chirp, rng.uniform(0.35, 1.1), rng.uniform(-0.9, 0.9), rng.uniform(0.2, 1.0)))
    return out


_CICADA = band(3500, 9000)
_FLY_FACTOR = 4


def insects(start: int, n: int, seed: int, intensity: float = 0.5, kind: str = "crickets") -> np.ndarray:
    """Crickets at night (a field of chirpers, denser with intensity), cicadas, or flies droning about."""
    if kind == "cicadas":
        hiss = decorrelated_noise(seed, "cicada", start, n, _CICADA)
        rng = np.random.default_rng(stable_seed(seed, "cicada-pulse"))
        pulse_hz, swell_hz, phase = rng.uniform(100, 180), rng.uniform(0.03, 0.08), rng.uniform(0, 6.3)
        am = control_curve(lambda t: (0.55 + 0.45 * np.sin(2 * np.pi * pulse_hz * t))
                           * (0.6 + 0.4 * np.sin(2 * np.pi * swell_hz * t + phase)), start, n, hop_s=0.0005)
        hiss *= np.float32(0.08) * am[:, None]
        return hiss
    if kind == "flies":  # a buzz (wing beats ~ 200 Hz harmonics) wandering in pitch and place, made at 12 kHz
        rng = np.random.default_rng(stable_seed(seed, "fly"))
        f0, rates, phases = rng.uniform(170, 230), rng.uniform(0.2, 0.9, 3), rng.uniform(0, 6.3, 3)
        low_rate = RATE // _FLY_FACTOR
        pad = low_rate // 10
        lo = start // _FLY_FACTOR - pad
        t = (lo + np.arange(-(-n // _FLY_FACTOR) + 2 * pad + 1)) / low_rate
        wobble = np.sin(2 * np.pi * rates[0] * t + phases[0])
        phase = 2 * np.pi * f0 * t + 0.06 * f0 * wobble / rates[0]  # pitch wanders +-6 %
        rotor = np.exp(1j * phase)
        buzz = (rotor * (1 + 0.5 * rotor + 0.3 * rotor * rotor)).imag * (1 + 0.06 * wobble)
        near = 0.5 + 0.5 * np.sin(2 * np.pi * rates[1] * t + phases[1])
        pan = np.sin(2 * np.pi * rates[2] * t + phases[2])
        mono = 0.15 * buzz * near
        pair = np.stack([mono * (1 - 0.4 * pan), mono * (1 + 0.4 * pan)], axis=1).astype(np.float32)
        return upsample(pair, _FLY_FACTOR, start - lo * _FLY_FACTOR, n)
    out = stereo(n)
    field = _crickets(seed, int(3 + 9 * intensity))
    for index, (chirp, period, pan, level) in enumerate(field):
        for _, at, rng in beat_times(seed, f"cricket-{index}", period, start, n, len(chirp), jitter_s=0.02):
            add_at(out, at, chirp, 0.25 * level * rng.uniform(0.8, 1.0), pan)
    for at, rng in random_times(seed, "far-crickets", start, n, 6.0, int(0.2 * RATE)):  # the distant ones
        chirp, _, _, _ = field[int(rng.integers(0, len(field)))]
        add_at(out, at, chirp, 0.05, rng.uniform(-1, 1))
    return out


GAITS = {"walk": (1.1, (0.0, 0.25, 0.5, 0.75)), "trot": (0.7, (0.0, 0.0, 0.5, 0.5)),
         "gallop": (0.42, (0.0, 0.12, 0.24, 0.33))}  # stride seconds, footfalls as fractions of it
GROUNDS = {
    "road": Material((350, 800), (1.0, 1.7, 2.6, 3.9), 0.05, 0.5, 0.7, (600, 9000), 0.001),
    "dirt": Material((90, 180), (1.0, 1.6, 2.3), 0.04, 0.8, 0.9, (150, 3000), 0.004),
}


@lru_cache(maxsize=8)
def _hoof_takes(seed: int, ground: str) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    takes = []
    for _ in range(8):
        x = strike(GROUNDS[ground], rng)
        if ground == "dirt":  # and the soil gives a little
            grit = filtered(rng.standard_normal(len(x)).astype(np.float32), band(1000, 6000)) * decaying(len(x), 0.015)
            x = x + 0.3 * grit / (np.abs(grit).max() or 1)
        takes.append(normalised(x))
    return takes


def hooves(events: VisualEvents, start: int, n: int, seed: int, intensity: float, gait: str = "walk",
           ground: str = "road") -> np.ndarray:
    """A horse's hooves in its gait, while the picture moves."""
    stride, falls = GAITS[gait]
    takes = _hoof_takes(seed, ground)
    out = stereo(n)
    pre = max(len(t) for t in takes) + int(stride * RATE)
    for _, at, rng in beat_times(seed, "stride", stride, start, n, pre, jitter_s=0.02 * stride):
        if events.motion_at(np.array([(start + at) / RATE]))[0] <= 0.08:
            continue
        for index, fraction in enumerate(falls):
            offset = int((fraction * stride + rng.uniform(-0.006, 0.006)) * RATE)
            level = rng.uniform(0.6, 1.0) * (1.0 if gait != "gallop" or index == 3 else 0.85)
            add_at(out, at + offset, takes[int(rng.integers(0, len(takes)))], level, rng.uniform(-0.15, 0.15))
    return out


MODELS = {
    "wings": SoundModel("movement", "wings flapping while the picture moves; bird size sets the rate",
                        pattern(wings, "motion"), {"size": tuple(WINGS)}, level_db=14),
    "insects": SoundModel("ambience", "insects: crickets at night, cicadas in the heat, flies buzzing",
                          bed(insects), {"kind": INSECTS}, level_db=8),
    "hooves": SoundModel("events", "a horse's hooves in its gait while the picture moves",
                         pattern(hooves, "motion"), {"gait": tuple(GAITS), "ground": tuple(GROUNDS)}),
}

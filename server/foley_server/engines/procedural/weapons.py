"""Blasts: gunshots by calibre, distance and surroundings, explosions and fireworks.

A blast is a pressure pulse (the Friedlander waveform: a sharp rise, a fall through zero and a
shallow suction), turbulent gas noise and a low body; what the listener hears after it is the
surroundings answering: discrete echoes and a rumble outdoors, a dense short reverb indoors, a
flutter between the walls of an alley.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .modal import MATERIALS, strike
from .noise import BED_FACTOR, BED_RATE, RATE, band, filtered, upsample
from .patterns import decaying, normalised, with_tail_fade
from .sound_model import SoundModel, one_shots


def friedlander(rng: np.random.Generator, duration_s: float, length: int) -> np.ndarray:
    """The blast wave: positive phase of `duration_s`, then a slower negative phase."""
    t = np.arange(length, dtype=np.float32) / RATE
    b = rng.uniform(1.4, 2.4)
    return ((1 - t / duration_s) * np.exp(-b * t / duration_s)).astype(np.float32)


@dataclass(frozen=True)
class Calibre:
    """What comes out of the barrel: blast length, gas noise, body thump, bullet crack, action."""

    blast_s: tuple[float, float]
    gas_tau_s: float
    boom_hz: tuple[float, float]
    boom_tau_s: float
    boom_level: float
    crack: bool  # a supersonic bullet's N-wave arrives first
    action: bool  # a pistol's slide cycles audibly


CALIBRES = {
    "pistol": Calibre((0.0006, 0.0012), 0.004, (110, 160), 0.03, 0.35, False, True),
    "rifle": Calibre((0.0010, 0.0018), 0.006, (80, 120), 0.05, 0.45, True, False),
    "shotgun": Calibre((0.0020, 0.0032), 0.010, (55, 85), 0.09, 0.8, False, False),
}
DISTANCES = ("near", "far")
SURROUNDINGS = ("outdoor", "indoor", "alley")


def _muzzle(rng: np.random.Generator, calibre: Calibre, length: int) -> np.ndarray:
    t = np.arange(length, dtype=np.float32) / RATE
    x = friedlander(rng, rng.uniform(*calibre.blast_s), length)
    gas = filtered(rng.standard_normal(length).astype(np.float32), band(400, 14000)) * np.exp(-t / calibre.gas_tau_s)
    x += 0.6 * gas / (np.abs(gas).max() or 1)
    f = rng.uniform(*calibre.boom_hz)
    boom = np.sin(2 * np.pi * f * t * (1 - 0.3 * np.clip(t / 0.1, 0, 1))) * np.exp(-t / calibre.boom_tau_s)
    x += calibre.boom_level * boom.astype(np.float32)
    if calibre.crack:  # the bullet's shock wave: a 0.3 ms N-wave, then the muzzle blast a few ms later
        delay = int(rng.uniform(0.003, 0.012) * RATE)
        x = np.concatenate([np.zeros(delay, np.float32), x[: length - delay]])
        n_wave = np.linspace(1.0, -1.0, int(0.0003 * RATE), dtype=np.float32)
        x[: len(n_wave)] += 1.3 * n_wave
    if calibre.action:
        at = int(rng.uniform(0.04, 0.08) * RATE)
        click = strike(MATERIALS["metal"], rng, f0=rng.uniform(1500, 2600), scale_t60=0.04)
        x[at : at + len(click)] += 0.06 * click[: length - at]
    x[0] = abs(x[0]) + 0.3
    return x


def _echoes(direct: np.ndarray, rng: np.random.Generator, surroundings: str, far: bool) -> np.ndarray:
    """What the surroundings send back: the tail after the direct sound."""
    length = len(direct)
    head = filtered(direct[: int(0.03 * RATE)], band(None, 2500))
    out = np.zeros(length, dtype=np.float32)
    if surroundings == "indoor":  # early reflections, then a dense bright decay
        for _ in range(6):
            at = int(rng.uniform(0.004, 0.03) * RATE)
            out[at : at + len(head)] += rng.uniform(0.2, 0.45) * head[: length - at]
        tail = filtered(rng.standard_normal(length).astype(np.float32), band(150, 7000))
        out += 0.35 * tail * decaying(length, rng.uniform(0.08, 0.14), 0.004)
        return out
    if surroundings == "alley":  # flutter between two walls a few metres apart
        period = 2 * rng.uniform(3.0, 7.0) / 343.0
        k = 1
        while k * period < min(0.7, length / RATE - 0.05):
            at = int(k * period * RATE)
            out[at : at + len(head)] += 0.55 * 0.8**k * head[: length - at]
            k += 1
    for _ in range(rng.integers(3, 7)):  # buildings, hills: a few discrete slap-backs
        at = int(rng.uniform(0.08, 0.9) * RATE)
        if at + len(head) < length:
            out[at : at + len(head)] += rng.uniform(0.1, 0.35) * filtered(head, band(None, 1200))
    rumble = filtered(rng.standard_normal(length).astype(np.float32), band(40, 600 if not far else 350))
    out += (0.5 if far else 0.3) * rumble * decaying(length, rng.uniform(0.35, 0.7), 0.03)
    return out


def gunshot(rng: np.random.Generator, calibre: str = "pistol", distance: str = "near", tail: str = "outdoor") -> np.ndarray:
    """One shot with its tail, the blast at sample 0."""
    far = distance == "far"
    seconds = {"indoor": 1.2, "alley": 1.6, "outdoor": 2.2}[tail] + (0.6 if far else 0.0)
    length = int(seconds * RATE)
    direct = _muzzle(rng, CALIBRES[calibre], length)
    if far:  # air eats the top; the tail carries more of the level
        direct = filtered(direct, band(None, rng.uniform(1500, 2500)))
        direct[0] = abs(direct[0]) + 0.1
    wet = _echoes(direct, rng, tail, far)
    x = direct + (1.8 if far else 1.0) * wet * (np.abs(direct).max() / (np.abs(wet).max() or 1)) * 0.5
    return with_tail_fade(normalised(x), 0.05)


def explosion(rng: np.random.Generator, size: str = "large", distance: str = "near") -> np.ndarray:
    """A blast, a rolling low boom, and debris raining down (near) or only the rumble (far)."""
    large, far = size == "large", distance == "far"
    length = int(((5.0 if large else 2.8) + (1.0 if far else 0.0)) * RATE)
    t = np.arange(length, dtype=np.float32) / RATE
    x = 1.2 * friedlander(rng, rng.uniform(0.008, 0.014) if large else rng.uniform(0.003, 0.006), length)
    gas_n = int(0.6 * RATE)  # the gas burst is over in a few tenths of a second
    gas = filtered(rng.standard_normal(gas_n).astype(np.float32), band(80, 9000)) * np.exp(-t[:gas_n] / (0.06 if large else 0.03))
    x[:gas_n] += 0.8 * gas / (np.abs(gas).max() or 1)
    f0 = rng.uniform(45, 65) if large else rng.uniform(70, 100)
    sweep = f0 * (1 - 0.45 * np.clip(t / 0.8, 0, 1))
    x += 0.9 * (np.sin(2 * np.pi * np.cumsum(sweep) / RATE) * np.exp(-t / (0.5 if large else 0.25))).astype(np.float32)
    # The rolling boom is all below 200 Hz: synthesised at 6 kHz and resampled once.
    low_n = -(-length // BED_FACTOR)
    t_low = np.arange(low_n, dtype=np.float32) / BED_RATE
    rumble = filtered(rng.standard_normal(low_n).astype(np.float32), band(25, 180 if not far else 120, order=3, rate=BED_RATE))
    rolls = 1 + 0.5 * np.sin(2 * np.pi * rng.uniform(0.6, 1.6) * t_low + rng.uniform(0, 6.3))
    rumble *= (np.exp(-t_low / (1.4 if large else 0.6)) * np.clip(t_low / 0.05, 0, 1) * rolls).astype(np.float32)
    rumble = upsample(rumble, BED_FACTOR, 0, length)
    x[: len(rumble)] += 2.5 * rumble / (np.abs(rumble).max() or 1)
    if not far:
        # Debris: a handful of distinct pieces (mostly stone, some wood, a bit of metal), landing many times.
        pieces = [strike(MATERIALS[m], rng, scale_t60=0.6 if m != "metal" else 0.2) for m in ("stone",) * 5 + ("wood",) * 3 + ("metal",)]
        for _ in range(rng.integers(40, 80) if large else rng.integers(10, 25)):
            at = int(min(length - 1, rng.uniform(0.2, 0.6) * RATE + rng.exponential(0.8 if large else 0.4) * RATE))
            bit = pieces[int(rng.integers(0, len(pieces)))]
            x[at : at + len(bit)] += rng.uniform(0.01, 0.08) * bit[: length - at]
    if far:
        x = filtered(x, band(None, rng.uniform(500, 900)))
        x[0] = abs(x[0]) + 0.2
    return with_tail_fade(normalised(x), 0.1)


def fireworks(rng: np.random.Generator, kind: str = "burst") -> np.ndarray:
    """A shell bursting overhead: a bang with its echo off the surroundings; `crackle`: then the
    glittering stars crackling as they fall."""
    length = int(3.5 * RATE)
    t = np.arange(length, dtype=np.float32) / RATE
    x = friedlander(rng, rng.uniform(0.002, 0.004), length)
    x += 0.5 * (np.sin(2 * np.pi * rng.uniform(70, 130) * t) * np.exp(-t / 0.08)).astype(np.float32)
    x = filtered(x, band(None, rng.uniform(3000, 6000)))  # it bursts a hundred metres up
    x[0] = abs(x[0]) + 0.3
    rumble = filtered(rng.standard_normal(length).astype(np.float32), band(40, 500))
    x += 0.25 * rumble * decaying(length, rng.uniform(0.4, 0.8), 0.05) / (np.abs(rumble).max() or 1)
    if kind == "crackle":
        begin = rng.uniform(0.4, 0.9)
        times = begin + rng.gamma(2.0, rng.uniform(0.25, 0.45), rng.integers(250, 600))
        kernel_len = int(0.002 * RATE)
        kernel = filtered(rng.standard_normal(kernel_len).astype(np.float32), band(1500, 12000)) * np.exp(
            -np.arange(kernel_len) / (0.0004 * RATE)).astype(np.float32)
        for when in times[times < 3.3]:
            at = int(when * RATE)
            x[at : at + kernel_len] += rng.uniform(0.02, 0.12) * rng.choice((-1, 1)) * kernel
    return with_tail_fade(normalised(x), 0.1)


MODELS = {
    "gunshot": SoundModel("events", "gunshots on visual onsets (muzzle flashes): blast, bullet crack, the surroundings' tail",
                          one_shots(gunshot), {"calibre": tuple(CALIBRES), "distance": DISTANCES, "tail": SURROUNDINGS}),
    "explosion": SoundModel("events", "explosions on visual onsets: blast, rolling boom, falling debris",
                            one_shots(explosion, 6), {"size": ("large", "small"), "distance": DISTANCES}),
    "fireworks": SoundModel("events", "fireworks bursting on visual onsets (flashes), with echo; crackle: falling glitter",
                            one_shots(fireworks, 6), {"kind": ("burst", "crackle")}),
}

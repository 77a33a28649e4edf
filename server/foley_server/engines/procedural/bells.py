"""Bells and phones: church bells tolling, hand bells, wind chimes, doorbells; phones ringing.

A bell is a modal resonator whose partials are tuned by its shape: a church bell's hum, prime,
minor-third tierce, quint and nominal, the hum ringing longest; chime tubes and doorbell bars ring
the stretched partials of a free bar. A phone rings in a cadence: an old phone's hammer shaking
between two gongs twenty times a second, a mobile's melody, a vibrating phone rattling on a table.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..base import VisualEvents
from .modal import mode_sum
from .noise import RATE, band, filtered, stereo
from .patterns import add_at, beat_times, normalised, onsets_near, random_times, with_tail_fade
from .sound_model import SoundModel, pattern

#: Partials of a church bell relative to its prime, and their relative levels.
_CHURCH = ((0.5, 1.0, 1.19, 1.5, 2.0, 2.5, 2.67, 3.0, 4.0), (0.9, 0.7, 0.8, 0.35, 1.0, 0.3, 0.35, 0.25, 0.15))
_BAR = ((1.0, 2.756, 5.404), (1.0, 0.35, 0.15))
_HANDBELL = ((1.0, 2.0, 2.95, 4.2), (1.0, 0.5, 0.3, 0.15))


def ring(rng: np.random.Generator, f0: float, partials: tuple[tuple[float, ...], tuple[float, ...]], t60: float,
         seconds: float, slope: float = 0.6) -> np.ndarray:
    """A struck bell: its partials with a little mistuning, higher ones dying sooner, a strike click."""
    ratios = np.asarray(partials[0]) * (1 + rng.uniform(-0.004, 0.004, len(partials[0])))
    freqs = f0 * ratios
    keep = freqs < RATE * 0.45
    amps = np.asarray(partials[1])[keep] * rng.uniform(0.8, 1.0, keep.sum())
    taus = (t60 / 6.91) / np.maximum(ratios[keep], 0.5) ** slope
    length = int(seconds * RATE)
    x = mode_sum(amps, freqs[keep], taus, length)
    click_n = int(0.004 * RATE)
    x[:click_n] += 0.3 * filtered(rng.standard_normal(click_n).astype(np.float32), band(2000, 12000)) * np.exp(
        -np.arange(click_n) / (0.0008 * RATE)).astype(np.float32)
    return with_tail_fade(normalised(x), 0.2)


KINDS = ("church", "hand", "chimes", "door")


@lru_cache(maxsize=8)
def _bell_takes(seed: int, kind: str) -> tuple[list[np.ndarray], float]:
    """Takes of the bell and, for a tolling bell, its period."""
    rng = np.random.default_rng(seed)
    if kind == "church":
        prime = rng.uniform(180, 420)
        return [ring(rng, prime, _CHURCH, rng.uniform(5.0, 8.0), 6.0) for _ in range(3)], float(rng.uniform(2.5, 4.0))
    if kind == "hand":
        f0 = rng.uniform(900, 1500)
        return [ring(rng, f0, _HANDBELL, 1.5, 1.6) for _ in range(4)], 0.0
    if kind == "chimes":  # five tubes tuned to a pentatonic scale
        root = rng.uniform(700, 1100)
        return [ring(rng, root * 2 ** (step / 12), _BAR, 3.0, 3.0, 0.8) for step in (0, 2, 4, 7, 9)], 0.0
    ding, dong = rng.uniform(640, 680), rng.uniform(510, 540)  # two bars, a major third apart
    x = ring(rng, ding, _BAR, 1.6, 2.2, 0.8)
    second = int(rng.uniform(0.4, 0.55) * RATE)
    x[second:] += 0.9 * ring(rng, dong, _BAR, 1.8, 2.2, 0.8)[: len(x) - second]
    return [normalised(x)], 0.0


def bell(events: VisualEvents, start: int, n: int, seed: int, intensity: float, kind: str = "church") -> np.ndarray:
    """church: tolling through the clip; hand: rung while the picture moves; chimes: struck by the
    wind now and then; door: a ding-dong on each visual onset."""
    takes, period = _bell_takes(seed, kind)
    out = stereo(n)
    pre = max(len(t) for t in takes)
    if kind == "church":
        for k, at, rng in beat_times(seed, "toll", period, start, n, pre, jitter_s=0.05, phase_s=0.1):
            add_at(out, at, takes[k % len(takes)], rng.uniform(0.85, 1.0))
    elif kind == "hand":
        for _, at, rng in beat_times(seed, "handbell", 0.16, start, n, pre, jitter_s=0.02):
            motion = float(events.motion_at(np.array([(start + at) / RATE]))[0])
            if motion > 0.12:
                add_at(out, at, takes[int(rng.integers(0, len(takes)))], min(1.0, motion) * rng.uniform(0.6, 1.0),
                       rng.uniform(-0.3, 0.3))
    elif kind == "chimes":
        for at, rng in random_times(seed, "chimes", start, n, 1.0 + 3.0 * intensity, pre):
            add_at(out, at, takes[int(rng.integers(0, len(takes)))], rng.uniform(0.2, 1.0), rng.uniform(-0.6, 0.6))
    else:
        for index in onsets_near(events.onset_times_s, start, n, pre):
            add_at(out, int(round(events.onset_times_s[index] * RATE)) - start, takes[0], 1.0)
    return out


PHONES = ("ring", "mobile", "vibrate")


@lru_cache(maxsize=8)
def _phone_takes(seed: int, kind: str) -> tuple[list[np.ndarray], float]:
    """Takes of one ring cycle's sound and the cadence's period."""
    rng = np.random.default_rng(seed)
    takes = []
    if kind == "ring":  # a hammer between two gongs at 20 Hz for two seconds, then four of silence
        gongs = [ring(rng, f, _HANDBELL, 0.5, 0.6, 0.4) for f in (rng.uniform(1050, 1200), rng.uniform(1350, 1500))]
        for _ in range(3):
            x = np.zeros(int(2.7 * RATE), dtype=np.float32)
            for stroke in range(80):
                at = int((stroke / 40 + rng.uniform(-0.002, 0.002)) * RATE)
                at = max(0, at)
                x[at : at + len(gongs[stroke % 2])] += rng.uniform(0.6, 1.0) * gongs[stroke % 2][: len(x) - at]
            takes.append(with_tail_fade(normalised(x), 0.3))
        return takes, 6.0
    if kind == "mobile":  # a marimba-like motif, played twice
        scale = rng.uniform(500, 700) * 2 ** (np.array([0, 3, 5, 7, 10, 12]) / 12)
        notes = rng.choice(scale, 4)
        n_note = int(0.22 * RATE)
        t = np.arange(n_note) / RATE
        x = np.zeros(int(2.2 * RATE), dtype=np.float32)
        for rep in range(2):
            for index, f in enumerate(notes):
                tone = (np.sin(2 * np.pi * f * t) + 0.25 * np.sin(2 * np.pi * 4 * f * t) * np.exp(-t / 0.02)) * np.exp(-t / 0.08)
                at = int((rep * 1.0 + index * 0.22) * RATE)
                x[at : at + n_note] += tone.astype(np.float32)
        return [with_tail_fade(normalised(x), 0.05)], 4.0
    for _ in range(3):  # a motor buzzing and rattling the table: two pulses, then a pause
        n_buzz = int(0.45 * RATE)
        t = np.arange(n_buzz) / RATE
        f = rng.uniform(150, 200)
        buzz = np.tanh(3 * np.sin(2 * np.pi * f * t)) + 0.3 * rng.standard_normal(n_buzz)
        buzz = filtered(buzz.astype(np.float32), band(100, 3000)) * np.clip(np.minimum(t, 0.45 - t) / 0.02, 0, 1).astype(np.float32)
        x = np.zeros(int(1.3 * RATE), dtype=np.float32)
        x[:n_buzz] += buzz
        x[int(0.75 * RATE) : int(0.75 * RATE) + n_buzz] += buzz
        takes.append(normalised(x))
    return takes, 2.5


def phone(events: VisualEvents, start: int, n: int, seed: int, intensity: float, kind: str = "ring") -> np.ndarray:
    """A phone ringing through the clip in its cadence, from the clip's start."""
    takes, period = _phone_takes(seed, kind)
    out = stereo(n)
    pre = max(len(t) for t in takes)
    for k, at, _ in beat_times(seed, "phone", period, start, n, pre, phase_s=0.1):
        add_at(out, at, takes[k % len(takes)], 1.0)
    return out


MODELS = {
    "bell": SoundModel("events", "bells: a church bell tolling, a hand bell rung while the picture moves, wind chimes, "
                               "a doorbell on visual onsets",
                       pattern(bell), {"kind": KINDS}, level_db=-4),
    "phone": SoundModel("events", "a phone ringing through the clip: an old bell ringer, a mobile's melody, vibrating",
                        pattern(phone), {"kind": PHONES}, level_db=-6),
}

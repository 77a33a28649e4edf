"""Paper: crumpled, torn, a page turned.

Crumpling is a crackle: the sheet gives way fold by fold, hundreds of clicks whose sizes follow a
power law (a few loud, many faint), bunched into the squeezes of a hand. Tearing is fibres breaking
one after another as the tear runs: a dense train of micro-clicks, as fast as the tear moves. A page
turning is air and paper rubbing (a swish with a flutter) and a soft flap as it lands.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter

from .noise import RATE, band, filtered
from .patterns import normalised, with_tail_fade
from .sound_model import SoundModel, one_shots

ACTIONS = ("crumple", "tear", "page")


def _clicks(rng: np.random.Generator, times_s: np.ndarray, amps: np.ndarray, length: int, tau_s: float,
            colour: tuple[float, float]) -> np.ndarray:
    """Noise ticks of `tau_s` at the given times: impulses through a one-pole decay, on noise, band-passed."""
    impulses = np.zeros(length, dtype=np.float32)
    at = (times_s * RATE).astype(int)
    ok = (at >= 0) & (at < length)
    np.add.at(impulses, at[ok], amps[ok].astype(np.float32))
    env = lfilter([1.0], [1.0, -np.exp(-1.0 / (tau_s * RATE))], impulses).astype(np.float32)
    return filtered(env * rng.standard_normal(length).astype(np.float32), band(*colour))


def crumple(rng: np.random.Generator) -> np.ndarray:
    seconds = rng.uniform(0.5, 1.2)
    length = int(seconds * RATE)
    t = np.arange(length, dtype=np.float32) / RATE
    squeezes = np.zeros(length, dtype=np.float32)
    for centre in np.sort(rng.uniform(0.0, seconds * 0.8, rng.integers(2, 4))):
        squeezes += np.exp(-0.5 * ((t - centre) / rng.uniform(0.05, 0.15)) ** 2)
    squeezes[: int(0.03 * RATE)] = np.maximum(squeezes[: int(0.03 * RATE)], 1.0)  # the hand closes at the onset
    count = int(rng.uniform(300, 700) * seconds)
    times = rng.choice(length, count, p=squeezes / squeezes.sum()) / RATE
    amps = np.minimum(rng.pareto(1.6, count) + 0.1, 6.0) * rng.choice((-1.0, 1.0), count)
    x = _clicks(rng, np.concatenate([[0.0], times]), np.concatenate([[6.0], amps]), length, 0.0005, (700, 10000))
    rustle = filtered(rng.standard_normal(length).astype(np.float32), band(1000, 6000)) * squeezes
    return x / (np.abs(x).max() or 1) + 0.12 * rustle / (np.abs(rustle).max() or 1)


def tear(rng: np.random.Generator) -> np.ndarray:
    seconds = rng.uniform(0.3, 0.9)
    length = int(seconds * RATE)
    t = np.arange(length, dtype=np.float32) / RATE
    speed = np.clip(t / 0.05, 0, 1) * np.clip((seconds - t) / 0.04, 0, 1) * (1 + 0.3 * np.sin(2 * np.pi * rng.uniform(3, 8) * t))
    rate = rng.uniform(400, 1200)  # fibres breaking per second at full speed
    count = int(rate * seconds)
    times = np.sort(rng.choice(length, count, p=speed / speed.sum())) / RATE
    amps = rng.uniform(0.3, 1.0, count) * rng.choice((-1.0, 1.0), count)
    x = _clicks(rng, np.concatenate([[0.0], times]), np.concatenate([[3.0], amps]), length, 0.0003, (600, 9000))
    body = filtered(rng.standard_normal(length).astype(np.float32), band(900, 5000)) * speed
    return x / (np.abs(x).max() or 1) + 0.25 * body / (np.abs(body).max() or 1)


def page(rng: np.random.Generator) -> np.ndarray:
    seconds = rng.uniform(0.3, 0.6)
    length = int((seconds + 0.15) * RATE)
    t = np.arange(length, dtype=np.float32) / RATE
    peak = rng.uniform(0.45, 0.7) * seconds
    swell = np.where(t < peak, t / peak, np.clip(1 - (t - peak) / (seconds - peak), 0, 1)) ** 1.5
    flutter = 1 + 0.35 * np.sin(2 * np.pi * rng.uniform(14, 28) * t + rng.uniform(0, 6.3))
    swish = filtered(rng.standard_normal(length).astype(np.float32), band(600, 7000)) * (swell * flutter).astype(np.float32)
    x = 0.8 * swish / (np.abs(swish).max() or 1)
    tf = np.clip(t - seconds, 0, None)
    flap = (np.sin(2 * np.pi * rng.uniform(110, 190) * tf) * np.exp(-tf / 0.02) * (t >= seconds)).astype(np.float32)
    slap = filtered(rng.standard_normal(length).astype(np.float32), band(400, 4000)) * np.exp(-tf / 0.01) * (t >= seconds)
    x += 0.35 * flap + 0.3 * slap / (np.abs(slap).max() or 1)
    lift = _clicks(rng, np.array([0.0, rng.uniform(0.01, 0.04)]), np.array([1.0, 0.5]), length, 0.0006, (1500, 9000))
    return x + 0.25 * lift / (np.abs(lift).max() or 1)  # the finger lifting the page: a tick on the onset


def paper(rng: np.random.Generator, action: str = "crumple") -> np.ndarray:
    """One paper gesture with its first sound on sample 0."""
    x = {"crumple": crumple, "tear": tear, "page": page}[action](rng)
    x[0] = abs(x[0]) + 0.2
    return with_tail_fade(normalised(x))


MODELS = {
    "paper": SoundModel("events", "paper on visual onsets: crumpled (crackle), torn (a run of breaking fibres), a page turned",
                        one_shots(paper), {"action": ACTIONS}),
}

"""Small contacts: knuckles knocking on doors and tables, coins, keys and small metal things dropped.

A knock is a soft, short contact (a knuckle) exciting the struck panel's modes, two to four times
in a quick rhythm; nothing of a slam's weight or latch. A dropped coin is a thin disc: a few high,
long-ringing modes, struck again at every bounce, the bounces closing in as each loses energy.
"""

from __future__ import annotations

import numpy as np

from .modal import MATERIALS, Material, strike
from .noise import RATE, band, filtered
from .patterns import normalised, with_tail_fade
from .sound_model import SoundModel, one_shots

#: What a knuckle meets. A door is a hollow panel (low, boomy modes); a table a thick board.
KNOCK_TARGETS: dict[str, Material] = {
    "door": Material((140, 240), (1.0, 1.71, 2.55, 3.62, 5.1), 0.11, 0.55, 0.45, (150, 3500), 0.0018),
    "table": Material((220, 420), (1.0, 2.31, 3.92, 5.61), 0.07, 0.6, 0.5, (250, 5000), 0.0015),
    "glass": Material((1100, 1900), (1.0, 2.32, 4.25, 6.63), 0.35, 0.45, 0.25, (1500, 9000), 0.0012),
    "metal": Material((350, 800), (1.0, 2.76, 5.40, 8.93), 0.8, 0.3, 0.2, (800, 9000), 0.0012),
}


def knock(rng: np.random.Generator, target: str = "door") -> np.ndarray:
    """Two to four knuckle raps, 110-230 ms apart, the first on sample 0."""
    material = KNOCK_TARGETS[target]
    raps = int(rng.choice([2, 3, 3, 3, 4]))
    gap = rng.uniform(0.11, 0.23)
    f0 = rng.uniform(*material.f0)  # one surface: every rap excites the same modes
    length = int((gap * raps + 0.6) * RATE)
    x = np.zeros(length, dtype=np.float32)
    at = 0
    for index in range(raps):
        rap = strike(material, rng, f0=f0 * rng.uniform(0.98, 1.02), scale_t60=rng.uniform(0.8, 1.2))
        level = rng.uniform(0.75, 1.0) * (1.0 if index == 0 else rng.uniform(0.7, 1.05))
        x[at : at + len(rap)] += level * rap[: length - at]
        at += int(gap * rng.uniform(0.85, 1.15) * RATE)
    x = filtered(x, band(None, 6000 if target in ("door", "table") else 12000))  # a knuckle is soft
    x[0] = abs(x[0]) + 0.3
    return with_tail_fade(normalised(x))


#: Modes of a thin free disc relative to its lowest (a coin), and of a flat key or small bar.
_DISC = (1.0, 1.73, 2.33, 3.91, 4.6)
_BAR = (1.0, 2.76, 5.40, 8.93)
ITEMS = ("coins", "keys", "metal")


def _ping(rng: np.random.Generator, f0: float, ratios: tuple[float, ...], t60: float) -> np.ndarray:
    return strike(Material((f0, f0), ratios, t60, 0.35, 0.25, (3000, 16000), 0.0005), rng)


def _bounces(rng: np.random.Generator, first_gap: float, restitution: float, count: int) -> list[tuple[float, float]]:
    """(time, level) of an object's bounces: each gap and each level a fixed fraction of the last."""
    when, gap, level, out = 0.0, first_gap, 1.0, []
    for _ in range(count):
        out.append((when, level))
        when += gap
        gap *= restitution * rng.uniform(0.9, 1.1)
        level *= restitution * rng.uniform(0.85, 1.05)
    return out


def metal_drop(rng: np.random.Generator, item: str = "coins", onto: str = "table") -> np.ndarray:
    """Coins, a bunch of keys or a small metal object landing and bouncing, first contact on sample 0."""
    length = int(1.6 * RATE)
    x = np.zeros(length, dtype=np.float32)
    if item == "keys":  # the ring lands, then every key jangles against the others
        thump = strike(MATERIALS["metal"], rng, f0=rng.uniform(500, 900), scale_t60=0.1)
        x[: len(thump)] += 0.6 * thump[:length]
        for _ in range(rng.integers(14, 30)):
            at = int(rng.exponential(0.05) * RATE)
            ping = _ping(rng, rng.uniform(1800, 5500), _BAR, rng.uniform(0.05, 0.15))
            if at < length:
                x[at : at + len(ping)] += rng.uniform(0.15, 0.6) * ping[: length - at]
    else:
        pieces = int(rng.integers(2, 6)) if item == "coins" else 1
        for piece in range(pieces):
            start = 0.0 if piece == 0 else rng.uniform(0.005, 0.12)
            f0 = rng.uniform(3500, 7000) if item == "coins" else rng.uniform(1200, 3500)
            ratios, t60 = (_DISC, rng.uniform(0.25, 0.6)) if item == "coins" else (_BAR, rng.uniform(0.3, 0.7))
            for when, level in _bounces(rng, rng.uniform(0.06, 0.14), rng.uniform(0.45, 0.65), int(rng.integers(3, 7))):
                at = int((start + when) * RATE)
                if at >= length:
                    break
                ping = _ping(rng, f0 * rng.uniform(0.995, 1.005), ratios, t60 * level**0.5)
                x[at : at + len(ping)] += (1.0 if piece == 0 else 0.7) * level * ping[: length - at]
    if onto == "table":  # the table top answers every landing with a short wooden knock
        board = strike(MATERIALS["wood"], rng, scale_t60=0.4)
        x[: len(board)] += 0.25 * board[:length]
    x[0] = abs(x[0]) + 0.2
    return with_tail_fade(normalised(x), 0.05)


MODELS = {
    "knock": SoundModel("events", "knuckles knocking on visual onsets: two to four raps on a surface",
                        one_shots(knock), {"target": tuple(KNOCK_TARGETS)}),
    "metal_drop": SoundModel("events", "coins, keys or small metal objects dropped on visual onsets, bouncing and ringing",
                             one_shots(metal_drop), {"item": ITEMS, "onto": ("table", "floor")}),
}

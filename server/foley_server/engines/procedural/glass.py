"""Breaking glass and shattering objects: the break, then the pieces raining down and bouncing.

The first crack is the object's own modes struck hard with a broadband snap. Then every piece is a
small resonator of its own: the smaller, the higher it rings (2-12 kHz for glass shards), landing
over the next few hundred milliseconds (a cloud spreading in time, thick at first) and bouncing
with gaps and levels that shrink at every bounce. A few big pieces, many small ones (power law).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .modal import MATERIALS, Material, mode_sum, strike
from .noise import RATE, band, filtered
from .patterns import normalised, with_tail_fade
from .sound_model import SoundModel, one_shots


@dataclass(frozen=True)
class Breakable:
    """What breaks: its body when struck, how many pieces, how they ring."""

    body: Material
    pieces: tuple[int, int]
    piece_hz: tuple[float, float]
    piece_t60: tuple[float, float]
    spread_s: float  # mean delay before a piece lands
    seconds: float


_GLASS = MATERIALS["glass"]
OBJECTS = {
    "glass": Breakable(_GLASS, (35, 70), (2500, 11000), (0.05, 0.25), 0.12, 1.4),
    "window": Breakable(Material((500, 900), _GLASS.ratios, 0.6, 0.45, 0.2, (2000, 16000), 0.001), (80, 150),
                        (2000, 12000), (0.05, 0.3), 0.2, 2.0),
    "bottle": Breakable(Material((700, 1300), (1.0, 2.1, 3.6, 5.2), 0.5, 0.45, 0.2, (1500, 14000), 0.0012), (15, 35),
                        (1500, 7000), (0.05, 0.2), 0.1, 1.2),
    "plate": Breakable(Material((900, 1600), (1.0, 1.9, 3.3, 4.7), 0.12, 0.6, 0.35, (800, 10000), 0.0015), (8, 20),
                       (1200, 5000), (0.02, 0.08), 0.08, 1.0),
}


def _piece(rng: np.random.Generator, obj: Breakable, size: float) -> np.ndarray:
    """One piece landing: three modes, higher and shorter the smaller it is."""
    f = np.exp(np.log(obj.piece_hz[0]) + (1 - size) * np.log(obj.piece_hz[1] / obj.piece_hz[0])) * rng.uniform(0.9, 1.1)
    ratios = np.array([1.0, rng.uniform(1.8, 2.4), rng.uniform(2.9, 3.8)])
    freqs = f * ratios
    keep = freqs < RATE * 0.45
    t60 = rng.uniform(*obj.piece_t60) * (0.5 + size)
    length = int(t60 * 1.2 * RATE) + 16
    amps = rng.uniform(0.5, 1.0, keep.sum()) / np.arange(1, keep.sum() + 1)
    x = mode_sum(amps, freqs[keep], (t60 / 6.91) / ratios[keep] ** 0.5, length)
    x[0] += 0.8  # the click of the contact
    return x


def shatter(rng: np.random.Generator, item: str = "glass") -> np.ndarray:
    """One object breaking: the crack on sample 0, then its pieces landing and bouncing."""
    obj = OBJECTS[item]
    length = int(obj.seconds * RATE)
    t = np.arange(length, dtype=np.float32) / RATE
    x = np.zeros(length, dtype=np.float32)
    body = strike(obj.body, rng, scale_t60=0.6)[:length]
    x[: len(body)] += body
    snap = filtered(rng.standard_normal(length).astype(np.float32), band(1500, 16000)) * np.exp(-t / 0.012)
    x += 0.9 * snap / (np.abs(snap).max() or 1)
    for _ in range(int(rng.integers(*obj.pieces))):
        size = float(np.clip(rng.pareto(2.5) / 3, 0, 1))  # most pieces are small
        when, gap, level = 0.005 + rng.exponential(obj.spread_s), rng.uniform(0.03, 0.12), (0.15 + 0.6 * size) * rng.uniform(0.4, 1.0)
        sound = _piece(rng, obj, size)
        for _ in range(int(rng.integers(1, 4))):  # the piece bounces
            at = int(when * RATE)
            if at >= length:
                break
            x[at : at + len(sound)] += level * sound[: length - at]
            when, gap, level = when + gap, gap * rng.uniform(0.4, 0.6), level * rng.uniform(0.3, 0.5)
    x[0] = abs(x[0]) + 0.3
    return with_tail_fade(normalised(x), 0.05)


MODELS = {
    "shatter": SoundModel("events", "glass and crockery breaking on visual onsets: the crack, then pieces raining down and bouncing",
                          one_shots(shatter, 6), {"item": tuple(OBJECTS)}),
}

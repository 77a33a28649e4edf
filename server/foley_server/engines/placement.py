"""Place one-shot sounds on visual onsets, identically in every window that sees them (every engine)."""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter

from .seeds import stable_seed


class Bank:
    """Variants of one sound plus darker copies, so strength can set brightness cheaply."""

    def __init__(self, variants: list[np.ndarray]) -> None:
        self.bright = [_audible(v) for v in variants]
        variants = self.bright
        b, a = [0.12], [1.0, -0.88]  # one-pole low-pass: a softer hit is a duller hit
        self.dark = [(lfilter(b, a, v) * 2.2).astype(np.float32) for v in variants]
        self.max_len = max(len(v) for v in variants)


#: A take's tail under this fraction of its peak (-80 dB) is cut: inaudible under any mix, and up to
#: a third of the work of placing ringing takes (glass, metal) on every onset.
TAIL_FLOOR = 1e-4


def _audible(take: np.ndarray) -> np.ndarray:
    """The take up to its last sample above TAIL_FLOOR of its peak (all of it if silent)."""
    level = np.abs(take)
    loud = np.flatnonzero(level > TAIL_FLOOR * level.max()) if take.size else []
    return take[: loud[-1] + 1] if len(loud) else take


def place_events(out: np.ndarray, bank: Bank, onsets_s: np.ndarray, strengths: np.ndarray, window_start: int,
                 seed: int, key: str, gain: float, rate: int) -> int:
    """Add a hit per onset into `out` (window starting at sample `window_start` at `rate` Hz); returns hits placed.

    Each sound's sample 0 is its attack: it lands on the onset's sample.
    """
    n = out.shape[0]
    count = len(bank.bright)
    placed = 0
    # Two scratch buffers for the whole call: every hit is mixed in place, nothing allocated per hit.
    seg_buffer, dark_buffer = np.empty(bank.max_len, np.float32), np.empty(bank.max_len, np.float32)
    first = np.searchsorted(onsets_s, (window_start - bank.max_len) / rate, side="left")
    last = np.searchsorted(onsets_s, (window_start + n) / rate, side="left")
    for index in range(first, last):
        onset = int(round(onsets_s[index] * rate)) - window_start
        # Everything random about hit `index` comes from (seed, key, index): windows agree exactly.
        rng = np.random.default_rng(stable_seed(seed, key, index))
        round_robin = np.random.default_rng(stable_seed(seed, key, "rr", index // count)).permutation(count)
        variant = round_robin[index % count]
        strength = float(strengths[index]) if index < len(strengths) else 1.0
        brightness = float(np.clip(0.35 + 0.65 * strength + rng.uniform(-0.1, 0.1), 0, 1))
        level = gain * (0.35 + 0.65 * strength) * 10 ** (rng.uniform(-2.0, 2.0) / 20)
        pan = rng.uniform(-0.35, 0.35)
        left, right = np.cos((pan + 1) * np.pi / 4), np.sin((pan + 1) * np.pi / 4)
        sound = bank.bright[variant]
        lo, hi = max(0, -onset), min(len(sound), n - onset)
        if hi <= lo:
            continue
        # float32 scalars throughout: a float64 one (np.cos's) would make window-long float64 copies
        seg = np.multiply(sound[lo:hi], np.float32(brightness), out=seg_buffer[: hi - lo])
        seg += np.multiply(bank.dark[variant][lo:hi], np.float32(1 - brightness), out=dark_buffer[: hi - lo])
        seg *= np.float32(level * left)
        out[onset + lo : onset + hi, 0] += seg
        seg *= np.float32(right / left)  # left >= cos(1.35 pi / 4) = 0.48: the pan is at most +-0.35
        out[onset + lo : onset + hi, 1] += seg
        placed += 1
    return placed

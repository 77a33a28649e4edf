"""Beds that change at picture cuts: each shot gets its own take of the bed, crossfaded at the cut."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .noise import RATE, stable_seed, stereo

#: Crossfade length centred on each cut: short enough to follow the cut, long enough not to click.
CUT_CROSSFADE_S = 0.06

Bed = Callable[[int, int, int, float], np.ndarray]  # (start, n, seed, intensity) -> (n, 2)


def scene_seed(seed: int, scene: int) -> int:
    return stable_seed(seed, "scene", scene)


def scene_level(seed: int, scene: int) -> float:
    """Each shot's bed sits a little higher or lower (within +-2.5 dB), as real location tone does."""
    return float(10 ** (np.random.default_rng(scene_seed(seed, scene)).uniform(-2.5, 2.5) / 20))


def bed_across_cuts(bed: Bed, cut_times_s: np.ndarray, start: int, n: int, seed: int, intensity: float) -> np.ndarray:
    """Render `bed` for samples [start, start + n), a fresh take per shot, raised-cosine crossfades at cuts."""
    half = int(CUT_CROSSFADE_S * RATE / 2)
    cuts = np.round(np.asarray(cut_times_s, dtype=np.float64) * RATE).astype(np.int64)
    before = int(np.searchsorted(cuts, start - half, side="right"))
    if before == len(cuts) or cuts[before] - half >= start + n:  # no cut reaches this window: one take
        take = bed(start, n, scene_seed(seed, before), intensity)  # a fresh array: ours to scale in place
        take *= np.float32(scene_level(seed, before))
        return take
    out = stereo(n)
    # Shot k spans [cuts[k-1], cuts[k]) in clip samples (k = 0 before the first cut).
    edges = np.concatenate([[np.iinfo(np.int64).min // 2], cuts, [np.iinfo(np.int64).max // 2]])
    for shot in range(len(edges) - 1):
        lo, hi = edges[shot] - half, edges[shot + 1] + half
        a, b = max(lo, start), min(hi, start + n)
        if a >= b:
            continue
        take = bed(a, b - a, scene_seed(seed, shot), intensity) * np.float32(scene_level(seed, shot))
        idx = np.arange(a, b)
        gain = np.ones(b - a, dtype=np.float32)
        if shot > 0:  # fade in across the cut that starts this shot
            gain *= _ramp(idx - (edges[shot] - half), 2 * half)
        if shot < len(edges) - 2:  # fade out across the cut that ends it
            gain *= 1.0 - _ramp(idx - (edges[shot + 1] - half), 2 * half)
        out[a - start : b - start] += take * gain[:, None]
    return out


def _ramp(position: np.ndarray, length: int) -> np.ndarray:
    """0 before, raised cosine through `length` samples, 1 after; pairs with 1 - ramp to sum to one."""
    x = np.clip((position + 0.5) / max(1, length), 0.0, 1.0)
    return (0.5 - 0.5 * np.cos(np.pi * x)).astype(np.float32)

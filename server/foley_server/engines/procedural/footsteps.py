"""Footsteps: heel then toe, each a low body thump plus surface texture (grains, scuffs, splashes)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .modal import MATERIALS, Material, strike
from .noise import RATE, band, filtered


@dataclass(frozen=True)
class Surface:
    """What a foot meets: how hard it thumps, what it rings like, what it crunches like."""

    thump_hz: float  # body/floor resonance under the heel
    thump_s: float
    ring: str | None  # a material that rings under the foot (wood boards, metal grates)
    grains: int  # texture grains per footfall (gravel, snow crunch)
    grain_band: tuple[float | None, float | None]
    grain_spread_s: float
    grain_len_s: tuple[float, float]
    scuff: float  # broadband scuff level
    scuff_band: tuple[float | None, float | None]
    splash: bool = False


SURFACES: dict[str, Surface] = {
    "concrete": Surface(85, 0.03, None, 6, (1800, 9000), 0.03, (0.001, 0.003), 0.5, (1000, 8000)),
    "wood": Surface(115, 0.06, "wood", 3, (800, 5000), 0.03, (0.001, 0.004), 0.25, (400, 5000)),
    "gravel": Surface(70, 0.025, None, 70, (2000, 11000), 0.14, (0.002, 0.006), 0.3, (1500, 9000)),
    "grass": Surface(60, 0.03, None, 10, (300, 1800), 0.12, (0.004, 0.012), 0.8, (250, 2200)),
    "snow": Surface(65, 0.03, None, 45, (500, 3500), 0.16, (0.003, 0.008), 0.35, (400, 3000)),
    "metal": Surface(140, 0.03, "metal", 4, (2500, 10000), 0.02, (0.001, 0.002), 0.2, (2000, 9000)),
    "water": Surface(55, 0.03, None, 0, (None, None), 0.0, (0.0, 0.0), 0.6, (400, 6000), splash=True),
}


def _thump(surface: Surface, rng: np.random.Generator, length: int) -> np.ndarray:
    t = np.arange(length, dtype=np.float32) / RATE
    f = surface.thump_hz * rng.uniform(0.9, 1.1)
    x = np.cos(2 * np.pi * f * t) * np.exp(-t / (surface.thump_s / 3))
    return x.astype(np.float32)


def _grains(surface: Surface, rng: np.random.Generator, length: int) -> np.ndarray:
    """Many short noise grains: the crunch of stones or snow crystals giving way."""
    env = np.zeros(length, dtype=np.float32)
    offsets = np.sort(rng.exponential(surface.grain_spread_s / 3, surface.grains))
    for offset in offsets:
        n = int(rng.uniform(*surface.grain_len_s) * RATE)
        start = int(offset * RATE)
        if n < 4 or start + n >= length:
            continue
        env[start : start + n] += rng.uniform(0.3, 1.0) * np.hanning(n).astype(np.float32)
    noise = filtered(rng.standard_normal(length).astype(np.float32), band(*surface.grain_band))
    return env * noise


def _splash(rng: np.random.Generator, length: int) -> np.ndarray:
    """A foot in a puddle: a noisy splash and a few bubbles rising in pitch."""
    t = np.arange(length, dtype=np.float32) / RATE
    x = filtered(rng.standard_normal(length).astype(np.float32), band(500, 6000)) * np.exp(-t / 0.06)
    for _ in range(rng.integers(2, 5)):
        start = rng.uniform(0.01, 0.12)
        f = rng.uniform(400, 1100)
        tb = np.clip(t - start, 0, None)
        bubble = np.sin(2 * np.pi * f * (tb + 4 * tb**2)) * np.exp(-tb / 0.015) * (t >= start)
        x += 0.5 * bubble.astype(np.float32)
    return x


def _footfall(surface: Surface, rng: np.random.Generator, length: int, level: float) -> np.ndarray:
    x = 0.9 * _thump(surface, rng, length)
    if surface.ring:
        ring_material: Material = MATERIALS[surface.ring]
        ring = strike(ring_material, rng, f0=rng.uniform(*ring_material.f0) * 0.6, scale_t60=0.4)[:length]
        x[: len(ring)] += 0.45 * ring
    if surface.grains:
        g = _grains(surface, rng, length)
        x += 1.2 * g / (np.abs(g).max() or 1)
    if surface.scuff:
        t = np.arange(length, dtype=np.float32) / RATE
        scuff = filtered(rng.standard_normal(length).astype(np.float32), band(*surface.scuff_band)) * np.exp(-t / 0.02)
        scuff[0] = abs(scuff[0]) + 2.0  # the contact itself: attack at the onset sample
        x += surface.scuff * scuff / (np.abs(scuff).max() or 1)
    if surface.splash:
        s = _splash(rng, length)
        x += s / (np.abs(s).max() or 1)
    x[0] = abs(x[0]) + 0.5
    return level * x / (np.abs(x).max() or 1)


#: Steps closer together than this are running: the foot lands flatter and harder.
RUN_INTERVAL_S = 0.42


def step(surface: str, rng: np.random.Generator, pace: str = "walk") -> np.ndarray:
    """One step: heel strike at sample 0, the toe rolling down 45-90 ms later (20-40 ms when running)."""
    spec = SURFACES[surface]
    length = int(0.45 * RATE)
    x = _footfall(spec, rng, length, 1.0)
    toe_delay = (0.02, 0.04) if pace == "run" else (0.045, 0.09)
    toe_level = (0.6, 0.85) if pace == "run" else (0.3, 0.55)
    toe_at = int(rng.uniform(*toe_delay) * RATE)
    x[toe_at:] += _footfall(spec, rng, length - toe_at, rng.uniform(*toe_level))
    fade = int(0.01 * RATE)
    x[-fade:] *= np.linspace(1, 0, fade, dtype=np.float32)
    return (x / np.abs(x).max()).astype(np.float32)



def split_by_pace(onsets_s: np.ndarray, strengths: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Walking and running steps, judged by the gap to the previous step (final in every window)."""
    gaps = np.diff(onsets_s, prepend=-np.inf)
    running = gaps < RUN_INTERVAL_S
    return {pace: (onsets_s[mask], strengths[mask]) for pace, mask in (("walk", ~running), ("run", running))}

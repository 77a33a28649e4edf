"""Liquids and handling: splashes on onsets, pouring that follows motion, drips, objects picked up and put down."""

from __future__ import annotations

import numpy as np

from ...engines.base import VisualEvents
from .modal import MATERIALS, strike
from .noise import RATE, band, block_noise, control_curve, envelope_at, filtered, filtered_noise, stable_seed, stereo

_SPLASH = band(400, 7000)
_POUR = band(500, 4500)
_SCRAPE = band(800, 6000)
_SOFT_CONTACT = band(None, 2500)
_HARD = {"glass", "metal", "stone"}


def _bubble(rng: np.random.Generator, length: int, f_lo: float, f_hi: float) -> np.ndarray:
    """A bubble or drip: a sine whose pitch rises quickly as it decays (Minnaert resonance)."""
    t = np.arange(length) / RATE
    f = rng.uniform(f_lo, f_hi)
    return (np.sin(2 * np.pi * f * (t + 6 * t**2)) * np.exp(-t / rng.uniform(0.006, 0.02))).astype(np.float32)


def splash(rng: np.random.Generator) -> np.ndarray:
    """Something hitting water: a noisy burst at the onset sample, then bubbles and droplets."""
    n = int(0.7 * RATE)
    t = np.arange(n) / RATE
    x = filtered(rng.standard_normal(n).astype(np.float32), _SPLASH) * np.exp(-t / rng.uniform(0.05, 0.12))
    x[0] = abs(x[0]) + 2.0
    for _ in range(rng.integers(4, 9)):
        at = int(rng.uniform(0.02, 0.45) * RATE)
        b = _bubble(rng, min(n - at, int(0.08 * RATE)), 500, 1800)
        x[at : at + len(b)] += 0.5 * b
    return (x / np.abs(x).max()).astype(np.float32)


HANDLING_ACTIONS = ("put", "pick")


def handling(rng: np.random.Generator, material: str = "wood", action: str = "put") -> np.ndarray:
    """An object put down (a contact of its material, a short scrape) or picked up (a tick as it
    leaves the surface, then a longer lift scrape)."""
    n = int(0.4 * RATE)
    contact_level, scrape_level, scrape_s = (0.8, 0.12, (0.04, 0.12)) if action == "put" else (0.25, 0.5, (0.08, 0.2))
    contact = strike(MATERIALS[material], rng, scale_t60=0.5 if action == "put" else 0.25)[:n]
    x = np.zeros(n, dtype=np.float32)
    x[: len(contact)] += contact_level * contact
    t = np.arange(n) / RATE
    scrape_len = rng.uniform(*scrape_s)
    scrape = filtered(rng.standard_normal(n).astype(np.float32), _SCRAPE) * np.exp(-t / scrape_len) * np.clip(t / 0.003, 0, 1)
    x += scrape_level * scrape / (np.abs(scrape).max() or 1)  # a put-down is the contact; a pick-up is the lift
    if material not in _HARD:
        x = filtered(x, _SOFT_CONTACT)  # setting down something soft is a dull touch; glass and metal clink
    return (x / np.abs(x).max()).astype(np.float32)




def pour(events: VisualEvents, start: int, n: int, seed: int) -> np.ndarray:
    """A pouring stream: a bubbly wash as loud as the picture's motion."""
    motion = envelope_at(events.envelope_times_s, events.motion_envelope, start, n, 0.1)
    if not motion.any():
        return stereo(n)
    stream = filtered_noise(block_noise(seed, "pour", start, n), _POUR)
    rng = np.random.default_rng(stable_seed(seed, "pour-gurgle"))
    rates, phases = rng.uniform(8, 20, 3), rng.uniform(0, 2 * np.pi, 3)
    gurgle = control_curve(lambda t: 1 + 0.3 * np.sin(2 * np.pi * rates * t[:, None] + phases).sum(axis=1), start, n)
    return (0.4 * (motion * gurgle)[:, None] * stream).astype(np.float32)


def drips(start: int, n: int, seed: int, intensity: float = 0.5) -> np.ndarray:
    """Water dripping: plops now and then, at a pace set by the intensity, the same in every window."""
    out = stereo(n)
    pre = int(0.05 * RATE)
    for block in range((start - pre) // RATE, (start + n) // RATE + 1):
        rng = np.random.default_rng(stable_seed(seed, "drips", block))
        for pos in np.sort(rng.integers(0, RATE, rng.poisson(0.8 + 3 * intensity))):
            at = block * RATE + int(pos) - start
            plop = 0.5 * rng.uniform(0.4, 1.0) * _bubble(rng, int(0.05 * RATE), 700, 1600)
            channel = int(rng.integers(0, 2))  # drawn for every plop, heard or not: the next plop's draws stay put
            lo, hi = max(0, -at), min(len(plop), n - at)
            if hi > lo:
                out[at + lo : at + hi, channel] += plop[lo:hi]
    return out

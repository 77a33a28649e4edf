"""Modal impact synthesis: struck objects as sums of decaying resonances, by material."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import lfilter

from .noise import RATE, band, filtered


@dataclass(frozen=True)
class Material:
    """Physically meaningful knobs of a struck object."""

    f0: tuple[float, float]  # fundamental range, Hz (size of the object)
    ratios: tuple[float, ...]  # mode frequencies / fundamental (shape: bars, plates, shells)
    t60: float  # seconds for the fundamental to decay 60 dB (internal damping)
    damping_slope: float  # higher modes decay faster by ratio ** slope
    noise: float  # contact noise level relative to the modes (roughness, hardness)
    noise_band: tuple[float | None, float | None]  # contact noise colour, Hz
    burst_s: float  # contact duration


MATERIALS: dict[str, Material] = {
    "wood": Material((180, 420), (1.0, 2.31, 3.92, 5.61, 7.43, 9.87), 0.14, 0.6, 0.5, (300, 5000), 0.003),
    "metal": Material((320, 880), (1.0, 2.76, 5.40, 8.93, 13.34, 18.64), 1.6, 0.3, 0.15, (1500, 12000), 0.0015),
    "glass": Material((900, 2100), (1.0, 2.32, 4.25, 6.63, 9.38), 0.9, 0.45, 0.12, (3000, 16000), 0.001),
    "plastic": Material((300, 750), (1.0, 2.08, 3.43, 4.87), 0.09, 0.5, 0.5, (500, 7000), 0.0025),
    "stone": Material((150, 380), (1.0, 1.93, 3.07, 4.62, 6.71), 0.07, 0.7, 0.8, (400, 9000), 0.002),
    "cardboard": Material((90, 210), (1.0, 1.71, 2.63), 0.05, 0.9, 0.9, (150, 2500), 0.006),
    "flesh": Material((55, 110), (1.0, 1.52, 2.24), 0.06, 0.8, 0.7, (80, 1500), 0.008),
    "rubber": Material((110, 240), (1.0, 1.62, 2.91), 0.06, 0.6, 0.35, (150, 3000), 0.004),
}


def strike(material: Material, rng: np.random.Generator, f0: float | None = None, scale_t60: float = 1.0) -> np.ndarray:
    """One struck-object sound (mono float32), peak 1, full energy from its first sample."""
    t60 = material.t60 * scale_t60 * rng.uniform(0.85, 1.15)
    length = int(RATE * min(3.0, t60 * 1.3 + 0.03))
    t = np.arange(length, dtype=np.float32) / RATE
    f0 = f0 if f0 is not None else rng.uniform(*material.f0)
    ratios = np.asarray(material.ratios) * (1 + rng.uniform(-0.02, 0.02, len(material.ratios)))
    freqs = f0 * ratios
    keep = freqs < RATE * 0.45
    freqs, ratios = freqs[keep], ratios[keep]
    amps = rng.uniform(0.6, 1.0, len(freqs)) / np.arange(1, len(freqs) + 1) ** 0.7
    taus = (t60 / 6.91) / ratios**material.damping_slope
    modes = mode_sum(amps, freqs, taus, length)
    # Contact noise: a short burst; it has died away (< -100 dB) well before burst_cut.
    burst_cut = min(length, int((12 * material.burst_s + 0.02) * RATE))
    burst = np.zeros(length, dtype=np.float32)
    burst[:burst_cut] = filtered(rng.standard_normal(burst_cut).astype(np.float32) * np.exp(-t[:burst_cut] / material.burst_s),
                                 band(*material.noise_band))
    burst[0] = abs(burst[0]) + 1.0  # a contact click: the attack starts at the onset sample
    x = modes / (np.abs(modes).max() or 1) + material.noise * burst / (np.abs(burst).max() or 1)
    fade = min(length, int(0.005 * RATE))
    x[-fade:] *= np.linspace(1, 0, fade, dtype=np.float32)
    return (x / np.abs(x).max()).astype(np.float32)


def mode_sum(amps: np.ndarray, freqs: np.ndarray, taus: np.ndarray, length: int) -> np.ndarray:
    """sum_k amps[k] * exp(-t / taus[k]) * cos(2 pi freqs[k] t): each mode is the impulse response
    of a two-pole resonator, so a recursive filter computes it for a fraction of exp + cos.
    cos: every mode starts at its crest, so the transient is at sample 0 (frame-accurate sync)."""
    impulse = np.zeros(length)
    impulse[0] = 1.0
    out = np.zeros(length)
    for amp, f, tau in zip(amps, freqs, taus):
        r, w = np.exp(-1.0 / (tau * RATE)), 2 * np.pi * f / RATE
        # The mode has fallen 120 dB after 13.8 tau: stop computing it there.
        m = min(length, int(13.8 * tau * RATE) + 1)
        out[:m] += amp * lfilter([1.0, -r * np.cos(w)], [1.0, -2 * r * np.cos(w), r * r], impulse[:m])
    return out.astype(np.float32)

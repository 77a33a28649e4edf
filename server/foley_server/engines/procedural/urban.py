"""People and machines: city traffic, crowd murmur, and vehicles passing by with Doppler."""

from __future__ import annotations

import numpy as np

from .noise import (
    BED_RATE,
    DECORRELATION,
    RATE,
    band,
    control_curve,
    decorrelated,
    filtered,
    filtered_noise,
    low_rate_noise,
    low_rate_source,
    stable_seed,
    upsample,
)

_RUMBLE = [(band(None, 160, rate=BED_RATE), 0.35), (band(160, 900, rate=BED_RATE), 0.06)]
_TYRES = band(400, 4000)
SPEED_OF_SOUND = 343.0


def city(start: int, n: int, seed: int, intensity: float = 0.5) -> np.ndarray:
    """Distant traffic: a low rumble that swells as unseen cars go by."""
    rumble = low_rate_noise(seed, "city", start, n, _RUMBLE)
    rng = np.random.default_rng(stable_seed(seed, "city-swells"))
    rates, phases = rng.uniform(0.05, 0.3, 4), rng.uniform(0, 2 * np.pi, 4)
    swell = control_curve(lambda t: 0.7 + 0.3 * np.sin(2 * np.pi * rates * t[:, None] + phases).mean(axis=1), start, n, 0.01)
    rumble *= np.float32(1.5 * (0.6 + intensity)) * swell[:, None]
    return rumble


#: Voices stay under 3.3 kHz: the crowd is synthesised at RATE / 4 (12 kHz) and resampled once.
_CROWD_FACTOR = 4
_FORMANTS = [band(250, 700, rate=RATE // _CROWD_FACTOR), band(900, 1600, rate=RATE // _CROWD_FACTOR),
             band(2000, 3000, rate=RATE // _CROWD_FACTOR)]


def crowd(start: int, n: int, seed: int, intensity: float = 0.5) -> np.ndarray:
    """Crowd murmur: many voices, heard as formant bands that rise and fall at syllable rate."""
    out = None
    rng = np.random.default_rng(stable_seed(seed, "crowd-syllables"))
    # One channel of noise, stereo by `decorrelated` (lag counted in low-rate samples).
    lag = DECORRELATION // _CROWD_FACTOR
    noise, offset = low_rate_source(seed, "crowd", start - DECORRELATION, n + DECORRELATION, _CROWD_FACTOR, channels=1)
    count = len(noise) - lag
    first = (start - offset) // _CROWD_FACTOR  # low-rate sample of the window's first
    # Low-rate noise has 4x the power per hertz: about half the amplitude keeps the full-rate level.
    for index, formant in enumerate(_FORMANTS):
        voice = decorrelated(filtered_noise(noise[:, 0], formant), count, lag)  # disjoint bands: independent voices
        rates, phases = rng.uniform(3, 6, 4), rng.uniform(0, 2 * np.pi, 4)
        syllables = control_curve(lambda t, r=rates, p=phases: np.abs(np.sin(2 * np.pi * r * t[:, None] + p)).mean(axis=1),
                                  first, count, rate=RATE // _CROWD_FACTOR)
        voice *= (0.29 / (index + 1)) * syllables[:, None]
        if out is None:
            out = voice
        else:
            out += voice
    out *= np.float32(0.6 + intensity)
    return upsample(out, _CROWD_FACTOR, offset, n)


def pass_by(rng: np.random.Generator, seconds: float = 4.0, closest_at: float = 1.2) -> np.ndarray:
    """One vehicle driving past: engine harmonics and tyre noise, Doppler-shifted, loudest when closest.

    Mono; the onset is the moment the vehicle enters the picture, the closest point a little later.
    """
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    speed = rng.uniform(12, 25)  # m/s
    distance = rng.uniform(3, 8)  # closest approach, m
    x = speed * (t - closest_at)
    r = np.sqrt(x**2 + distance**2)
    radial = speed * x / r  # > 0 while driving away
    doppler = SPEED_OF_SOUND / (SPEED_OF_SOUND + radial)
    f0 = rng.uniform(35, 60)
    phase = 2 * np.pi * np.cumsum(f0 * doppler) / RATE
    # Eight engine harmonics sin(h * phase) / h, as powers of one unit phasor: a complex multiply
    # per harmonic instead of a sine.
    rotor = np.exp(1j * phase)
    power, engine = rotor.copy(), np.zeros(n)
    for h in range(1, 9):
        engine += power.imag / h
        power *= rotor
    tyres = filtered(rng.standard_normal(n).astype(np.float32), _TYRES)
    level = distance / r
    x_out = (level * (0.6 * engine + 0.25 * tyres)).astype(np.float32)
    fade = int(0.05 * RATE)
    x_out[:fade] *= np.linspace(0, 1, fade, dtype=np.float32)
    x_out[-fade:] *= np.linspace(1, 0, fade, dtype=np.float32)
    return x_out / np.abs(x_out).max()

"""Crowd reactions: applause and cheering (the murmur of a crowd is urban.crowd).

Applause is hundreds of claps a second from independent hands: each clap a short burst of noise
coloured by the cupped hands' air pocket; their sum is a dense, crackling, broadband wash. Cheering
is many voices shouting at once (speech-band noise at a shout's syllable rate) with single "woo"s
rising out of it: pitched, gliding up then falling.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.signal import lfilter

from .noise import RATE, band, band_sum, control_curve, filtered_noise, low_rate_source, stable_seed, upsample
from .patterns import normalised, random_times
from .sound_model import SoundModel, bed

_CLAP_FACTOR = 2  # claps carry little above 12 kHz: synthesised at 24 kHz and resampled once
_CLAP_RATE = RATE // _CLAP_FACTOR
_CLAP_BANDS = band_sum([(band(700, 2500, rate=_CLAP_RATE), 1.0), (band(2000, 9000, rate=_CLAP_RATE), 0.7)])
_CLAP_TAU_S = 0.004


def applause(start: int, n: int, seed: int, intensity: float = 0.5) -> np.ndarray:
    """Applause: 10 to 100 people clapping 3-6 times a second each, swelling and settling.

    Each clap is a noise burst with an instant attack and a 4 ms decay: the claps' envelope is their
    impulses through a one-pole decay, modulating noise (as in the rain's drops)."""
    white, offset = low_rate_source(seed, "applause", start, n, _CLAP_FACTOR)
    size = len(white)
    lo = (start - offset) // _CLAP_FACTOR
    impulses = np.full((2, size), 1e-30, dtype=np.float32)  # a floor keeps the decay out of denormals; lfilter runs along rows
    per_second = int((10 + 90 * intensity) * 4.5)
    for block in range(lo // _CLAP_RATE - 1, (lo + size) // _CLAP_RATE + 1):
        rng = np.random.default_rng(stable_seed(seed, "claps", block))
        pos = block * _CLAP_RATE + rng.integers(0, _CLAP_RATE, (per_second, 2)) - lo
        amp = (rng.uniform(0.2, 1.0, (per_second, 2)) ** 2 * rng.choice((-1.0, 1.0), (per_second, 2))).astype(np.float32)
        for ch in range(2):
            ok = (pos[:, ch] >= 0) & (pos[:, ch] < size)
            np.add.at(impulses[ch], pos[ok, ch], amp[ok, ch])
    decay = np.array([1.0, -np.exp(-1.0 / (_CLAP_TAU_S * _CLAP_RATE))], np.float32)
    claps = white[:, ::-1] * lfilter(np.ones(1, np.float32), decay, impulses, axis=1).T
    out = filtered_noise(claps, _CLAP_BANDS)  # the cupped hands' low pocket and the slap's highs, one filter
    rng = np.random.default_rng(stable_seed(seed, "applause-swell"))
    rate, phase = rng.uniform(0.05, 0.15), rng.uniform(0, 2 * np.pi)
    swell = control_curve(lambda t: 0.8 + 0.2 * np.sin(2 * np.pi * rate * t + phase), lo, size, 0.01, rate=_CLAP_RATE)
    out *= (np.float32(0.5 / np.sqrt(per_second / 45)) * swell)[:, None]
    return upsample(out, _CLAP_FACTOR, offset, n)


_FACTOR = 4  # voices stay under 4 kHz: synthesised at 12 kHz and resampled once
_LOW = RATE // _FACTOR
_SHOUT = [band(300, 900, rate=_LOW), band(1000, 2400, rate=_LOW)]


@lru_cache(maxsize=4)
def _woos(seed: int, count: int = 8) -> list[np.ndarray]:
    """Single voices: a gliding harmonic tone through a vowel's formants, at 12 kHz."""
    rng = np.random.default_rng(stable_seed(seed, "woo"))
    out = []
    for _ in range(count):
        seconds = rng.uniform(0.5, 1.2)
        t = np.arange(int(seconds * _LOW)) / _LOW
        f0 = rng.uniform(220, 480) * (1 + 0.35 * np.sin(np.pi * t / seconds) ** 2) * (1 + 0.01 * np.sin(2 * np.pi * 5.5 * t))
        phase = 2 * np.pi * np.cumsum(f0) / _LOW
        voice = sum(np.sin(h * phase) / h for h in range(1, 12) if h * f0.max() < _LOW / 2)
        breath = 0.3 * rng.standard_normal(len(t))
        shaped = filtered_noise((voice + breath).astype(np.float32), band(rng.uniform(350, 600), rng.uniform(1600, 2600), rate=_LOW))
        env = np.clip(t / 0.08, 0, 1) * np.clip((seconds - t) / 0.25, 0, 1)
        out.append(normalised(shaped * env.astype(np.float32)))
    return out


def cheering(start: int, n: int, seed: int, intensity: float = 0.5) -> np.ndarray:
    """A crowd cheering: shouting voices, with single cries rising out of it."""
    noise, offset = low_rate_source(seed, "cheer", start, n, _FACTOR)
    first = (start - offset) // _FACTOR
    rng = np.random.default_rng(stable_seed(seed, "cheer-syllables"))
    out = None
    for index, formant in enumerate(_SHOUT):
        voice = filtered_noise(noise, formant)
        rates, phases = rng.uniform(2, 4, 3), rng.uniform(0, 2 * np.pi, 3)
        level = control_curve(lambda t, r=rates, p=phases: 0.6 + 0.4 * np.sin(2 * np.pi * r * t[:, None] + p).mean(axis=1),
                              first, len(noise), rate=_LOW)
        voice *= (0.35 / (index + 1)) * level[:, None]
        out = voice if out is None else out + voice
    woos = _woos(seed)
    longest = max(len(w) for w in woos)
    for at, wrng in random_times(seed, "woos", first, len(noise), 2.0 + 6.0 * intensity, longest, rate=_LOW):
        woo = woos[int(wrng.integers(0, len(woos)))]
        pan = wrng.uniform(-0.8, 0.8)
        lo, hi = max(0, -at), min(len(woo), len(noise) - at)
        if hi > lo:
            level = wrng.uniform(0.05, 0.25)
            out[at + lo : at + hi, 0] += np.float32(level * (1 - pan) / 2) * woo[lo:hi]
            out[at + lo : at + hi, 1] += np.float32(level * (1 + pan) / 2) * woo[lo:hi]
    return upsample(out * np.float32(0.6 + intensity), _FACTOR, offset, n)


MODELS = {
    "applause": SoundModel("ambience", "applause: many people clapping; intensity a few..a full house",
                           bed(applause), level_db=10),
    "cheering": SoundModel("ambience", "a crowd cheering: shouting voices with single cries rising out of it",
                           bed(cheering), level_db=10),
}

"""Machines: electrical hum and buzz, engines idling and revving, helicopters and aircraft.

Mains hum is periodic (harmonics of 50 Hz; transformers buzz at twice that, fluorescent ballasts add
a whine), so one period tiles the whole clip. An engine is a train of exhaust pulses, one per
cylinder firing, as fast as the revs, each ringing the exhaust pipe; revs rise on the picture's
onsets. An aircraft is heard along its path: louder and brighter as it closes in, its pitch and
pulses Doppler-shifted (received time t = emission time + distance / c), and a jet's roar combed by
its own reflection off the ground as it passes over.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.signal import oaconvolve

from ..base import VisualEvents
from .noise import BED_RATE, RATE, band, control_curve, filtered_noise, low_rate_noise, low_rate_source, stable_seed, upsample
from .sound_model import SoundModel, bed, pattern

SPEED_OF_SOUND = 343.0
HUMS = ("hum", "buzz", "fluorescent")
_MAINS_PERIOD = RATE // 50  # samples: 50 Hz mains tiles exactly
_AIR = [(band(None, 300, rate=BED_RATE), 0.05)]


@lru_cache(maxsize=8)
def _hum_period(seed: int, kind: str) -> np.ndarray:
    """One 20 ms period of the hum, stereo (two slightly different pickups)."""
    rng = np.random.default_rng(seed)
    t = np.arange(_MAINS_PERIOD) / RATE
    out = np.zeros((_MAINS_PERIOD, 2), dtype=np.float32)
    for ch in range(2):
        phases = rng.uniform(0, 2 * np.pi, 12)
        if kind == "hum":  # the fundamental and a few harmonics
            x = sum(a * np.sin(2 * np.pi * 50 * h * t + phases[h]) for h, a in ((1, 1.0), (2, 0.5), (3, 0.35), (4, 0.12), (5, 0.1)))
        else:  # magnetostriction: 100 Hz, squared off into many harmonics
            x = np.tanh(4 * np.sin(2 * np.pi * 100 * t + phases[0])) + 0.3 * np.sin(2 * np.pi * 50 * t + phases[1])
            x += sum(0.15 / h * np.sin(2 * np.pi * 100 * h * t + phases[h]) for h in range(3, 11, 2))
        if kind == "fluorescent":  # the ballast's whine
            x = 0.7 * x + 0.08 * np.sin(2 * np.pi * 50 * 170 * t + phases[2])
        out[:, ch] = x / np.abs(x).max()
    return out


def hum(start: int, n: int, seed: int, intensity: float, kind: str = "hum") -> np.ndarray:
    """Electrical hum or buzz, steady but for a slow wander in level, over a little air."""
    period = _hum_period(seed, kind)
    offset = start % _MAINS_PERIOD
    out = np.tile(period, (-(-(offset + n) // _MAINS_PERIOD), 1))[offset : offset + n]  # copies, no gather
    rng = np.random.default_rng(stable_seed(seed, "hum-wander"))
    rate, phase = rng.uniform(0.05, 0.2), rng.uniform(0, 2 * np.pi)
    wander = control_curve(lambda t: 0.25 * (1 + 0.15 * np.sin(2 * np.pi * rate * t + phase)), start, n, 0.01)
    out *= wander[:, None]
    out += low_rate_noise(seed, "hum-air", start, n, _AIR)
    return out


# --- engines -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EngineKind:
    cylinders: int
    idle_rpm: tuple[float, float]
    peak_rpm: tuple[float, float]
    pipe_hz: tuple[float, float]  # the exhaust's resonance
    clatter: float  # a diesel's injector knock
    uneven: bool = False  # a V-twin fires twice close together, then pauses


ENGINES = {
    "car": EngineKind(4, (750, 900), (4200, 5800), (90, 140), 0.05),
    "truck": EngineKind(6, (550, 700), (2000, 2600), (55, 85), 0.35),
    "motorbike": EngineKind(2, (1000, 1250), (6500, 8500), (140, 220), 0.05, uneven=True),
}
ENGINE_ACTIONS = ("idle", "rev")
_FACTOR = 4  # engines and aircraft are synthesised at 12 kHz and resampled once
_LOW = RATE // _FACTOR
_GRID_HZ = 500  # the rev curve is computed on a 2 ms grid from the clip's start
_REV = (0.3, 0.25, 0.6)  # seconds to rise, to hold, time constant to fall back
_AUTO_REV_S = 4.0  # revving with no onset for this long: the driver blips the throttle anyway


def _rev_curve(onsets: np.ndarray, grid: np.ndarray, auto: bool) -> np.ndarray:
    """Throttle in [0, 1] on the grid: a blip on every onset (only past onsets count, so windows
    agree) and, when `auto`, one every _AUTO_REV_S that has no onset before it in that span."""
    blips = list(onsets)
    if auto:
        for k in range(1, int(grid[-1] / _AUTO_REV_S) + 1):
            when = k * _AUTO_REV_S - 2.0
            if not np.any((onsets > when - _AUTO_REV_S) & (onsets <= when)):
                blips.append(when)
    throttle = np.zeros(len(grid))
    rise, hold, fall = _REV
    for when in blips:
        tau = grid - when
        on = tau >= 0
        if not on.any():
            continue
        shape = np.where(tau < rise, (np.clip(tau, 0, rise) / rise) ** 2 * (3 - 2 * np.clip(tau, 0, rise) / rise),
                         np.where(tau < rise + hold, 1.0, np.exp(-(tau - rise - hold) / fall)))
        throttle = np.maximum(throttle, shape * on)
    return throttle


@lru_cache(maxsize=8)
def _engine_voice(seed: int, kind: str) -> tuple[np.ndarray, np.ndarray, float, float]:
    """The exhaust pulse (at 12 kHz), per-firing level jitter, idle and peak rpm for this clip's engine."""
    spec = ENGINES[kind]
    rng = np.random.default_rng(seed)
    t = np.arange(int(0.04 * _LOW)) / _LOW
    f = rng.uniform(*spec.pipe_hz)
    pulse = np.exp(-t / 0.006) * np.cos(2 * np.pi * f * t) + 0.6 * np.exp(-t / 0.002) * rng.standard_normal(len(t))
    if spec.clatter:
        pulse += spec.clatter * np.exp(-t / 0.0015) * np.sin(2 * np.pi * rng.uniform(1500, 2500) * t)
    # Under load the charge burns harder: a sharper pulse with more of the pipe's upper modes.
    loaded = (0.8 * pulse + 0.3 * np.exp(-t / 0.0012) * rng.standard_normal(len(t))
              + 0.6 * np.exp(-t / 0.004) * np.cos(2 * np.pi * 3.1 * f * t) + 0.3 * np.exp(-t / 0.003) * np.cos(2 * np.pi * 5.3 * f * t))
    jitter = rng.uniform(0.75, 1.0, 4096) * np.resize(rng.uniform(0.85, 1.0, spec.cylinders), 4096)
    return (np.stack([pulse, loaded]).astype(np.float32), jitter.astype(np.float32), rng.uniform(*spec.idle_rpm),
            rng.uniform(*spec.peak_rpm))


def engine(events: VisualEvents, start: int, n: int, seed: int, intensity: float, kind: str = "car",
           action: str = "idle") -> np.ndarray:
    """An engine idling, or revving on the picture's onsets (and now and then by itself)."""
    spec = ENGINES[kind]
    pulse, jitter, idle, peak = _engine_voice(seed, kind)
    noise, offset = low_rate_source(seed, "engine", start, n, _FACTOR)
    lo = (start - offset) // _FACTOR  # low-rate sample index of noise[0]
    end_s = (lo + len(noise)) / _LOW
    grid = np.arange(0, end_s + 0.01, 1 / _GRID_HZ)
    onsets = np.asarray(events.onset_times_s)
    throttle = _rev_curve(onsets, grid, auto=True) if action == "rev" else np.zeros(len(grid))
    rpm = idle + (peak - idle) * throttle
    firing_hz = rpm / 60 * spec.cylinders / 2
    phase = np.concatenate([[0.0], np.cumsum(firing_hz[:-1] / _GRID_HZ)])  # firings since the clip began
    first_s = max(0.0, lo / _LOW - pulse.shape[1] / _LOW)
    whole = np.arange(int(np.ceil(np.interp(first_s, grid, phase))), int(np.floor(phase[-1])) + 1)
    times = np.interp(whole, phase, grid)
    if spec.uneven:  # V-twin: every other firing comes early
        times = times - (whole % 2) * 0.3 / np.interp(times, grid, firing_hz)
    at = np.round(times * _LOW).astype(np.int64) - lo
    load = np.interp(times, grid, throttle)
    level = jitter[whole % len(jitter)] * (0.6 + 0.6 * load)
    ok = (at >= 0) & (at < len(noise))
    exhaust = np.zeros(len(noise), dtype=np.float32)
    for kernel, share in zip(pulse, (1 - load, load)):  # idle pulses and loaded pulses, blended by the throttle
        impulses = np.zeros(len(noise), dtype=np.float32)
        np.add.at(impulses, at[ok], (level * share)[ok].astype(np.float32))
        if impulses.any():
            exhaust += oaconvolve(impulses, kernel)[: len(noise)].astype(np.float32)
    grid_low = (lo + np.arange(len(noise))) / _LOW
    roar = np.interp(grid_low, grid, throttle).astype(np.float32)
    mech = filtered_noise(noise[:, :1], _MECH)[:, 0] * (0.06 + 0.25 * roar)
    mono = 0.5 * exhaust + mech
    return upsample(np.repeat(mono[:, None], 2, axis=1), _FACTOR, offset, n)


_MECH = band(400, 4000, rate=_LOW)


# --- aircraft ----------------------------------------------------------------------------------------

AIRCRAFT = ("helicopter", "jet", "propeller")
AIR_MOTIONS = ("pass", "hover")
_ROAR = band(80, 3000, rate=_LOW)
_DARK = band(None, 700, rate=_LOW)


@lru_cache(maxsize=8)
def _flight(seed: int, kind: str) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    speed = {"helicopter": (30, 60), "jet": (120, 220), "propeller": (45, 75)}[kind]
    height = {"helicopter": (40, 120), "jet": (250, 700), "propeller": (100, 250)}[kind]
    return {"speed": rng.uniform(*speed), "height": rng.uniform(*height), "rotor_hz": rng.uniform(4.5, 6.0),
            "blades": float(rng.integers(2, 5)), "tone_hz": rng.uniform(75, 115) if kind == "propeller" else rng.uniform(90, 130)}


def _distance(t: np.ndarray, flight: dict[str, float], centre_s: float, moving: bool) -> np.ndarray:
    if not moving:
        return np.full_like(t, flight["height"] * 0.6, dtype=np.float64)
    return np.sqrt((flight["speed"] * (t - centre_s)) ** 2 + flight["height"] ** 2)


def aircraft(events: VisualEvents, start: int, n: int, seed: int, intensity: float, kind: str = "helicopter",
             motion: str = "pass") -> np.ndarray:
    """A helicopter, jet or propeller plane passing over (closest at the middle of the clip) or hovering."""
    flight = _flight(seed, kind)
    moving = motion == "pass"
    centre = events.duration_s / 2
    noise, offset = low_rate_source(seed, "aircraft", start, n, _FACTOR)
    lo = (start - offset) // _FACTOR
    t = (lo + np.arange(len(noise))) / _LOW
    r = _distance(t, flight, centre, moving)
    near = flight["height"] * (0.6 if not moving else 1.0)
    level = (near / r).astype(np.float32)
    emitted = t - r / SPEED_OF_SOUND
    roar = filtered_noise(noise, _ROAR)
    dark = filtered_noise(noise, _DARK)
    openness = level[:, None] ** 2  # air absorbs the highs of a distant aircraft
    body = (openness * roar + (1 - openness) * dark) * level[:, None]
    if kind == "jet":  # the ground reflection arrives a little later: a comb that sweeps as it passes over
        delay = 2 * 1.7 * flight["height"] / (SPEED_OF_SOUND * r) * _LOW
        idx = np.arange(len(noise)) - delay
        i0 = np.clip(np.floor(idx).astype(np.int64), 0, len(noise) - 1)
        frac = (idx - np.floor(idx)).astype(np.float32)[:, None]
        i1 = np.clip(i0 + 1, 0, len(noise) - 1)
        body = body + 0.7 * ((1 - frac) * body[i0] + frac * body[i1])
        return upsample(1.2 * body, _FACTOR, offset, n)
    rotor = np.exp(1j * 2 * np.pi * flight["tone_hz"] * emitted)  # harmonics as powers of one phasor: one exp, not five sines
    power, buzz = rotor.copy(), np.zeros(len(t))
    for h in range(1, 6):
        buzz += power.imag / h
        power *= rotor
    buzz = buzz.astype(np.float32)
    out = 0.5 * body + (0.25 if kind == "propeller" else 0.08) * (buzz * level)[:, None]
    if kind == "helicopter":  # blade slaps: emitted evenly, received Doppler-spaced
        slap_hz = flight["rotor_hz"] * flight["blades"]
        k = np.arange(max(0, int(np.floor((t[0] - 1.5) * slap_hz))), int(np.ceil(t[-1] * slap_hz)) + 1)
        tau = k / slap_hz
        received = tau + _distance(tau, flight, centre, moving) / SPEED_OF_SOUND
        at = np.round(received * _LOW).astype(np.int64) - lo
        amp = near / _distance(tau, flight, centre, moving)
        impulses = np.zeros(len(noise), dtype=np.float32)
        ok = (at >= 0) & (at < len(noise))
        np.add.at(impulses, at[ok], amp[ok].astype(np.float32))
        slaps = oaconvolve(impulses, _slap(seed))[: len(noise)].astype(np.float32)
        out += 0.8 * slaps[:, None]
    return upsample(out, _FACTOR, offset, n)


@lru_cache(maxsize=4)
def _slap(seed: int) -> np.ndarray:
    """One blade slap at 12 kHz: a low thump with an impulsive crack."""
    rng = np.random.default_rng(stable_seed(seed, "slap"))
    t = np.arange(int(0.05 * _LOW)) / _LOW
    thump = np.sin(2 * np.pi * rng.uniform(55, 85) * t) * np.exp(-t / 0.015)
    crack = rng.standard_normal(len(t)) * np.exp(-t / 0.003)
    return (thump + 0.5 * crack).astype(np.float32)


MODELS = {
    "hum": SoundModel("ambience", "electrical hum and buzz: mains hum, a transformer's buzz, fluorescent lights",
                      bed(hum), {"kind": HUMS}, level_db=2),
    "engine": SoundModel("events", "an engine running through the clip: idling, or revving on visual onsets",
                         pattern(engine), {"kind": tuple(ENGINES), "action": ENGINE_ACTIONS}, level_db=-8),
    "aircraft": SoundModel("events", "a helicopter, jet or propeller plane passing over (closest mid-clip) or hovering",
                           pattern(aircraft), {"kind": AIRCRAFT, "motion": AIR_MOTIONS}, level_db=-6),
}

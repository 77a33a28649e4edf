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

from ..base import VisualEvents
from .noise import (
    BED_RATE,
    DECORRELATION,
    RATE,
    band,
    control_curve,
    decorrelated,
    expand,
    filtered_noise,
    low_rate_noise,
    low_rate_source,
    stable_seed,
    stereo,
    upsample,
)
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
    out = np.empty((n, 2), dtype=np.float32, order="F")
    for ch in range(2):  # copies of the period, no gather
        out[:, ch] = np.tile(period[:, ch], -(-(offset + n) // _MAINS_PERIOD))[offset : offset + n]
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
    span = rise + hold + 20 * fall  # a blip's fall is under 1e-9 after 20 time constants
    # The grid is even, so every blip's fall is one geometric sequence scaled by where it starts.
    falling = np.exp(-(grid[1] - grid[0]) / fall * np.arange(int(span * _GRID_HZ) + 2))
    for when in blips:
        lo, hi = np.searchsorted(grid, [when, when + span])
        if lo == hi:
            continue
        tau = grid[lo:hi] - when
        shape = np.exp(-(tau[0] - rise - hold) / fall) * falling[: hi - lo]
        rising, held = np.searchsorted(tau, [rise, rise + hold])
        x = tau[:rising] / rise
        shape[:rising] = x * x * (3 - 2 * x)
        shape[rising:held] = 1.0
        np.maximum(throttle[lo:hi], shape, out=throttle[lo:hi])
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
    noise, offset = low_rate_source(seed, "engine", start, n, _FACTOR, channels=1)
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
    # Each firing's pulse, idle and loaded blended by the throttle, added where it fires: a few
    # thousand short pulses, far cheaper than convolving the whole window. (Elementwise, not a
    # matrix product: BLAS would wake threads that spin on the other core.)
    idle_share = ((1 - load) * level)[ok, None].astype(np.float32)
    pulses = idle_share * pulse[0]
    pulses += (load * level)[ok, None].astype(np.float32) * pulse[1]
    exhaust = np.zeros(len(noise) + pulse.shape[1], dtype=np.float32)
    for when, one in zip(at[ok], pulses):
        exhaust[when : when + len(one)] += one
    mono = filtered_noise(noise[:, 0], _MECH) * (0.06 + 0.25 * _on_low_rate(throttle, lo, len(noise)))
    mono += 0.5 * exhaust[: len(noise)]
    mono = upsample(mono, _FACTOR, offset, n)  # one channel: the engine sits in the middle
    out = np.empty((n, 2), dtype=np.float32, order="F")
    out[:, 0] = out[:, 1] = mono
    return out


_MECH = band(400, 4000, rate=_LOW)


def _on_low_rate(curve: np.ndarray, first: int, count: int) -> np.ndarray:
    """A curve on the engine's grid (from the clip's start) at low-rate samples [first, first + count),
    which may begin before the clip (the curve's first value holds there)."""
    hop = _LOW // _GRID_HZ
    before = max(0, -(first // hop))  # grid steps before the clip: ceil(-first / hop)
    coarse = np.concatenate([np.full(before, curve[0]), curve]) if before else curve
    return expand(coarse, hop, first + before * hop, count)


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
    # One channel of noise at the low rate, stereo by `decorrelated` (lag counted in low-rate samples).
    lag = DECORRELATION // _FACTOR
    noise, offset = low_rate_source(seed, "aircraft", start - DECORRELATION, n + DECORRELATION, _FACTOR, channels=1)
    count = len(noise) - lag
    lo = (start - offset) // _FACTOR
    t = (lo + np.arange(count)) / _LOW
    r = _distance(t, flight, centre, moving)
    near = flight["height"] * (0.6 if not moving else 1.0)
    level = (near / r).astype(np.float32)[:, None]
    roar = decorrelated(filtered_noise(noise[:, 0], _ROAR), count, lag)
    body = decorrelated(filtered_noise(noise[:, 0], _DARK), count, lag)
    roar -= body  # dark + openness * (roar - dark), openness = level ** 2: air absorbs a distant aircraft's highs
    roar *= level**2
    body += roar
    body *= level
    if kind == "jet":  # the ground reflection arrives a little later: a comb that sweeps as it passes over
        delay = 2 * 1.7 * flight["height"] / (SPEED_OF_SOUND * r) * _LOW
        idx = np.arange(count) - delay
        i0 = np.clip(np.floor(idx).astype(np.int64), 0, count - 1)
        frac = (idx - np.floor(idx)).astype(np.float32)
        i1 = np.clip(i0 + 1, 0, count - 1)
        out = stereo(count)
        for ch in range(2):  # gathers from one contiguous channel at a time
            channel = body[:, ch]
            late = channel[i0]
            late += frac * (channel[i1] - late)
            out[:, ch] = channel + np.float32(0.7) * late
        out *= np.float32(1.2)
        return upsample(out, _FACTOR, offset, n)
    buzz = _buzz(flight["tone_hz"] * (t - r / SPEED_OF_SOUND))  # Doppler: the tone as emitted when it left
    body *= np.float32(0.5)
    body += (np.float32(0.25 if kind == "propeller" else 0.08) * buzz)[:, None] * level
    if kind == "helicopter":  # blade slaps: emitted evenly, received Doppler-spaced
        slap_hz = flight["rotor_hz"] * flight["blades"]
        k = np.arange(max(0, int(np.floor((t[0] - 1.5) * slap_hz))), int(np.ceil(t[-1] * slap_hz)) + 1)
        tau = k / slap_hz
        received = tau + _distance(tau, flight, centre, moving) / SPEED_OF_SOUND
        at = np.round(received * _LOW).astype(np.int64) - lo
        amp = near / _distance(tau, flight, centre, moving)
        slap = _slap(seed)
        slaps = np.zeros(count + len(slap), dtype=np.float32)
        ok = (at >= 0) & (at < count)
        for when, a in zip(at[ok], amp[ok]):  # a slap or two every tenth of a second: placed, not convolved
            slaps[when : when + len(slap)] += np.float32(a) * slap
        body += np.float32(0.8) * slaps[:count, None]
    return upsample(body, _FACTOR, offset, n)


#: One period of the rotor's or propeller's tone (five harmonics), looked up instead of five sines.
_BUZZ_POINTS = 4096


@lru_cache(maxsize=1)
def _buzz_period() -> np.ndarray:
    theta = 2 * np.pi * np.arange(_BUZZ_POINTS + 1) / _BUZZ_POINTS
    return sum(np.sin(h * theta) / h for h in range(1, 6)).astype(np.float32)


def _buzz(cycles: np.ndarray) -> np.ndarray:
    """The tone after `cycles` periods (float64, any size), by linear interpolation in one period:
    4096 points put the error 100 dB under the tone."""
    position = (cycles - np.floor(cycles)) * _BUZZ_POINTS
    index = position.astype(np.int32)
    period = _buzz_period()
    below = period[index]
    below += (position - index).astype(np.float32) * (period[index + 1] - below)
    return below


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

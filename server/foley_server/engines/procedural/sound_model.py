"""What the engine knows about each sound model: its place in the mix, its parameters, and how it
adds itself into a window (one-shots on the picture's onsets, patterns on their own clock, beds)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Mapping

import numpy as np

from ..base import VisualEvents
from ..placement import Bank, place_events
from .footsteps import split_by_pace
from .noise import RATE, stable_seed
from .scenes import bed_across_cuts


@dataclass(frozen=True)
class Window:
    """One layer's share of a render window: samples [start, start + n) of the clip."""

    events: VisualEvents
    start: int
    n: int
    seed: int
    intensity: float
    choices: Mapping[str, str]
    gain: float
    model: str


@dataclass(frozen=True)
class Renderer:
    """How a model adds itself into a window, and what sets its timing."""

    timing: str  # "onsets" (a take per visual onset), "clock" (its own rhythm), "motion" (the picture's movement), "bed"
    add: Callable[[np.ndarray, Window], None]


@dataclass(frozen=True)
class SoundModel:
    """A sound model: where it sits in the mix, what it sounds like, which words-level choices it takes."""

    role: str  # "events" (foreground, reverberated), "movement" (follows motion), "ambience" (bed)
    description: str
    render: Renderer
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # parameter -> values, first = default
    level_db: float = 0.0  # balance against the other models of its role

    def resolve(self, params: Mapping[str, object]) -> dict[str, str]:
        """The model's choices from layer params: a missing or unknown value gets the default."""
        return {name: str(params[name]) if params.get(name) in values else values[0]
                for name, values in self.choices.items()}

    def summary(self) -> str:
        """The description and its choices, as `foley engines` and the server list them."""
        parts = [self.description] + [f"{name}: {', '.join(values)}" for name, values in self.choices.items()]
        return "; ".join(parts)


Take = Callable[..., np.ndarray]  # take(rng, **choices) -> one mono variant, transient at sample 0


@lru_cache(maxsize=16)
def _bank(take: Take, count: int, choices: tuple[tuple[str, str], ...], seed: int, model: str, pace: str = "walk") -> Bank:
    """Round-robin takes, built once per (model, choices, seed, pace) and reused by every window of
    a clip. A bank is 1-14 MB (explosions and thunder the largest) and 10-300 ms to build: sixteen
    cover the event layers of the clips in flight and bound the memory."""
    variant = ":".join(value for _, value in choices)
    rng = np.random.default_rng(stable_seed(seed, model, variant, pace))
    kwargs = dict(choices)
    if pace != "walk":
        kwargs["pace"] = pace
    return Bank([take(rng, **kwargs) for _ in range(count)])


def one_shots(take: Take, count: int = 8, paced: bool = False) -> Renderer:
    """A take per visual onset, round-robin through `count` variants; `paced`: walking and running
    onsets get banks of their own (the take receives pace="run")."""

    def render(out: np.ndarray, w: Window) -> None:
        choices = tuple(w.choices.items())
        ev = w.events
        if not paced:
            bank = _bank(take, count, choices, w.seed, w.model)
            place_events(out, bank, ev.onset_times_s, ev.onset_strengths, w.start, w.seed, w.model, w.gain, RATE)
            return
        for pace, (onsets, strengths) in split_by_pace(ev.onset_times_s, ev.onset_strengths).items():
            if len(onsets):
                bank = _bank(take, count, choices, w.seed, w.model, pace)
                place_events(out, bank, onsets, strengths, w.start, w.seed, f"{w.model}-{pace}", w.gain, RATE)

    return Renderer("onsets", render)


Pattern = Callable[..., np.ndarray]  # fn(events, start, n, seed, intensity, **choices) -> (n, 2)


def pattern(fn: Pattern, timing: str = "clock") -> Renderer:
    """A layer on its own clock ("clock") or following the picture's motion ("motion"), rendered
    whole per window; fn may also read the onsets (a doorbell) or the clip's length (a fly-over)."""

    def render(out: np.ndarray, w: Window) -> None:
        _mix_into(out, fn(w.events, w.start, w.n, w.seed, w.intensity, **w.choices), w.gain)

    return Renderer(timing, render)


def motion_layer(fn: Callable[[VisualEvents, int, int, int], np.ndarray]) -> Renderer:
    """A movement layer that takes no parameters: fn(events, start, n, seed)."""
    return pattern(lambda events, start, n, seed, intensity: fn(events, start, n, seed), "motion")


Bed = Callable[..., np.ndarray]  # fn(start, n, seed, intensity, **choices) -> (n, 2)


def bed(fn: Bed) -> Renderer:
    """A continuous bed, a fresh take per shot (crossfaded at the picture's cuts), louder with intensity."""

    def render(out: np.ndarray, w: Window) -> None:
        shaped = (lambda start, n, seed, intensity: fn(start, n, seed, intensity, **w.choices)) if w.choices else fn
        layer = bed_across_cuts(shaped, w.events.cut_times_s, w.start, w.n, w.seed, w.intensity)
        _mix_into(out, layer, w.gain * (0.5 + w.intensity))

    return Renderer("bed", render)


def _mix_into(out: np.ndarray, layer: np.ndarray, gain: float) -> None:
    """out += gain * layer, without a full-size temporary (the layer is ours to scale)."""
    layer *= np.float32(gain)
    out += layer

"""The default engine: physically informed procedural Foley, no weights, CPU only."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from ...config import Profile
from ..base import Audio, CancelToken, ClipRequest, EngineCaps, EngineError, Layer, Progress, SoundSpec, VisualEvents
from ..placement import Bank, place_events
from . import ambience, liquids, movement, nature, urban
from .door import ACTIONS as DOOR_ACTIONS
from .door import door_bank
from .footsteps import SURFACES, footstep_bank, split_by_pace
from .modal import MATERIALS, impact_bank
from .noise import RATE, stable_seed
from .prompts import interpret, words_for
from .scenes import bed_across_cuts
from .space import reverberate, tail_samples

# Levels of each role before mastering: hits in front, movement under them, beds far under.
ROLE_GAIN = {"events": 0.5, "movement": 0.06, "ambience": 0.06}

MODEL_DESCRIPTIONS = {
    "impact": f"struck objects on visual onsets (modal synthesis); material: {', '.join(MATERIALS)}",
    "footsteps": f"heel-toe footsteps on visual onsets; surface: {', '.join(SURFACES)}",
    "door": f"doors on visual onsets: panel, latch, hinge creak; action: {', '.join(DOOR_ACTIONS)}",
    "cloth": "cloth rustle and body movement following the motion envelope",
    "whoosh": "whooshes and swishes from fast on-screen motion (coarse optical flow)",
    "room_tone": "quiet interior air",
    "rain": "rain hiss and drops; intensity light..heavy",
    "wind": "wind with gusts; intensity light..strong",
    "fire": "fire: low roar, crackles and pops",
    "water": "running water: stream or river",
    "forest": "woods: leaves in the air and birds",
    "city": "distant city traffic",
    "crowd": "crowd murmur",
    "vehicle": "vehicles passing by on visual onsets, with Doppler",
    "splash": "something hitting water on visual onsets: burst, bubbles, droplets",
    "handling": f"objects put down or picked up on visual onsets; material: {', '.join(MATERIALS)}; action: put, pick",
    "pour": "liquid pouring, as loud as the picture moves",
    "drips": "water dripping now and then",
}

#: Continuous beds by name, whatever module models them.
BEDS = {**ambience.MODELS, **nature.MODELS, **urban.MODELS, "drips": liquids.drips}
#: Layers that follow the motion envelope.
MOVEMENT = {**movement.MODELS, "pour": liquids.pour}


@lru_cache(maxsize=16)
def _bank(model: str, variant: str, seed: int, pace: str = "walk") -> Bank:
    """Round-robin variants, built once per (model, variant, seed, pace) and reused by every window
    of a clip. A bank is 1-10 MB and 10-170 ms to build: sixteen cover the event layers of the
    clips in flight and bound the memory."""
    rng = np.random.default_rng(stable_seed(seed, model, variant, pace))
    if model == "impact":
        return Bank(impact_bank(variant, rng))
    if model == "footsteps":
        return Bank(footstep_bank(variant, rng, pace=pace))
    if model == "door":
        return Bank(door_bank(rng, variant if variant in DOOR_ACTIONS else "slam"))
    if model == "vehicle":
        return Bank(urban.vehicle_bank(rng))
    if model == "splash":
        return Bank(liquids.splash_bank(rng))
    if model == "handling":
        material, _, action = variant.partition(":")
        return Bank(liquids.handling_bank(rng, material if material in MATERIALS else "wood",
                                          action if action in liquids.HANDLING_ACTIONS else "put"))
    raise EngineError(f"procedural engine has no event model {model!r}")


class ProceduralEngine:
    """Renders layers of a SoundSpec for one window of a clip."""

    name = "procedural"

    def __init__(self, weights: Path | None = None) -> None:
        if weights is not None:
            raise EngineError("the procedural engine needs no weights; leave out --weights")
        self._loaded = False

    def capabilities(self) -> EngineCaps:
        return EngineCaps(needs_weights=False, devices=("cpu",), max_chunk_s=60.0, sample_rate=RATE, channels=2)

    def models(self) -> dict[str, str]:
        """Model name -> what it sounds like and which parameters it takes."""
        return dict(MODEL_DESCRIPTIONS)

    def words_for(self, model: str) -> list[str]:
        """The prompt words that select a model, for `foley engines`."""
        return words_for(model)

    def interpret(self, prompt: str | None, negative_prompt: str | None = None,
                  events: VisualEvents | None = None) -> SoundSpec:
        """The prompt in this engine's vocabulary: sound models with parameters (see prompts.py)."""
        return interpret(prompt, negative_prompt, events)

    def ready(self) -> None:
        """Always: no weights, no extras."""

    def load(self, device: str, profile: Profile) -> None:
        # Nothing heavy to load; warm the common banks so the first clip is as fast as the rest.
        _bank("impact", "wood", 0)
        self._loaded = True

    def unload(self) -> None:
        _bank.cache_clear()
        self._loaded = False

    def generate(self, req: ClipRequest, progress: Progress, cancel: CancelToken) -> Audio:
        start = int(round(req.window_start_s * RATE))
        n = int(round(req.window_end_s * RATE)) - start
        if n < 0:
            raise EngineError(f"window ends before it starts ({req.window_start_s}..{req.window_end_s} s)")
        out = np.zeros((n, 2), dtype=np.float32)
        # Hits and movement sound in the scene's space: render them dry from far enough back that
        # the reverb entering this window is complete, so windows agree.
        pre = tail_samples(req.spec.space)
        dry = np.zeros((n + pre, 2), dtype=np.float32) if pre else out
        layers = req.spec.layers
        per_window = len(layers) + (1 if pre else 0)  # progress units: layers (and the reverb) per window
        done, total = req.window_index * per_window, req.window_count * per_window
        for index, layer in enumerate(layers):
            cancel.raise_if_cancelled()
            target = out if layer.role == "ambience" else dry
            offset = 0 if target is out else pre
            self._render_layer(target, layer, req, start - offset, n + offset, stable_seed(req.seed, index, layer.model))
            progress(done + index + 1, total)
        if pre:
            cancel.raise_if_cancelled()
            out += reverberate(dry, req.spec.space, req.seed)[pre:]
            progress(done + per_window, total)
        soft_limit(out)
        return Audio(out, RATE)

    def _render_layer(self, out: np.ndarray, layer: Layer, req: ClipRequest, start: int, n: int, seed: int) -> None:
        gain = ROLE_GAIN.get(layer.role, 0.3) * 10 ** (layer.gain_db / 20)
        if layer.role == "events":  # event layers share the onsets: their transients stack
            gain /= np.sqrt(sum(1 for l in req.spec.layers if l.role == "events"))
        intensity = float(layer.params.get("intensity", 0.5))
        if layer.role == "events":
            variant = str(layer.params.get("material") or layer.params.get("surface") or layer.params.get("action") or "wood")
            if layer.model == "handling":
                variant = f"{layer.params.get('material', 'wood')}:{layer.params.get('action', 'put')}"
            bank = _bank(layer.model, variant, seed) if layer.model != "footsteps" else None
            ev = req.events
            if layer.model == "footsteps":  # walking and running steps sound different
                for pace, (onsets, strengths) in split_by_pace(ev.onset_times_s, ev.onset_strengths).items():
                    if not len(onsets):
                        continue
                    pace_bank = _bank(layer.model, variant, seed, pace)
                    place_events(out, pace_bank, onsets, strengths, start, seed, f"footsteps-{pace}", gain, RATE)
            else:
                place_events(out, bank, ev.onset_times_s, ev.onset_strengths, start, seed, layer.model, gain, RATE)
        elif layer.model in MOVEMENT:
            _mix_into(out, MOVEMENT[layer.model](req.events, start, n, seed), gain)
        elif layer.model in BEDS:
            bed = bed_across_cuts(BEDS[layer.model], req.events.cut_times_s, start, n, seed, intensity)
            _mix_into(out, bed, gain * (0.5 + intensity))
        else:
            raise EngineError(f"procedural engine has no model {layer.model!r}; see `foley engines`")


def _mix_into(out: np.ndarray, layer: np.ndarray, gain: float) -> None:
    """out += gain * layer, without a full-size temporary (the layer is ours to scale)."""
    layer *= np.float32(gain)
    out += layer


#: Samples above this are bent smoothly under LIMIT_CEILING (stateless, so windows still agree).
LIMIT_KNEE, LIMIT_CEILING = 0.8, 0.98


def soft_limit(out: np.ndarray) -> None:
    """Keep rare stacked peaks (several event layers on one onset) under full scale, in place;
    everything under the knee, i.e. nearly every mix, is left untouched."""
    if out.size == 0 or max(float(out.max()), -float(out.min())) <= LIMIT_KNEE:
        return
    over = np.abs(out) > LIMIT_KNEE
    x = out[over]
    room = LIMIT_CEILING - LIMIT_KNEE
    out[over] = np.sign(x) * (LIMIT_KNEE + room * np.tanh((np.abs(x) - LIMIT_KNEE) / room))

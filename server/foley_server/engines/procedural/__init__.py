"""The default engine: physically informed procedural Foley, no weights, CPU only.

Every sound model is registered in catalog.py (each synthesis module lists its own); the engine
renders a SoundSpec's layers through them, window by window, in the scene's space.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...config import Profile
from ..base import Audio, CancelToken, ClipRequest, EngineCaps, EngineError, Layer, Progress, SoundSpec, VisualEvents
from ..heap import keep_freed_buffers
from .catalog import MODELS
from .noise import RATE, stable_seed, stereo
from .prompts import interpret, words_for
from .sound_model import Window, _bank
from .space import reverberate, tail_samples

# Levels of each role before mastering: hits in front, movement under them, beds far under.
ROLE_GAIN = {"events": 0.5, "movement": 0.06, "ambience": 0.06}

#: Model name -> what it sounds like and which choices it takes (for `foley engines` and the server).
MODEL_DESCRIPTIONS = {name: model.summary() for name, model in MODELS.items()}


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
        keep_freed_buffers()  # windows reuse their predecessors' buffers (see heap.py)
        # Nothing heavy to load; warm the code paths so the first clip is as fast as the rest.
        impact = MODELS["impact"]
        impact.render.add(np.zeros((1, 2), np.float32),
                          Window(VisualEvents.empty(1.0), 0, 1, 0, 0.5, impact.resolve({}), 1.0, "impact"))
        self._loaded = True

    def unload(self) -> None:
        _bank.cache_clear()
        self._loaded = False

    def generate(self, req: ClipRequest, progress: Progress, cancel: CancelToken) -> Audio:
        start = int(round(req.window_start_s * RATE))
        n = int(round(req.window_end_s * RATE)) - start
        if n < 0:
            raise EngineError(f"window ends before it starts ({req.window_start_s}..{req.window_end_s} s)")
        out = stereo(n)  # column-major while layers add in (see noise.py), row-major when handed back
        # Hits and movement sound in the scene's space: render them dry from far enough back that
        # the reverb entering this window is complete, so windows agree.
        pre = tail_samples(req.spec.space)
        dry = stereo(n + pre) if pre else out
        layers = req.spec.layers
        per_window = len(layers) + (1 if pre else 0)  # progress units: layers (and the reverb) per window
        done, total = req.window_index * per_window, req.window_count * per_window
        for index, layer in enumerate(layers):
            cancel.raise_if_cancelled()
            model = MODELS.get(layer.model)
            if model is None:
                raise EngineError(f"procedural engine has no model {layer.model!r}; see `foley engines`")
            target = out if model.role == "ambience" else dry  # beds carry their own air
            offset = 0 if target is out else pre
            self._render_layer(target, layer, req, start - offset, n + offset, stable_seed(req.seed, index, layer.model))
            progress(done + index + 1, total)
        if pre:
            cancel.raise_if_cancelled()
            out += reverberate(dry, req.spec.space, req.seed)[pre:]
            progress(done + per_window, total)
        soft_limit(out)
        return Audio(np.stack((out[:, 0], out[:, 1]), axis=1), RATE)  # a plain copy of column-major is 5x slower

    def _render_layer(self, out: np.ndarray, layer: Layer, req: ClipRequest, start: int, n: int, seed: int) -> None:
        model = MODELS[layer.model]
        gain = ROLE_GAIN.get(model.role, 0.3) * 10 ** ((layer.gain_db + model.level_db) / 20)
        if model.role == "events":  # event layers share the onsets: their transients stack
            gain /= np.sqrt(sum(1 for l in req.spec.layers if (MODELS[l.model].role if l.model in MODELS else l.role) == "events"))
        intensity = float(layer.params.get("intensity", 0.5))
        model.render.add(out, Window(req.events, start, n, seed, intensity, model.resolve(layer.params), gain, layer.model))


#: Samples above this are bent smoothly under LIMIT_CEILING (stateless, so windows still agree).
LIMIT_KNEE, LIMIT_CEILING = 0.8, 0.98


def soft_limit(out: np.ndarray) -> None:
    """Keep rare stacked peaks (several event layers on one onset) under full scale, in place;
    everything under the knee, i.e. nearly every mix, is left untouched."""
    if out.size == 0 or max(float(out.max()), -float(out.min())) <= LIMIT_KNEE:
        return
    room = LIMIT_CEILING - LIMIT_KNEE
    for ch in range(out.shape[1]):  # one contiguous channel at a time (a 2-D mask would walk rows)
        column = out[:, ch]
        over = np.flatnonzero((column > LIMIT_KNEE) | (column < -LIMIT_KNEE))
        x = column[over]
        column[over] = np.sign(x) * (LIMIT_KNEE + room * np.tanh((np.abs(x) - LIMIT_KNEE) / room))

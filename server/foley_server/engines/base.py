"""The engine contract: what every Foley engine receives, returns and promises."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable, Mapping, Protocol, runtime_checkable

import numpy as np

from ..config import Profile
from ..errors import Cancelled, FoleyError

#: Reports work done so far: (done, total). Engines call it per window/step.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class VisualEvents:
    """What the picture shows, in seconds on the clip's own clock (0 = first visible frame)."""

    duration_s: float
    onset_times_s: np.ndarray  # float64, sorted, motion onsets (hits, steps, flashes)
    onset_strengths: np.ndarray  # float32 in [0, 1], one per onset
    envelope_times_s: np.ndarray  # float64, one per analysed frame
    motion_envelope: np.ndarray  # float32 in [0, 1], motion energy per analysed frame
    cut_times_s: np.ndarray  # float64, hard cuts inside the clip
    # picture heights per second per analysed frame (coarse optical flow); empty when not measured
    motion_speed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))

    def motion_at(self, times_s: np.ndarray) -> np.ndarray:
        """Motion envelope interpolated at arbitrary times (0 outside the analysed span)."""
        if len(self.envelope_times_s) == 0:
            return np.zeros_like(times_s, dtype=np.float32)
        return np.interp(times_s, self.envelope_times_s, self.motion_envelope, left=0.0, right=0.0).astype(np.float32)

    @staticmethod
    def empty(duration_s: float) -> "VisualEvents":
        """No events at all: a still picture or an analysis that found nothing."""
        z = np.zeros(0, dtype=np.float64)
        return VisualEvents(duration_s, z, z.astype(np.float32), z, z.astype(np.float32), z)


@dataclass(frozen=True)
class Layer:
    """One sound model in a mix, with its physically meaningful parameters."""

    role: str  # "events" (on onsets) | "movement" (follows motion) | "ambience" (bed)
    model: str  # e.g. "impact", "footsteps", "cloth", "whoosh", "room_tone", "rain", "wind"
    params: dict[str, str | float] = field(default_factory=dict)
    gain_db: float = 0.0


@dataclass(frozen=True)
class SoundSpec:
    """What the prompt asks for, as the engine understood it: layers it can render, in its own vocabulary."""

    prompt: str
    negative_prompt: str
    layers: tuple[Layer, ...]
    space: str = "dry"  # the acoustic space hits and movement sound in: dry, room, bathroom, hall, cave
    summary: str = ""  # what the engine heard, one line for people ("footsteps(surface=gravel) + wind")
    warnings: tuple[str, ...] = ()  # what it could not honour, said to the user (never a silent swap)
    measure_speed: bool = False  # the engine needs on-screen speed (coarse optical flow; ~1 ms a frame)


@dataclass(frozen=True)
class ClipRequest:
    """One render window of one clip; times are seconds on the clip's clock."""

    clip_id: str
    duration_s: float  # the whole clip
    window_start_s: float  # this window, [start, end) inside [0, duration_s]
    window_end_s: float
    events: VisualEvents
    spec: SoundSpec
    seed: int
    profile: Profile
    window_index: int = 0  # which of the clip's render windows this is, so engines can report
    window_count: int = 1  # progress for the whole clip and keep per-clip work (one-shots) once


@dataclass(frozen=True)
class Audio:
    """Float32 samples shaped (frames, channels) at the engine's own rate, handed over: the renderer mixes
    window joins into these arrays in place, so an engine returns buffers of its own, never a shared one."""

    samples: np.ndarray
    sample_rate: int
    seconds: dict[str, float] = field(default_factory=dict)  # the engine's own stages (encode, denoise, vae)
    warnings: tuple[str, ...] = ()  # quality it had to give up to finish (e.g. a smaller batch after OOM)
    # Sound generated afresh for this window (a model's bed): unlike its neighbour's where they overlap, so
    # joined with equal power; `samples` must agree with the neighbouring windows and join linearly.
    fresh: np.ndarray | None = None
    # The same window split by role (events, movement, ambience: each role the spec renders), each part's
    # samples and fresh summing over roles to this window's; buffers of their own, as above. Only from an
    # engine whose capabilities declare `role_parts`: the renderer then writes stems in the mix's own pass.
    parts: Mapping[str, Audio] | None = None

    @property
    def duration_s(self) -> float:
        return self.samples.shape[0] / self.sample_rate


@dataclass(frozen=True)
class EngineCaps:
    """What an engine needs and can do, so the scheduler can place it."""

    needs_weights: bool
    devices: tuple[str, ...]  # device kinds: "cpu", "cuda"
    max_chunk_s: float
    sample_rate: int
    channels: int
    max_batch: int = 1  # sounds or windows it can generate in one call
    role_parts: bool = False  # generate() returns Audio.parts, so stems need no second generation


class CancelToken:
    """Set by whoever cancels; checked by the work between small units."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled("cancelled by the user")


@runtime_checkable
class Engine(Protocol):
    """A Foley generator: loaded once per worker, then asked for windows of audio.

    `interpret` turns a prompt into the engine's own SoundSpec (the pipeline knows no engine's
    vocabulary); `generate` reports progress as (done, total) units of the whole clip, checks
    `cancel` between units (denoising steps, layers) and raises EngineOutOfMemory when a window
    does not fit even at its smallest batch.

    Optional: `prepare(req, progress, cancel) -> None`, the window's work that needs no picture (a
    model's denoising), called before the renderer waits for the window's events so that it overlaps
    decoding; `generate` for the same window then finishes it. Same progress, cancel and OOM rules.
    """

    name: str

    def capabilities(self) -> EngineCaps: ...

    def interpret(self, prompt: str | None, negative_prompt: str | None = None,
                  events: VisualEvents | None = None) -> SoundSpec: ...

    def ready(self) -> None: ...  # raises EngineUnavailable saying what to install or download

    def load(self, device: str, profile: Profile) -> None: ...

    def unload(self) -> None: ...

    def generate(self, req: ClipRequest, progress: Progress, cancel: CancelToken) -> Audio: ...


class EngineError(FoleyError):
    """An engine cannot be found, loaded or run."""


class EngineUnavailable(EngineError):
    """An engine cannot run here (its extra is not installed, its weights are missing); bad input, exit 2."""

    exit_code = 2


class EngineOutOfMemory(EngineError):
    """A window did not fit in device memory even at the smallest batch: the runner drops a profile level."""

    exit_code = 1

    def __init__(self, message: str, warnings: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.warnings = warnings  # what the engine gave up on the way (smaller batches), said before the drop

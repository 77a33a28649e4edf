"""Ask the engine for a clip window by window and join the windows into 48 kHz streams: the mix, and
one stream per role when the engine hands its windows over split by role (stems in the same pass).

Windows overlap; the overlap is crossfaded as windows arrive, so memory is constant in clip length.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Iterator, Sequence

import numpy as np
import soxr

from ..config import OUTPUT_SAMPLE_RATE, lower_profile
from ..engines.base import Audio, CancelToken, ClipRequest, Engine, EngineError, EngineOutOfMemory, VisualEvents

OUTPUT_CHANNELS = 2
MIX = "mix"  # the stream every render yields; the others are named by role

#: Waits until the picture's events are final up to a clip time, then returns them.
EventsSource = Callable[[float], VisualEvents]


def window_bounds(total: int, chunk: int, overlap: int) -> list[tuple[int, int]]:
    """Sample ranges [start, end) of overlapping render windows covering [0, total)."""
    if total <= 0:
        return []
    chunk = max(1, chunk)
    bounds = []
    start = 0
    while start < total:
        bounds.append((start, min(total, start + chunk + overlap)))
        start += chunk
    return bounds


def _crossfade(n: int, coherent: bool) -> tuple[np.ndarray, np.ndarray]:
    """(fade-out, fade-in) gains for a join: linear sum for like takes, equal power for unlike ones."""
    x = (np.arange(n) + 0.5) / n
    if coherent:
        fade_in = 0.5 - 0.5 * np.cos(np.pi * x)
        fade_out = 1.0 - fade_in
    else:
        fade_in, fade_out = np.sin(0.5 * np.pi * x), np.cos(0.5 * np.pi * x)
    return fade_out.astype(np.float32)[:, None], fade_in.astype(np.float32)[:, None]


def _as_frames(samples: np.ndarray, expected: int, channels: int) -> np.ndarray:
    """Engine output as (expected, channels) float32; tolerate off-by-one rounding only."""
    x = np.asarray(samples, dtype=np.float32)  # the engine's fresh buffer: joins are mixed into it in place
    if x.ndim == 1:
        x = x[:, None]
    if abs(x.shape[0] - expected) > 2:
        raise EngineError(f"engine returned {x.shape[0]} frames for a window of {expected}; this is an engine bug")
    if x.shape[1] == 1 and channels == 2:
        x = np.repeat(x, 2, axis=1)
    if not np.all(np.isfinite(x)):
        raise EngineError("engine returned non-finite samples (NaN/inf); try another seed or profile")
    if x.shape[0] < expected:
        x = np.pad(x, ((0, expected - x.shape[0]), (0, 0)))
    return x[:expected]


class _Stream:
    """One output's joins and resampling: windows in at the engine's rate, 48 kHz blocks out, in order."""

    def __init__(self, rate: int, target_frames: int) -> None:
        self.resampler = None if rate == OUTPUT_SAMPLE_RATE else soxr.ResampleStream(
            rate, OUTPUT_SAMPLE_RATE, OUTPUT_CHANNELS, dtype="float32")
        self.target = target_frames
        self.emitted = 0
        self.tail: np.ndarray | None = None  # the coherent part of the previous window's overlap
        self.fresh_tail: np.ndarray | None = None  # and its freshly generated part

    def join(self, window: Audio, frames: int, keep: int, last: bool) -> np.ndarray:
        """The window joined to its predecessor: its first `keep` frames (all of it when last), at 48 kHz."""
        x = _as_frames(window.samples, frames, OUTPUT_CHANNELS)
        fresh = _as_frames(window.fresh, frames, OUTPUT_CHANNELS) if window.fresh is not None else None
        next_tail = None if last else x[keep:].copy()
        next_fresh_tail = None if last or fresh is None else fresh[keep:].copy()
        if self.tail is not None:  # the overlap with the previous window: like parts linearly, fresh ones at equal power
            n = self.tail.shape[0]
            fade_out, fade_in = _crossfade(n, coherent=True)
            x[:n] = self.tail * fade_out + x[:n] * fade_in
            if self.fresh_tail is not None or fresh is not None:
                fade_out, fade_in = _crossfade(n, coherent=False)
                if self.fresh_tail is not None:
                    x[:n] += self.fresh_tail * fade_out
                if fresh is not None:
                    fresh[:n] *= fade_in
        if fresh is not None:
            x += fresh
        self.tail, self.fresh_tail = next_tail, next_fresh_tail
        return self._out(x if last else x[:keep], last)

    def finish_empty(self) -> np.ndarray:
        return self._out(np.zeros((0, OUTPUT_CHANNELS), dtype=np.float32), True)

    def _out(self, block: np.ndarray, last: bool) -> np.ndarray:
        if self.resampler is not None:
            block = self.resampler.resample_chunk(block, last=last)
        block = block[: max(0, self.target - self.emitted)]
        if last and self.emitted + block.shape[0] < self.target:
            block = np.pad(block, ((0, self.target - self.emitted - block.shape[0]), (0, 0)))
        self.emitted += block.shape[0]
        return block


@dataclass
class WindowLog:
    """What rendering the windows cost and gave up, filled in as they are rendered."""

    seconds: dict[str, float] = field(default_factory=dict)  # the engine's own stages, summed
    warnings: list[str] = field(default_factory=list)
    windows: int = 0


def _role_part(audio: Audio, role: str, engine: Engine) -> Audio:
    """The window's share for one role; an engine that declares role parts must give every role it renders."""
    part = (audio.parts or {}).get(role)
    if part is None:
        raise EngineError(f"engine {engine.name} declares role parts but gave none for {role!r}; this is an engine bug")
    return part


def render_windows(
    engine: Engine,
    request: ClipRequest,
    progress: Callable[[int, int], None],
    cancel: CancelToken,
    events_for: EventsSource | None = None,
    log: WindowLog | None = None,
    on_warning: Callable[[str], None] = lambda message: None,
    roles: Sequence[str] = (),
) -> Iterator[dict[str, np.ndarray]]:
    """Yield the clip at 48 kHz stereo, in order, window by window with crossfaded joins: {MIX: block}, plus
    {role: block} for each of `roles` (only for engines whose capabilities declare `role_parts`).

    With `events_for`, each window waits only for the events it needs, so rendering can follow
    decoding of a long clip instead of waiting for its end; an engine's `prepare` (its work that
    needs no picture) runs before that wait. The engine's progress (units of the
    whole clip) goes to `progress`. A window that runs out of device memory is retried alone at the
    next lower profile, which the rest of the clip keeps; each such step is a warning.
    """
    log = log if log is not None else WindowLog()
    caps = engine.capabilities()
    if roles and not caps.role_parts:
        raise EngineError(f"engine {engine.name} renders no role parts; render its stems one role at a time")
    rate = caps.sample_rate
    overlap_s = min(request.profile.overlap_s, min(request.profile.chunk_s, caps.max_chunk_s) / 4)
    chunk_s = min(request.profile.chunk_s, caps.max_chunk_s - overlap_s)  # a window is chunk + overlap
    total = int(round(request.duration_s * rate))
    bounds = window_bounds(total, int(round(chunk_s * rate)), int(round(overlap_s * rate)))
    target_out = int(round(request.duration_s * OUTPUT_SAMPLE_RATE))
    streams = {name: _Stream(rate, target_out) for name in (MIX, *roles)}
    profile = request.profile
    # Optional in the contract: what an engine can generate before the window's events are final.
    prepare = getattr(engine, "prepare", None)

    for index, (start, end) in enumerate(bounds):
        cancel.raise_if_cancelled()
        win_req = replace(request, window_start_s=start / rate, window_end_s=end / rate, window_index=index,
                          window_count=len(bounds))
        events = None
        while True:
            try:
                if prepare is not None:  # the model's work first, while the picture is still being analysed
                    prepare(replace(win_req, profile=profile), progress, cancel)
                if events_for is not None and events is None:
                    events = events_for(end / rate)
                    win_req = replace(win_req, events=events)
                audio = engine.generate(replace(win_req, profile=profile), progress, cancel)
                break
            except EngineOutOfMemory as exc:
                for message in exc.warnings:
                    log.warnings.append(message)
                    on_warning(message)
                lower = lower_profile(profile)
                if lower is None:
                    raise EngineError(f"out of device memory even with the {profile.name} profile ({exc}); "
                                      "close other programs using the GPU, or use a shorter clip") from None
                message = (f"window {index + 1} of {len(bounds)} ran out of device memory at profile {profile.name}; "
                           f"retried at {lower.name} (fewer steps or smaller batches) for the rest of the clip")
                log.warnings.append(message)
                on_warning(message)
                profile = lower
        for message in audio.warnings:
            log.warnings.append(message)
            on_warning(message)
        for stage, seconds in audio.seconds.items():
            log.seconds[stage] = log.seconds.get(stage, 0.0) + seconds
        if audio.sample_rate != rate:
            raise EngineError(f"engine {engine.name} returned {audio.sample_rate} Hz but declared {rate} Hz")
        last = index == len(bounds) - 1
        keep = (bounds[index + 1][0] if not last else end) - start
        windows = {MIX: audio, **{role: _role_part(audio, role, engine) for role in roles}}
        log.windows = index + 1
        yield {name: stream.join(windows[name], end - start, keep, last) for name, stream in streams.items()}
    if not bounds:
        yield {name: stream.finish_empty() for name, stream in streams.items()}

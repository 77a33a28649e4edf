"""Render a clip window by window, then master it into a delivered WAV.

Memory is constant in clip length: the engine sees one window at a time, windows are
crossfaded as they arrive, pass 1 streams to a float scratch file while measuring loudness,
pass 2 applies one gain and the edge fades while writing the final 24-bit file atomically.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import soundfile as sf
import soxr

from ..config import OUTPUT_SAMPLE_RATE, OUTPUT_SUBTYPE, lower_profile
from ..engines.base import CancelToken, ClipRequest, Engine, EngineError, EngineOutOfMemory, VisualEvents
from ..storage import atomic_path, scratch_file
from .loudness import StreamingLoudness, mastering_gain_db

OUTPUT_CHANNELS = 2
_IO_BLOCK = OUTPUT_SAMPLE_RATE * 10  # frames per read/write in the mastering pass
OVERVIEW_BINS = 2000  # min/max pairs kept for the waveform picture


@dataclass(frozen=True)
class MasterSettings:
    """Delivery loudness and edge handling of every Foley WAV."""

    target_lufs: float = -20.0
    ceiling_dbtp: float = -1.0
    fade_in_s: float = 0.002  # short: an impact on the first frame must survive
    fade_out_s: float = 0.010


@dataclass
class RenderReport:
    """What rendering and mastering did to one clip, for the result and the pictures."""

    wav_path: Path
    frames: int
    sample_rate: int
    windows: int
    measured_lufs: float
    measured_true_peak_dbtp: float
    gain_db: float
    overview: np.ndarray = field(repr=False)  # (bins, 2): min and max of the mix per bin
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # quality given up to finish (out-of-memory fallbacks)


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


#: Waits until the picture's events are final up to a clip time, then returns them.
EventsSource = Callable[[float], VisualEvents]


@dataclass
class WindowLog:
    """What rendering the windows cost and gave up, filled in as they are rendered."""

    seconds: dict[str, float] = field(default_factory=dict)  # the engine's own stages, summed
    warnings: list[str] = field(default_factory=list)
    windows: int = 0


def render_windows(
    engine: Engine,
    request: ClipRequest,
    progress: Callable[[int, int], None],
    cancel: CancelToken,
    events_for: EventsSource | None = None,
    log: WindowLog | None = None,
    on_warning: Callable[[str], None] = lambda message: None,
) -> Iterator[np.ndarray]:
    """Yield the clip at 48 kHz stereo, in order, window by window with crossfaded joins.

    With `events_for`, each window waits only for the events it needs, so rendering can follow
    decoding of a long clip instead of waiting for its end; an engine's `prepare` (its work that
    needs no picture) runs before that wait. The engine's progress (units of the
    whole clip) goes to `progress`. A window that runs out of device memory is retried alone at the
    next lower profile, which the rest of the clip keeps; each such step is a warning.
    """
    log = log if log is not None else WindowLog()
    caps = engine.capabilities()
    rate = caps.sample_rate
    overlap_s = min(request.profile.overlap_s, min(request.profile.chunk_s, caps.max_chunk_s) / 4)
    chunk_s = min(request.profile.chunk_s, caps.max_chunk_s - overlap_s)  # a window is chunk + overlap
    total = int(round(request.duration_s * rate))
    bounds = window_bounds(total, int(round(chunk_s * rate)), int(round(overlap_s * rate)))
    resampler = None if rate == OUTPUT_SAMPLE_RATE else soxr.ResampleStream(rate, OUTPUT_SAMPLE_RATE, OUTPUT_CHANNELS, dtype="float32")
    target_out = int(round(request.duration_s * OUTPUT_SAMPLE_RATE))
    emitted = 0
    tail: np.ndarray | None = None  # the coherent part of the previous window's overlap
    fresh_tail: np.ndarray | None = None  # and its freshly generated part
    profile = request.profile
    # Optional in the contract: what an engine can generate before the window's events are final.
    prepare = getattr(engine, "prepare", None)

    def out(block: np.ndarray, last: bool) -> np.ndarray:
        nonlocal emitted
        if resampler is not None:
            block = resampler.resample_chunk(block, last=last)
        block = block[: max(0, target_out - emitted)]
        if last and emitted + block.shape[0] < target_out:
            block = np.pad(block, ((0, target_out - emitted - block.shape[0]), (0, 0)))
        emitted += block.shape[0]
        return block

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
        x = _as_frames(audio.samples, end - start, OUTPUT_CHANNELS)
        fresh = _as_frames(audio.fresh, end - start, OUTPUT_CHANNELS) if audio.fresh is not None else None
        last = index == len(bounds) - 1
        keep = (bounds[index + 1][0] if not last else end) - start
        next_tail = None if last else x[keep:].copy()
        next_fresh_tail = None if last or fresh is None else fresh[keep:].copy()
        if tail is not None:  # the overlap with the previous window: like parts linearly, fresh ones at equal power
            n = tail.shape[0]
            fade_out, fade_in = _crossfade(n, coherent=True)
            x[:n] = tail * fade_out + x[:n] * fade_in
            if fresh_tail is not None or fresh is not None:
                fade_out, fade_in = _crossfade(n, coherent=False)
                if fresh_tail is not None:
                    x[:n] += fresh_tail * fade_out
                if fresh is not None:
                    fresh[:n] *= fade_in
        if fresh is not None:
            x += fresh
        tail, fresh_tail = next_tail, next_fresh_tail
        log.windows = index + 1
        yield out(x[:keep] if not last else x, last)
    if not bounds:
        yield out(np.zeros((0, OUTPUT_CHANNELS), dtype=np.float32), True)


def _apply_edge_fades(block: np.ndarray, start: int, total: int, fade_in: int, fade_out: int) -> None:
    """Fade in/out, in place, whatever part of frames [start, start + len(block)) lies in the edges."""
    n = block.shape[0]
    if start < fade_in:
        idx = np.arange(start, min(start + n, fade_in))
        block[: len(idx)] *= ((idx + 0.5) / fade_in).astype(np.float32)[:, None]
    if start + n > total - fade_out:
        idx = np.arange(max(start, total - fade_out), start + n)
        block[idx[0] - start :] *= np.clip((total - idx - 0.5) / fade_out, 0.0, 1.0).astype(np.float32)[:, None]


def render_clip(
    engine: Engine,
    request: ClipRequest,
    wav_path: Path,
    *,
    master: MasterSettings = MasterSettings(),
    progress: Callable[[str, int, int], None] = lambda stage, done, total: None,
    cancel: CancelToken | None = None,
    events_for: EventsSource | None = None,
    on_warning: Callable[[str], None] = lambda message: None,
) -> RenderReport:
    """Generate, master and atomically write one clip's Foley WAV."""
    cancel = cancel or CancelToken()
    seconds: dict[str, float] = {}
    meter = StreamingLoudness(OUTPUT_SAMPLE_RATE, OUTPUT_CHANNELS)
    scratch = scratch_file(wav_path.parent, ".wav")
    log = WindowLog()
    # Kept in pass 1, where it hides behind decoding; the mastering gain scales it afterwards.
    overview = _Overview(int(round(request.duration_s * OUTPUT_SAMPLE_RATE)))

    def on_progress(done: int, total: int) -> None:
        progress("generate", done, total)

    try:
        t0 = time.perf_counter()
        with sf.SoundFile(scratch, "w", OUTPUT_SAMPLE_RATE, OUTPUT_CHANNELS, "FLOAT", format="WAV") as raw:
            for block in render_windows(engine, request, on_progress, cancel, events_for, log, on_warning):
                raw.write(block)
                meter.feed(block)
                overview.feed(block)
        seconds["generate"] = time.perf_counter() - t0
        seconds.update(log.seconds)  # inside "generate": the engine's own split of it

        t0 = time.perf_counter()
        lufs, peak = meter.integrated_lufs(), meter.true_peak_dbtp
        gain_db = mastering_gain_db(lufs, peak, master.target_lufs, master.ceiling_dbtp)
        gain = np.float32(10 ** (gain_db / 20))
        frames = sf.info(str(scratch)).frames
        fade_in = int(round(master.fade_in_s * OUTPUT_SAMPLE_RATE))
        fade_out = int(round(master.fade_out_s * OUTPUT_SAMPLE_RATE))
        with atomic_path(wav_path) as tmp:
            with sf.SoundFile(scratch, "r") as src, sf.SoundFile(
                tmp, "w", OUTPUT_SAMPLE_RATE, OUTPUT_CHANNELS, OUTPUT_SUBTYPE, format="WAV"
            ) as dst:
                pos = 0
                for block in src.blocks(blocksize=_IO_BLOCK, dtype="float32", always_2d=True):
                    cancel.raise_if_cancelled()
                    block *= gain
                    _apply_edge_fades(block, pos, frames, fade_in, fade_out)
                    np.clip(block, -1.0, 1.0, out=block)
                    dst.write(block)
                    pos += block.shape[0]
                    progress("master", pos, frames)
                cancel.raise_if_cancelled()  # last chance before the file becomes visible
        seconds["master"] = time.perf_counter() - t0
    finally:
        scratch.unlink(missing_ok=True)
    return RenderReport(
        wav_path=wav_path,
        frames=frames,
        sample_rate=OUTPUT_SAMPLE_RATE,
        windows=log.windows,
        measured_lufs=lufs,
        measured_true_peak_dbtp=peak,
        gain_db=gain_db,
        overview=np.clip(overview.result() * gain, -1.0, 1.0),
        seconds=seconds,
        warnings=log.warnings,
    )


class _Overview:
    """Min/max of the mono mix in fixed bins, for a waveform picture without keeping the audio."""

    def __init__(self, frames: int, bins: int = OVERVIEW_BINS) -> None:
        self.bins = max(1, min(bins, frames))
        self.per_bin = max(1, math.ceil(frames / self.bins)) if frames else 1
        self.lo = np.zeros(self.bins, dtype=np.float32)
        self.hi = np.zeros(self.bins, dtype=np.float32)
        self.pos = 0

    def feed(self, block: np.ndarray) -> None:
        mono = (block[:, 0] + block[:, 1]) * 0.5  # blocks are stereo; .mean(axis=1) is ~8x slower
        if mono.shape[0] == 0:
            return
        first_bin = self.pos // self.per_bin
        # offsets inside this block where a new bin starts
        starts = np.arange((first_bin + 1) * self.per_bin, self.pos + mono.shape[0], self.per_bin) - self.pos
        cuts = np.concatenate([[0], starts]).astype(np.int64)
        bins = np.minimum(first_bin + np.arange(len(cuts)), self.bins - 1)
        np.minimum.at(self.lo, bins, np.minimum.reduceat(mono, cuts))
        np.maximum.at(self.hi, bins, np.maximum.reduceat(mono, cuts))
        self.pos += mono.shape[0]

    def result(self) -> np.ndarray:
        return np.stack([self.lo, self.hi], axis=1)

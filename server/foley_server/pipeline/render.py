"""Render a clip window by window, then master it into a delivered WAV (and its stems, from the same windows).

Memory is constant in clip length: the engine sees one window at a time, windows are
crossfaded as they arrive (windows.py), pass 1 streams each output to a float scratch file while
measuring its loudness, pass 2 applies one gain and the edge fades while writing the final 24-bit
files, which appear together or not at all.
"""

from __future__ import annotations

import math
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

import numpy as np
import soundfile as sf

from ..config import OUTPUT_SAMPLE_RATE, OUTPUT_SUBTYPE
from ..engines.base import CancelToken, ClipRequest, Engine
from ..storage import atomic_path, scratch_file
from .loudness import StreamingLoudness, mastering_gain_db
from .windows import MIX, OUTPUT_CHANNELS, EventsSource, WindowLog, render_windows

_IO_BLOCK = OUTPUT_SAMPLE_RATE * 10  # frames per read/write in the mastering pass
OVERVIEW_BINS = 2000  # min/max pairs kept for the waveform picture


@dataclass(frozen=True)
class MasterSettings:
    """Delivery loudness and edge handling of every Foley WAV."""

    target_lufs: float = -20.0
    ceiling_dbtp: float = -1.0
    fade_in_s: float = 0.002  # short: an impact on the first frame must survive
    fade_out_s: float = 0.010


@dataclass(frozen=True)
class StemOutput:
    """Where one role's stem is written and how it is mastered (stems have their own loudness)."""

    wav_path: Path
    master: MasterSettings


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
    stems: dict[str, RenderReport] = field(default_factory=dict)  # role -> its stem, from the same windows


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
    stems: Mapping[str, StemOutput] | None = None,
) -> RenderReport:
    """Generate, master and atomically write one clip's Foley WAV, and `stems` (role -> output) from the
    same windows: only for an engine whose capabilities declare `role_parts`, so stems cost no model calls."""
    cancel = cancel or CancelToken()
    outputs = {MIX: StemOutput(wav_path, master), **(stems or {})}
    seconds: dict[str, float] = {}
    log = WindowLog()
    frames_expected = int(round(request.duration_s * OUTPUT_SAMPLE_RATE))
    scratches: dict[str, _Scratch] = {}

    def on_progress(done: int, total: int) -> None:
        progress("generate", done, total)

    try:
        for name, out in outputs.items():
            scratches[name] = _Scratch(out.wav_path.parent, frames_expected)
        t0 = time.perf_counter()
        with ExitStack() as files:
            for scratch in scratches.values():
                scratch.open(files)
            roles = [name for name in outputs if name != MIX]
            for blocks in render_windows(engine, request, on_progress, cancel, events_for, log, on_warning, roles):
                for name, block in blocks.items():
                    scratches[name].feed(block)
        seconds["generate"] = time.perf_counter() - t0
        seconds.update(log.seconds)  # inside "generate": the engine's own split of it

        t0 = time.perf_counter()
        frames = sf.info(str(scratches[MIX].path)).frames
        mastering = _Mastering(progress, frames * len(outputs))
        with ExitStack() as delivered:  # every output is renamed into place only when all are written
            reports = {name: mastering.master(scratches[name], outputs[name], delivered.enter_context(
                atomic_path(outputs[name].wav_path)), cancel, log.windows) for name in outputs}
            cancel.raise_if_cancelled()  # last chance before the files become visible
        seconds["master"] = time.perf_counter() - t0
    finally:
        for scratch in scratches.values():
            scratch.path.unlink(missing_ok=True)
    report = reports.pop(MIX)
    report.seconds, report.warnings, report.stems = seconds, log.warnings, reports
    return report


class _Scratch:
    """Pass 1 of one output: float samples to a scratch file, its loudness and its waveform overview."""

    def __init__(self, folder: Path, frames: int) -> None:
        self.path = scratch_file(folder, ".wav")
        self.meter = StreamingLoudness(OUTPUT_SAMPLE_RATE, OUTPUT_CHANNELS)
        # Kept in pass 1, where it hides behind decoding; the mastering gain scales it afterwards.
        self.overview = _Overview(frames)
        self.file: sf.SoundFile | None = None

    def open(self, files: ExitStack) -> None:
        self.file = files.enter_context(sf.SoundFile(self.path, "w", OUTPUT_SAMPLE_RATE, OUTPUT_CHANNELS, "FLOAT",
                                                     format="WAV"))

    def feed(self, block: np.ndarray) -> None:
        self.file.write(block)
        self.meter.feed(block)
        self.overview.feed(block)


class _Mastering:
    """Pass 2: one gain to the target loudness under the ceiling, edge fades, 24-bit; progress over all outputs."""

    def __init__(self, progress: Callable[[str, int, int], None], total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def master(self, scratch: _Scratch, output: StemOutput, tmp: Path, cancel: CancelToken, windows: int) -> RenderReport:
        settings = output.master
        lufs, peak = scratch.meter.integrated_lufs(), scratch.meter.true_peak_dbtp
        gain_db = mastering_gain_db(lufs, peak, settings.target_lufs, settings.ceiling_dbtp)
        gain = np.float32(10 ** (gain_db / 20))
        frames = sf.info(str(scratch.path)).frames
        fade_in = int(round(settings.fade_in_s * OUTPUT_SAMPLE_RATE))
        fade_out = int(round(settings.fade_out_s * OUTPUT_SAMPLE_RATE))
        with sf.SoundFile(scratch.path, "r") as src, sf.SoundFile(
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
                self.done += block.shape[0]
                self.progress("master", self.done, self.total)
        return RenderReport(
            wav_path=output.wav_path,
            frames=frames,
            sample_rate=OUTPUT_SAMPLE_RATE,
            windows=windows,
            measured_lufs=lufs,
            measured_true_peak_dbtp=peak,
            gain_db=gain_db,
            overview=np.clip(scratch.overview.result() * gain, -1.0, 1.0),
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

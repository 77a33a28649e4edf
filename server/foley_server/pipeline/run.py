"""The stage sequence of one job: plan → (decode → see → hear → generate → master) per clip → conform."""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import opentimelineio as otio
from foley_otio import FoleyItem

from ..config import Profile, get_profile
from ..engines.base import CancelToken, ClipRequest, Engine, SoundSpec, VisualEvents, create_engine
from ..errors import Cancelled, FoleyError, MediaError
from ..storage import ensure_writable_dir
from .conform import Placement, conform
from .media import decode_frames, probe_video
from .plan import ClipTask, plan_clips
from .progress import ProgressEvent, ProgressSink, StageTimer, ignore_progress
from .prompts import describe, sound_spec
from .render import MasterSettings, RenderReport, render_clip
from .vision import VisualAnalyzer

_PROGRESS_EVERY_FRAMES = 25


@dataclass
class ClipOutcome:
    """One clip's result: a WAV, or the reason there is none."""

    task: ClipTask
    wav_path: Path | None = None
    error: str | None = None
    events: VisualEvents | None = None
    spec: SoundSpec | None = None
    report: RenderReport | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and self.wav_path is not None


@dataclass
class JobOutcome:
    """Everything a job produced: the result timeline, placements, per-clip outcomes, timings."""

    timeline: otio.schema.Timeline
    placements: list[Placement]
    clips: list[ClipOutcome]
    seconds: dict[str, float]
    warnings: list[str]

    @property
    def failed(self) -> list[ClipOutcome]:
        return [c for c in self.clips if not c.ok]


@dataclass
class _Analysis:
    """Decode + see + hear result for a clip, produced ahead of its generation."""

    events: VisualEvents | None
    spec: SoundSpec | None
    seconds: dict[str, float]
    warnings: list[str]
    error: str | None = None


class JobRunner:
    """Runs the stages for a list of clip tasks through one loaded engine."""

    def __init__(
        self,
        engine: Engine,
        profile: Profile,
        output_dir: Path,
        *,
        progress: ProgressSink = ignore_progress,
        cancel: CancelToken | None = None,
        master: MasterSettings = MasterSettings(),
    ) -> None:
        self.engine = engine
        self.profile = profile
        self.output_dir = output_dir
        self.progress = progress
        self.cancel = cancel or CancelToken()
        self.master = master

    def run(self, tasks: Sequence[ClipTask]) -> list[ClipOutcome]:
        """Process clips in order; analysis of clip i+1 overlaps generation of clip i."""
        outcomes: list[ClipOutcome] = []
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="foley-analyse") as pool:
            pending: Future[_Analysis] | None = pool.submit(self._analyse, tasks[0], 0, len(tasks)) if tasks else None
            for index, task in enumerate(tasks):
                analysis = pending.result() if pending else None
                pending = pool.submit(self._analyse, tasks[index + 1], index + 1, len(tasks)) if index + 1 < len(tasks) else None
                try:
                    outcomes.append(self._generate(task, index, len(tasks), analysis))
                except Cancelled:
                    self.cancel.cancel()
                    if pending:
                        pending.cancel()
                    raise
        return outcomes

    def _emit(self, type_: str, task: ClipTask, index: int, count: int, **kw) -> None:
        self.progress(ProgressEvent(type_, clip_id=task.clip_id, clip_name=task.name, clip_index=index, clip_count=count, **kw))

    def _analyse(self, task: ClipTask, index: int, count: int) -> _Analysis:
        """Decode the clip's source range once, streaming, into visual events and a sound spec."""
        seconds: dict[str, float] = {}
        warnings: list[str] = []
        try:
            if task.duration_s <= 0:
                raise FoleyError(f"clip {task.name!r} has zero length; trim it to at least one frame")
            if task.media_path is None:
                raise MediaError(f"clip {task.name!r} has no media file reference; relink it to a video file")
            self._emit("started", task, index, count, message="analysing picture")
            t0 = time.perf_counter()
            info = probe_video(task.media_path)
            analyzer = VisualAnalyzer(info.frame_rate)
            expected = max(1, int(round(task.duration_s * info.frame_rate)))
            see_s = 0.0
            frames = 0
            fps = self.profile.sampling_fps
            for t, frame in decode_frames(task.media_path, task.media_start_s, task.duration_s, height=self.profile.analysis_height, fps=fps):
                s0 = time.perf_counter()
                analyzer.feed(t, frame)
                see_s += time.perf_counter() - s0
                frames += 1
                if frames % _PROGRESS_EVERY_FRAMES == 0:
                    self.cancel.raise_if_cancelled()
                    self._emit("progress", task, index, count, stage="decode", done=frames, total=expected)
            s0 = time.perf_counter()
            events = analyzer.finish(task.duration_s)
            see_s += time.perf_counter() - s0
            seconds["decode"] = time.perf_counter() - t0 - see_s
            seconds["see"] = see_s
            if frames == 0:
                raise MediaError(f"clip {task.name!r}: no video frames in its source range of {task.media_path}; check the clip's in/out points")
            if frames < expected - 1:
                warnings.append(f"clip {task.name!r}: media ends early ({frames} of {expected} frames); the rest is silent")
            t0 = time.perf_counter()
            spec = sound_spec(task.prompt, task.negative_prompt, events)
            seconds["hear"] = time.perf_counter() - t0
            return _Analysis(events, spec, seconds, warnings)
        except Cancelled:
            raise
        except FoleyError as exc:
            return _Analysis(None, None, seconds, warnings, error=str(exc))

    def _generate(self, task: ClipTask, index: int, count: int, analysis: _Analysis | None) -> ClipOutcome:
        outcome = ClipOutcome(task)
        if analysis is None or analysis.error:
            outcome.error = analysis.error if analysis else "not analysed"
            self._emit("clip_failed", task, index, count, message=outcome.error)
            return outcome
        outcome.events, outcome.spec = analysis.events, analysis.spec
        outcome.seconds.update(analysis.seconds)
        outcome.warnings.extend(analysis.warnings)
        request = ClipRequest(
            clip_id=task.clip_id,
            duration_s=task.duration_s,
            window_start_s=0.0,
            window_end_s=task.duration_s,
            events=analysis.events,
            spec=analysis.spec,
            seed=task.seed,
            profile=self.profile,
        )

        def on_progress(stage: str, done: int, total: int) -> None:
            self._emit("progress", task, index, count, stage=stage, done=done, total=total)

        try:
            report = render_clip(
                self.engine,
                request,
                self.output_dir / task.wav_name,
                master=self.master,
                progress=on_progress,
                cancel=self.cancel,
            )
        except Cancelled:
            raise
        except FoleyError as exc:
            outcome.error = str(exc)
            self._emit("clip_failed", task, index, count, message=outcome.error)
            return outcome
        outcome.report = report
        outcome.wav_path = report.wav_path
        outcome.seconds.update(report.seconds)
        self._emit("clip_done", task, index, count, message=describe(analysis.spec))
        return outcome


def run_job(
    timeline: otio.schema.Timeline,
    output_dir: Path,
    *,
    selectors: Sequence[str] | None = None,
    prompts: Mapping[str, str] | None = None,
    engine: Engine | str = "procedural",
    profile: str = "balanced",
    base_seed: int = 0,
    progress: ProgressSink = ignore_progress,
    cancel: CancelToken | None = None,
) -> JobOutcome:
    """Plan, render every selected clip, and conform the result timeline."""
    timer = StageTimer()
    prof = get_profile(profile)
    with timer.stage("plan"):
        tasks = plan_clips(timeline, selectors=selectors, prompts=prompts, base_seed=base_seed)
        output_dir = ensure_writable_dir(Path(output_dir))
    if isinstance(engine, str):
        engine = create_engine(engine)
    with timer.stage("load"):
        engine.load("cpu", prof)
    runner = JobRunner(engine, prof, output_dir, progress=progress, cancel=cancel)
    outcomes = runner.run(tasks)
    for outcome in outcomes:
        for stage, seconds in outcome.seconds.items():
            timer.add(stage, seconds)
    with timer.stage("conform"):
        items = [
            FoleyItem(
                clip_id=o.task.clip_id,
                source_name=o.task.name,
                wav_path=str(o.wav_path),
                record_range=o.task.source.record_range,
                metadata={
                    "prompt": o.task.prompt or "",
                    "negative_prompt": o.task.negative_prompt or "",
                    "sound": describe(o.spec) if o.spec else "",
                    "engine": engine.name,
                    "seed": o.task.seed,
                    "profile": prof.name,
                },
            )
            for o in outcomes
            if o.ok
        ]
        result, placements = conform(timeline, items)
    warnings = [w for o in outcomes for w in o.warnings]
    return JobOutcome(result, placements, outcomes, timer.seconds, warnings)

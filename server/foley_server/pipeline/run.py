"""The stage sequence of one job: plan → (decode → see → hear → generate → master) per clip → conform."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Mapping, Sequence

import opentimelineio as otio
from foley_otio import FoleyItem

from ..config import STEM_LOUDNESS_LUFS, Profile, get_profile
from ..engines.base import CancelToken, ClipRequest, Engine, SoundSpec, VisualEvents, create_engine
from ..errors import Cancelled, FoleyError
from ..storage import ensure_writable_dir
from .analysis import ClipAnalysis
from .conform import Placement, conform
from .plan import ClipTask, plan_clips
from .progress import ProgressEvent, ProgressSink, StageTimer, ignore_progress
from .prompts import describe, heard, sound_spec
from .render import MasterSettings, RenderReport, render_clip

#: Models that follow on-screen speed rather than motion energy.
SPEED_DRIVEN = {"whoosh"}


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
    stems: dict[str, RenderReport] = field(default_factory=dict)  # role -> its own mastered WAV

    @property
    def ok(self) -> bool:
        return self.error is None and self.wav_path is not None


@dataclass
class JobOutcome:
    """Everything a job produced: the result timeline, placements, per-clip outcomes, timings."""

    timeline: otio.schema.Timeline
    placements: list[Placement]
    clips: list[ClipOutcome]
    seconds: dict[str, float]  # per stage, summed over clips; stages overlap in time
    warnings: list[str]
    wall_s: float = 0.0

    @property
    def failed(self) -> list[ClipOutcome]:
        return [c for c in self.clips if not c.ok]


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
        stems: bool = False,
        done: Mapping[str, Path] | None = None,
        on_clip: Callable[[ClipOutcome], None] = lambda outcome: None,
    ) -> None:
        self.stems = stems
        self.done = dict(done or {})  # clip id -> WAV a previous run of this job delivered
        self.on_clip = on_clip  # told of each clip as it finishes (a server records it at once)
        self.engine = engine
        self.profile = profile
        self.output_dir = output_dir
        self.progress = progress
        self.cancel = cancel or CancelToken()
        self.master = master

    def run(self, tasks: Sequence[ClipTask]) -> list[ClipOutcome]:
        """Clips in order; one thread decodes and analyses clip after clip while this one generates.

        Generation of a window waits only for the events it needs, so it follows decoding within a
        clip and the next clip's decoding overlaps the current clip's generation.
        """
        # Hear before decoding: the sound spec says whether the picture's speed must be measured.
        t0 = time.perf_counter()
        self.specs = {task.clip_id: sound_spec(task.prompt, task.negative_prompt) for task in tasks}
        self.hear_s = (time.perf_counter() - t0) / max(1, len(tasks))
        todo = [task for task in tasks if not self._already_done(task)]
        analyses = {
            task.clip_id: ClipAnalysis(task, self.profile, self.cancel, self._decode_progress(task, index, len(tasks)),
                                       flow=any(layer.model in SPEED_DRIVEN for layer in self.specs[task.clip_id].layers))
            for index, task in enumerate(tasks) if task in todo
        }
        worker = threading.Thread(target=lambda: [a.run() for a in analyses.values()], name="foley-analyse", daemon=True)
        worker.start()

        def every_clip() -> list[ClipOutcome]:
            outcomes = []
            for index, task in enumerate(tasks):
                if task.clip_id in analyses:
                    outcome = self._generate(task, index, len(tasks), analyses[task.clip_id])
                else:
                    outcome = self._resumed(task, index, len(tasks))
                self.on_clip(outcome)
                outcomes.append(outcome)
            return outcomes

        try:
            return _in_background_thread(every_clip, self.cancel)
        except BaseException:
            self.cancel.cancel()  # stop the analysis thread too
            raise
        finally:
            worker.join()

    def _already_done(self, task: ClipTask) -> bool:
        """A clip an earlier run of this job finished, its WAV still there (stems are always redone)."""
        wav = self.done.get(task.clip_id)
        return wav is not None and not self.stems and Path(wav).is_file()

    def _resumed(self, task: ClipTask, index: int, count: int) -> ClipOutcome:
        outcome = ClipOutcome(task, wav_path=Path(self.done[task.clip_id]), spec=self.specs[task.clip_id])
        outcome.warnings.extend(_sound_warnings(task, outcome.spec))
        self._emit("clip_done", task, index, count, message="finished before the restart; kept",
                   sound=heard(outcome.spec), warnings=outcome.spec.warnings)
        return outcome

    def _emit(self, type_: str, task: ClipTask, index: int, count: int, **kw) -> None:
        self.progress(ProgressEvent(type_, clip_id=task.clip_id, clip_name=task.name, clip_index=index, clip_count=count, **kw))

    def _decode_progress(self, task: ClipTask, index: int, count: int):
        def report(done: int, total: int) -> None:
            self._emit("progress", task, index, count, stage="decode", done=done, total=total)

        return report

    def _generate(self, task: ClipTask, index: int, count: int, analysis: ClipAnalysis) -> ClipOutcome:
        outcome = ClipOutcome(task)
        self._emit("started", task, index, count)
        outcome.spec = self.specs[task.clip_id]
        outcome.seconds["hear"] = self.hear_s
        outcome.warnings.extend(_sound_warnings(task, outcome.spec))
        request = ClipRequest(
            clip_id=task.clip_id,
            duration_s=task.duration_s,
            window_start_s=0.0,
            window_end_s=task.duration_s,
            events=VisualEvents.empty(task.duration_s),
            spec=outcome.spec,
            seed=task.seed,
            profile=self.profile,
        )

        def on_progress(stage: str, done: int, total: int) -> None:
            self._emit("progress", task, index, count, stage=stage, done=done, total=total)

        try:
            analysis.wait_probed()
            report = render_clip(
                self.engine,
                request,
                self.output_dir / task.wav_name,
                master=self.master,
                progress=on_progress,
                cancel=self.cancel,
                events_for=analysis.events_until,
            )
            outcome.events = analysis.final_events()
            if self.stems:
                outcome.stems = self._render_stems(task, request, analysis, on_progress)
        except Cancelled:
            raise
        except FoleyError as exc:
            outcome.error = str(exc)
            self._emit("clip_failed", task, index, count, message=outcome.error)
            return outcome
        finally:
            outcome.seconds.update(analysis.seconds)
            outcome.warnings.extend(analysis.warnings)
        outcome.report = report
        outcome.wav_path = report.wav_path
        outcome.seconds.update(report.seconds)
        self._emit("clip_done", task, index, count, message=describe(outcome.spec), sound=heard(outcome.spec),
                   warnings=outcome.spec.warnings)
        return outcome


    def _render_stems(self, task: ClipTask, request: ClipRequest, analysis: ClipAnalysis, on_progress) -> dict[str, RenderReport]:
        """One WAV per role present (events, movement, ambience), each at its own loudness."""
        reports = {}
        for role, target in STEM_LOUDNESS_LUFS.items():
            layers = tuple(layer for layer in request.spec.layers if layer.role == role)
            if not layers:
                continue
            stem_request = replace(request, spec=replace(request.spec, layers=layers))
            reports[role] = render_clip(
                self.engine,
                stem_request,
                self.output_dir / task.wav_name.replace(".wav", f".{role}.wav"),
                master=replace(self.master, target_lufs=target),
                progress=on_progress,
                cancel=self.cancel,
                events_for=analysis.events_until,
            )
        return reports


def _sound_warnings(task: ClipTask, spec: SoundSpec) -> list[str]:
    """The prompt's warnings, saying which clip they are about."""
    return [f"{task.name}: {warning}" for warning in spec.warnings]


def _foley_item(outcome: ClipOutcome, wav: Path, engine: str, profile: str, stem: str | None = None) -> FoleyItem:
    """What a Foley clip says about itself, so a re-run can replace it and a person can read it."""
    metadata = {
        "prompt": outcome.task.prompt or "",
        "negative_prompt": outcome.task.negative_prompt or "",
        "sound": describe(outcome.spec) if outcome.spec else "",
        "sound_warnings": list(outcome.spec.warnings) if outcome.spec else [],
        "engine": engine,
        "seed": outcome.task.seed,
        "profile": profile,
    }
    if stem:
        metadata["stem"] = stem
    return FoleyItem(outcome.task.clip_id, outcome.task.name, str(wav), outcome.task.source.record_range, metadata)


def _in_background_thread(work, cancel: CancelToken):
    """Run `work` in a thread of lower CPU priority and return its result.

    Decoding is the critical path and generation trails it; on a machine with few cores the
    scheduler should give decoding its share first. (Per-thread niceness is Linux behaviour;
    elsewhere this is a plain thread.)
    """
    result: dict = {}
    done = threading.Event()

    def target() -> None:
        try:
            if hasattr(os, "setpriority"):
                try:
                    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
                except OSError:
                    pass
            result["value"] = work()
        except BaseException as exc:
            result["error"] = exc
        finally:
            done.set()

    threading.Thread(target=target, name="foley-generate", daemon=True).start()
    # An Event, not Thread.join: a join interrupted by Ctrl-C cannot be waited on again (CPython
    # gh-90882), and after Ctrl-C we must wait for the generator to remove its temp files.
    try:
        while not done.wait(0.5):
            pass
    except BaseException:
        cancel.cancel()
        done.wait(30)
        raise
    if "error" in result:
        raise result["error"]
    return result["value"]


def run_job(
    timeline: otio.schema.Timeline,
    output_dir: Path,
    *,
    selectors: Sequence[str] | None = None,
    prompts: Mapping[str, str] | None = None,
    negative_prompts: Mapping[str, str] | None = None,
    seeds: Mapping[str, int] | None = None,
    engine: Engine | str = "procedural",
    device: str = "cpu",
    profile: str = "balanced",
    base_seed: int = 0,
    progress: ProgressSink = ignore_progress,
    cancel: CancelToken | None = None,
    stems: bool = False,
    done: Mapping[str, Path] | None = None,
    on_clip: Callable[[ClipOutcome], None] = lambda outcome: None,
) -> JobOutcome:
    """Plan, render every selected clip (but those in `done`, kept as they are), conform the result timeline."""
    started = time.perf_counter()
    timer = StageTimer()
    prof = get_profile(profile)
    with timer.stage("plan"):
        tasks = plan_clips(timeline, selectors=selectors, prompts=prompts, negative_prompts=negative_prompts,
                           seeds=seeds, base_seed=base_seed)
        output_dir = ensure_writable_dir(Path(output_dir))
    if isinstance(engine, str):  # an Engine instance is loaded already: its owner (a worker) keeps it resident
        engine = create_engine(engine)
        with timer.stage("load"):
            engine.load(device, prof)
    runner = JobRunner(engine, prof, output_dir, progress=progress, cancel=cancel, stems=stems, done=done,
                       on_clip=on_clip)
    outcomes = runner.run(tasks)
    for outcome in outcomes:
        for stage, seconds in outcome.seconds.items():
            timer.add(stage, seconds)
    with timer.stage("conform"):
        done = [o for o in outcomes if o.ok]
        items = [_foley_item(o, o.wav_path, engine.name, prof.name) for o in done]
        stem_items = {
            role: [_foley_item(o, o.stems[role].wav_path, engine.name, prof.name, stem=role) for o in done if role in o.stems]
            for role in STEM_LOUDNESS_LUFS
        }
        result, placements = conform(timeline, items, stem_items)
    warnings = [w for o in outcomes for w in o.warnings]
    return JobOutcome(result, placements, outcomes, timer.seconds, warnings, wall_s=time.perf_counter() - started)

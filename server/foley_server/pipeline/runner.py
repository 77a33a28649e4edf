"""The per-clip stages of a job: decode and see in one thread, hear and generate and master in another."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable, Mapping, Sequence

from ..config import STEM_LOUDNESS_LUFS, Profile
from ..engines.base import CancelToken, ClipRequest, Engine, SoundSpec, VisualEvents
from ..errors import Cancelled, FoleyError
from .analysis import ClipAnalysis
from .outcomes import ClipOutcome
from .plan import ClipTask
from .priority import run_at_lower_priority
from .progress import ProgressEvent, ProgressSink, ignore_progress
from .render import MasterSettings, RenderReport, StemOutput, render_clip


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
        self.specs = {task.clip_id: self.engine.interpret(task.prompt, task.negative_prompt) for task in tasks}
        self.hear_s = (time.perf_counter() - t0) / max(1, len(tasks))
        todo = [task for task in tasks if not self._already_done(task)]
        analyses = {
            task.clip_id: ClipAnalysis(task, self.profile, self.cancel, self._decode_progress(task, index, len(tasks)),
                                       flow=self.specs[task.clip_id].measure_speed)
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
            return run_at_lower_priority(every_clip, self.cancel)
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
        outcome.warnings.extend(f"{task.name}: {message}" for message in outcome.spec.warnings)
        self._emit("clip_done", task, index, count, message="finished before the restart; kept", sound=outcome.heard,
                   warnings=outcome.spec.warnings)
        return outcome

    def _emit(self, type_: str, task: ClipTask, index: int, count: int, **kw) -> None:
        self.progress(ProgressEvent(type_, clip_id=task.clip_id, clip_name=task.name, clip_index=index, clip_count=count, **kw))

    def _decode_progress(self, task: ClipTask, index: int, count: int):
        def report(done: int, total: int) -> None:
            self._emit("progress", task, index, count, stage="decode", done=done, total=total)

        return report

    def _generate(self, task: ClipTask, index: int, count: int, analysis: ClipAnalysis) -> ClipOutcome:
        outcome = ClipOutcome(task)
        self._emit("started", task, index, count, message=self.specs[task.clip_id].summary)
        outcome.spec = self.specs[task.clip_id]
        outcome.seconds["hear"] = self.hear_s
        for message in outcome.spec.warnings:  # what the engine could not honour in the prompt
            self._warn(outcome, task, index, count, message)
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

        def on_warning(message: str) -> None:
            self._warn(outcome, task, index, count, message)

        stems = self._stem_outputs(task, request.spec) if self.stems else {}
        one_pass = self.engine.capabilities().role_parts  # stems from the mix's own windows
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
                on_warning=on_warning,
                stems=stems if one_pass else None,
            )
            outcome.events = analysis.final_events()
            outcome.stems = report.stems if one_pass else self._render_stems(request, stems, analysis, on_progress,
                                                                             on_warning)
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
        self._emit("clip_done", task, index, count, message=outcome.sound, sound=outcome.heard,
                   warnings=outcome.spec.warnings)
        return outcome

    def _warn(self, outcome: ClipOutcome, task: ClipTask, index: int, count: int, message: str) -> None:
        """Said at once (an event) and kept with the clip (the result's warnings)."""
        outcome.warnings.append(f"{task.name}: {message}")
        self._emit("warning", task, index, count, message=message)

    def _stem_outputs(self, task: ClipTask, spec: SoundSpec) -> dict[str, StemOutput]:
        """One WAV per role present (events, movement, ambience), each at its own loudness."""
        return {role: StemOutput(self.output_dir / task.wav_name.replace(".wav", f".{role}.wav"),
                                 replace(self.master, target_lufs=target))
                for role, target in STEM_LOUDNESS_LUFS.items() if any(layer.role == role for layer in spec.layers)}

    def _render_stems(self, request: ClipRequest, stems: Mapping[str, StemOutput], analysis: ClipAnalysis,
                      on_progress, on_warning) -> dict[str, RenderReport]:
        """Each stem rendered again with its role's layers alone: for engines without role parts, whose
        renders are cheap (the procedural engine's)."""
        reports = {}
        for role, output in stems.items():
            layers = tuple(layer for layer in request.spec.layers if layer.role == role)
            reports[role] = render_clip(
                self.engine,
                replace(request, spec=replace(request.spec, layers=layers)),
                output.wav_path,
                master=output.master,
                progress=on_progress,
                cancel=self.cancel,
                events_for=analysis.events_until,
                on_warning=on_warning,
            )
        return reports

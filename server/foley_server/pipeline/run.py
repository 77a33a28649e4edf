"""One job from a timeline: plan the clips, run them through a loaded engine, conform the result timeline."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Mapping, Sequence

import opentimelineio as otio

from foley_otio import FoleyItem

from ..config import DEFAULT_PROFILE, STEM_LOUDNESS_LUFS, get_profile
from ..engines.base import CancelToken, Engine
from ..storage import ensure_writable_dir
from .conform import conform
from .outcomes import ClipOutcome, JobOutcome
from .plan import plan_clips
from .progress import ProgressSink, StageTimer, ignore_progress
from .runner import JobRunner


def _foley_item(outcome: ClipOutcome, wav: Path, engine: str, profile: str, stem: str | None = None) -> FoleyItem:
    """What a Foley clip says about itself, so a re-run can replace it and a person can read it."""
    metadata = {
        "prompt": outcome.task.prompt or "",
        "negative_prompt": outcome.task.negative_prompt or "",
        "sound": outcome.sound,
        "sound_warnings": list(outcome.spec.warnings) if outcome.spec else [],
        "engine": engine,
        "seed": outcome.task.seed,
        "profile": profile,
    }
    if stem:
        metadata["stem"] = stem
    return FoleyItem(outcome.task.clip_id, outcome.task.name, str(wav), outcome.task.source.record_range, metadata)


def run_job(
    timeline: otio.schema.Timeline,
    output_dir: Path,
    *,
    selectors: Sequence[str] | None = None,
    prompts: Mapping[str, str] | None = None,
    negative_prompts: Mapping[str, str] | None = None,
    seeds: Mapping[str, int] | None = None,
    engine: Engine,
    profile: str = DEFAULT_PROFILE,
    base_seed: int = 0,
    progress: ProgressSink = ignore_progress,
    cancel: CancelToken | None = None,
    stems: bool = False,
    done: Mapping[str, Path] | None = None,
    on_clip: Callable[[ClipOutcome], None] = lambda outcome: None,
) -> JobOutcome:
    """Plan, render every selected clip (but those in `done`, kept as they are), conform the result timeline.

    `engine` is loaded already: its owner (a worker, the CLI) loads it once and keeps it resident.
    """
    started = time.perf_counter()
    timer = StageTimer()
    prof = get_profile(profile)
    with timer.stage("plan"):
        tasks = plan_clips(timeline, selectors=selectors, prompts=prompts, negative_prompts=negative_prompts,
                           seeds=seeds, base_seed=base_seed)
        output_dir = ensure_writable_dir(Path(output_dir))
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

"""`foley generate`: read a timeline, add Foley, write the result timeline and its WAVs."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from foley_otio.errors import FoleyOtioError
from foley_otio.timeline_io import read_timeline, write_timeline

from .config import DEFAULT_ENGINE, DEFAULT_PROFILE, get_profile
from .engines.registry import create_engine
from .errors import OutputError, TimelineError
from .jobs.devices import resolve_devices
from .pictures import waveform_png
from .pipeline import decode_process
from .pipeline.plan import parse_prompt_args
from .pipeline.run import JobOutcome, run_job
from .storage import default_output_dir, ensure_writable_dir
from .terminal import ProgressBars, stage_table


def generate(
    input_path: Path,
    output_path: Path,
    *,
    clips: list[str] | None = None,
    prompts: dict[str, str] | None = None,
    engine: str = DEFAULT_ENGINE,
    weights: Path | None = None,
    profile: str = DEFAULT_PROFILE,
    device: str = "cpu",
    seed: int = 0,
    output_dir: Path | None = None,
    pictures: bool = True,
    edl_rate: float = 24.0,
    stems: bool = False,
    progress=None,
) -> JobOutcome:
    """The whole round trip through OTIO files; raises FoleyError before writing anything on bad input."""
    decode_process.warm_up()  # starts while the timeline is read and planned
    prof = get_profile(profile)
    loaded = create_engine(engine, weights)
    loaded.ready()  # missing extras or weights: say so before reading anything
    try:
        timeline = read_timeline(input_path, rate=edl_rate)
    except FoleyOtioError as exc:
        raise TimelineError(str(exc)) from None
    output_path = Path(output_path)
    ensure_writable_dir(output_path.parent if str(output_path.parent) else Path("."))
    wav_dir = Path(output_dir) if output_dir else default_output_dir(output_path)
    kwargs = {"progress": progress} if progress else {}
    t0 = time.perf_counter()
    loaded.load(device, prof)
    load_s = time.perf_counter() - t0
    try:
        outcome = run_job(timeline, wav_dir, selectors=clips, prompts=prompts, engine=loaded, profile=profile,
                          base_seed=seed, stems=stems, **kwargs)
    finally:
        loaded.unload()
    outcome.seconds = {"load": load_s, **outcome.seconds}
    outcome.wall_s += load_s
    if not any(c.ok for c in outcome.clips):
        return outcome  # nothing to deliver: leave no output timeline behind
    if pictures:
        t0 = time.perf_counter()
        for clip in outcome.clips:
            if clip.ok and clip.report is not None and clip.events is not None:
                waveform_png(clip.wav_path.with_suffix(".png"), clip.report.overview, clip.task.duration_s, clip.events,
                             f"{clip.task.name}: {clip.task.prompt or '(prompt from picture)'}")
        outcome.seconds["pictures"] = time.perf_counter() - t0
        outcome.wall_s += outcome.seconds["pictures"]
    try:
        write_timeline(outcome.timeline, output_path)  # atomic: temp file, fsync, rename
    except FoleyOtioError as exc:
        raise OutputError(str(exc)) from None
    return outcome


def report(outcome: JobOutcome, output_path: Path, stream=None) -> int:
    """Print what was made and what failed; the exit code says whether everything worked."""
    stream = stream or sys.stdout
    for clip in outcome.clips:
        if clip.ok:
            n = len(clip.events.onset_times_s) if clip.events is not None else 0
            print(f"  ok      {clip.task.name}: {clip.wav_path} ({n} visual events; gain {clip.report.gain_db:+.1f} dB)", file=stream)
        else:
            print(f"  FAILED  {clip.task.name}: {clip.error}", file=stream)
        if clip.spec is not None:  # what it heard: the prompt and the layers it became
            print(f"          {clip.heard}", file=stream)
    for warning in outcome.warnings:
        print(f"  warning: {warning}", file=stream)
    print("stage seconds:", file=stream)
    print(stage_table(outcome.seconds, outcome.wall_s), file=stream)
    done = sum(c.ok for c in outcome.clips)
    if done:
        print(f"wrote {output_path} ({done} of {len(outcome.clips)} clips with Foley)", file=stream)
    else:
        print(f"no clip could be processed; {output_path} was not written", file=stream)
    return 0 if done == len(outcome.clips) else 1


def generate_command(args: argparse.Namespace) -> int:
    bars = ProgressBars(enabled=not args.quiet)
    try:
        outcome = generate(
            args.input,
            args.output,
            clips=args.clip,
            prompts=parse_prompt_args(args.prompt),
            engine=args.engine,
            weights=args.weights,
            profile=args.profile,
            device=resolve_devices(args.device)[0],
            seed=args.seed,
            output_dir=args.output_dir,
            pictures=not args.no_pictures,
            edl_rate=args.edl_rate,
            stems=args.stems,
            progress=bars,
        )
    finally:
        bars.close()
    return report(outcome, args.output)

"""What a job must pass before it is queued: everything that can be known at submit is checked here,
so an accepted job fails only for what could not have been known (a file damaged past its header,
media moved away before the job ran).

The timeline is read once here to check it and kept as the OTIO JSON text that was checked; the
worker parses that text once and plans the same clips with the same code, `plan_clips`.
"""

from __future__ import annotations

import json
from pathlib import Path

import opentimelineio as otio

from foley_otio.errors import FoleyOtioError
from foley_otio.timeline_io import read_timeline

from ..engines.cache import EngineCache
from ..errors import FoleyError
from ..jobs.spec import MAX_SEED, JobSpec
from ..pipeline.media import VideoInfo, probe_video
from ..pipeline.plan import ClipTask, plan_clips
from .paths import check_output_dir, resolve_under
from .refusals import Refused, shown
from .schemas import JobRequest
from .timeline_limits import check_timeline_json

MAX_LISTED_CLIPS = 5


def admit(job: JobRequest, roots: list[Path], engines: EngineCache) -> JobSpec:
    """The job as it will be stored, or Refused saying what to change."""
    problem = engines.problem(job.engine)  # its extra not installed, its weights missing
    if problem is not None:
        raise Refused(422, f"engine {job.engine!r} cannot run on this server: {problem}")
    output_dir = resolve_under(job.output_dir, roots, "output_dir")
    check_output_dir(output_dir)
    timeline_path = None
    if job.timeline is not None:
        check_timeline_json(job.timeline)
        timeline_text = json.dumps(job.timeline)
        timeline = _inline_timeline(timeline_text)
    else:
        timeline_path = resolve_under(job.timeline_path, roots, "timeline_path")
        timeline = _timeline_file(timeline_path)
        # The job runs what was checked here, whatever becomes of the file before it starts.
        timeline_text = otio.adapters.write_to_string(timeline, "otio_json")
    spec = JobSpec(**job.model_dump(exclude={"timeline", "timeline_path", "output_dir"}), output_dir=str(output_dir),
                   timeline_text=timeline_text, timeline_path=str(timeline_path) if timeline_path else None)
    try:
        tasks = plan_clips(timeline, selectors=spec.selectors(), prompts=spec.prompts(),
                           negative_prompts=spec.negative_prompts(), seeds=spec.seeds(), base_seed=spec.seed)
    except (FoleyError, FoleyOtioError) as exc:  # unknown clip ids, retimed clips, no video clips
        raise Refused(422, str(exc)) from None
    _check_clips(tasks, roots)
    return spec


def _inline_timeline(text: str) -> otio.schema.Timeline:
    try:
        timeline = otio.adapters.read_from_string(text, "otio_json")
    except ValueError as exc:  # OTIO's parser on a structurally wrong document
        raise Refused(422, f"`timeline` is not a readable OTIO timeline: {shown(str(exc), 300)}") from None
    if not isinstance(timeline, otio.schema.Timeline):
        raise Refused(422, "`timeline` is OTIO JSON but not a Timeline; export the whole timeline")
    return timeline


def _timeline_file(path: Path) -> otio.schema.Timeline:
    if path.is_dir():
        raise Refused(422, f"timeline_path {path} is a folder; give the timeline file inside it")
    try:
        return read_timeline(path)
    except FoleyOtioError as exc:  # missing, unsupported or unreadable files
        raise Refused(422, str(exc)) from None


def _check_clips(tasks: list[ClipTask], roots: list[Path]) -> None:
    """Media under the allowed roots (403), seeds OTIO can record (422), and at least one clip that can be done
    (clips that cannot are left to the pipeline to explain, beside the others' Foley)."""
    for task in tasks:
        if task.media_path is not None:
            resolve_under(str(task.media_path), roots, f"media of clip {task.name!r}")
        if not 0 <= task.seed <= MAX_SEED:
            raise Refused(422, f"clip {task.name!r} has seed {shown(task.seed)} (from its metadata.foley.seed); "
                               f"seeds are whole numbers from 0 to {MAX_SEED}")
    probed: dict[Path, VideoInfo | str] = {}
    doomed = []
    for task in tasks:  # up to the first clip that can be done: media files past it are not opened
        reason = _cannot_do(task, probed)
        if reason is None:
            return
        doomed.append(reason)
    more = f"; and {len(doomed) - MAX_LISTED_CLIPS} more" if len(doomed) > MAX_LISTED_CLIPS else ""
    raise Refused(422, f"no selected clip can be processed: {'; '.join(doomed[:MAX_LISTED_CLIPS])}{more}")


def _cannot_do(task: ClipTask, probed: dict[Path, VideoInfo | str]) -> str | None:
    """Why a clip is sure to fail, if it is (the pipeline explains the same per clip when others succeed).

    Each media file is opened once (its header only: cheap) to see that it is video and long enough.
    """
    if task.duration_s <= 0:
        return f"clip {task.name!r} has zero length; trim it to at least one frame"
    if task.media_path is None:
        return f"clip {task.name!r} has no media file reference; relink it to a video file"
    if not task.media_path.is_file():
        return f"the media of clip {task.name!r} is not found at {task.media_path}; relink it"
    if task.media_path not in probed:
        try:
            probed[task.media_path] = probe_video(task.media_path)
        except FoleyError as exc:
            probed[task.media_path] = str(exc)
    info = probed[task.media_path]
    if isinstance(info, str):
        return f"clip {task.name!r}: {info}"
    half_frame = 0.5 / info.frame_rate if info.frame_rate > 0 else 0.0
    end = task.media_start_s + task.duration_s
    if info.duration_s > 0 and (task.media_start_s >= info.duration_s - half_frame or end <= half_frame):
        return (f"clip {task.name!r} uses {task.media_start_s:.3f}–{end:.3f} s of {task.media_path.name}, which is "
                f"{info.duration_s:.3f} s long; check the clip's in/out points against the media")
    return None

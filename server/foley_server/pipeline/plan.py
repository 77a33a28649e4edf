"""Turn an OTIO timeline plus the user's choices into clip tasks with plain seconds."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import opentimelineio as otio

from foley_otio import SourceClip, select_clips
from foley_otio.errors import FoleyOtioError

from ..errors import SelectionError
from ..storage import safe_name


@dataclass(frozen=True)
class ClipTask:
    """Everything the pipeline needs for one clip; OTIO stays in `source` for conform."""

    source: SourceClip
    clip_id: str
    name: str
    media_path: Path | None
    media_start_s: float  # seconds into the media file of the first visible frame
    duration_s: float
    prompt: str | None
    negative_prompt: str | None
    seed: int
    wav_name: str


def parse_prompt_args(items: Sequence[str]) -> dict[str, str]:
    """`NAME=TEXT` pairs from the command line; the name may be a clip name or clip id."""
    prompts: dict[str, str] = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise SelectionError(f"--prompt {item!r} is not NAME=TEXT; write e.g. --prompt \"Shot 3=boots on gravel\"")
        prompts[name.strip()] = text.strip()
    return prompts


def clip_seed(base_seed: int, clip_id: str) -> int:
    """A per-clip seed that is stable across runs and differs between clips."""
    digest = hashlib.sha1(f"{base_seed}:{clip_id}".encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF


def plan_clips(
    timeline: otio.schema.Timeline,
    *,
    selectors: Sequence[str] | None = None,
    prompts: Mapping[str, str] | None = None,
    negative_prompts: Mapping[str, str] | None = None,
    seeds: Mapping[str, int] | None = None,
    base_seed: int = 0,
) -> list[ClipTask]:
    """Select clips and resolve each one's prompt and seed (the request beats clip metadata).

    `prompts`, `negative_prompts` and `seeds` are keyed by clip name or clip id.
    """
    prompts = dict(prompts or {})
    try:
        clips = select_clips(timeline, list(selectors or []))
    except FoleyOtioError as exc:
        raise SelectionError(str(exc)) from None
    if not clips:
        raise SelectionError("the timeline has no enabled video clips; nothing to add Foley to")
    known = {c.name for c in clips} | {c.clip_id for c in clips}
    unknown = sorted((set(prompts) | set(negative_prompts or {}) | set(seeds or {})) - known)
    if unknown:
        raise SelectionError(
            f"--prompt names clips that are not selected: {', '.join(unknown)}; "
            f"selected clips: {', '.join(c.name for c in clips)}"
        )
    return [_task(clip, prompts, negative_prompts or {}, seeds or {}, base_seed) for clip in clips]


def _task(clip: SourceClip, prompts: Mapping[str, str], negative_prompts: Mapping[str, str],
          seeds: Mapping[str, int], base_seed: int) -> ClipTask:
    def chosen(choices: Mapping, default):
        return choices.get(clip.clip_id, choices.get(clip.name, default))

    seed = chosen(seeds, clip.seed)
    return ClipTask(
        source=clip,
        clip_id=clip.clip_id,
        name=clip.name,
        media_path=Path(clip.media_path) if clip.media_path else None,
        media_start_s=clip.media_start_s,
        duration_s=clip.duration_s,
        prompt=chosen(prompts, clip.prompt),
        negative_prompt=chosen(negative_prompts, clip.negative_prompt),
        seed=seed if seed is not None else clip_seed(base_seed, clip.clip_id),
        wav_name=f"{safe_name(clip.name)}_{clip.clip_id[:8]}.wav",
    )

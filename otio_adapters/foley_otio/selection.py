"""Which clips get Foley, and what each one asks for (prompt, seed) from its own metadata."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import opentimelineio as otio

from .errors import ClipNotFoundError, UnsupportedClipError
from .identity import clip_id
from .metadata import foley_metadata, is_generated_foley
from .ranges import TimeRange, check_no_retime, check_usable_range, media_start_s, record_range

PROMPT_MARKER = "foley"


@dataclass(frozen=True)
class SourceClip:
    """A picture clip on the timeline, with everything the Foley pipeline needs to know about it."""

    clip: otio.schema.Clip
    clip_id: str
    name: str
    track_index: int  # among all top-level tracks, 0-based
    track_name: str
    record_range: TimeRange  # track time at the timeline rate, global start excluded
    source_range: TimeRange  # on the media's clock
    media_path: str | None
    media_start_s: float  # seconds into the media file of the first visible frame
    duration_s: float
    prompt: str | None
    negative_prompt: str | None
    seed: int | None


def media_path(clip: otio.schema.Clip) -> str | None:
    """A local path for the clip's media, or None when it has no file (generators, missing refs)."""
    ref = clip.media_reference
    url = getattr(ref, "target_url", None)
    if not url:
        return None
    if url.startswith("file:"):
        return otio.url_utils.filepath_from_url(url)
    if "://" in url:
        return None  # remote media cannot be decoded locally
    return url


def clip_prompt(clip: otio.schema.Clip) -> str | None:
    """`metadata.foley.prompt`, else the comment of a marker named "Foley" on the clip."""
    prompt = foley_metadata(clip).get("prompt")
    if prompt:
        return str(prompt)
    for marker in clip.markers:
        if marker.name.strip().lower() == PROMPT_MARKER and marker.comment.strip():
            return marker.comment.strip()
    return None


def _source_clip(clip: otio.schema.Clip, track_index: int, track: otio.schema.Track, timeline) -> SourceClip:
    meta = foley_metadata(clip)
    seed = meta.get("seed")
    check_usable_range(clip)
    trimmed = clip.trimmed_range()
    return SourceClip(
        clip=clip,
        clip_id=clip_id(clip, track_index, timeline),
        name=clip.name or f"clip@{track.name}",
        track_index=track_index,
        track_name=track.name,
        record_range=record_range(clip, timeline),
        source_range=trimmed,
        media_path=media_path(clip),
        media_start_s=media_start_s(clip),
        duration_s=trimmed.duration.to_seconds(),
        prompt=clip_prompt(clip),
        negative_prompt=str(meta["negative_prompt"]) if meta.get("negative_prompt") else None,
        seed=int(seed) if isinstance(seed, (int, float)) and not isinstance(seed, bool) and math.isfinite(seed) else None,
    )


def source_clips(timeline: otio.schema.Timeline) -> list[SourceClip]:
    """Enabled clips on enabled top-level video tracks, in track then time order.

    Zero-length clips are included so the caller can report them instead of silently skipping.
    """
    clips = []
    for index, track in enumerate(timeline.tracks):
        if not isinstance(track, otio.schema.Track) or track.kind != otio.schema.TrackKind.Video or not track.enabled:
            continue
        for item in track:
            if isinstance(item, otio.schema.Clip) and item.enabled and not is_generated_foley(item):
                clips.append(_source_clip(item, index, track, timeline))
    return clips


def select_clips(timeline: otio.schema.Timeline, selectors: Sequence[str] | None = None) -> list[SourceClip]:
    """All source clips, or those whose name or clip id is among `selectors` (each must match).

    A zero-length clip is refused when named, but returned with all the others so the pipeline
    reports it per clip. A speed-changed clip is refused either way: its Foley would drift.
    """
    clips = source_clips(timeline)
    if not selectors:
        for clip in clips:
            check_no_retime(clip.clip)
        return clips
    chosen = []
    for selector in selectors:
        matches = [c for c in clips if selector in (c.name, c.clip_id)]
        if not matches:
            names = ", ".join(sorted({c.name for c in clips})) or "(none)"
            raise ClipNotFoundError(f"no video clip named or with id {selector!r}; clips on this timeline: {names}")
        for clip in matches:
            if clip.duration_s <= 0:
                raise UnsupportedClipError(f"clip {clip.name!r} has zero length; trim it to at least one frame")
            check_no_retime(clip.clip)
            if all(c.clip_id != clip.clip_id for c in chosen):
                chosen.append(clip)
    return chosen

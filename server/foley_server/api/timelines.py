"""What the server reads in a timeline file, for plugins that cannot run OTIO themselves.

DaVinci Resolve runs its scripts on a bare Python without opentimelineio: the Resolve plugin exports
the timeline, asks here which clips the export holds (by video track, record frame and name, as
Resolve shows them) and submits the job with the clip ids listed, so no OTIO time math lives in it.
"""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
from fastapi import APIRouter, HTTPException
from foley_otio import read_timeline, record_frames, source_clips, timeline_rate
from foley_otio.errors import FoleyOtioError
from foley_otio.ranges import global_start, to_frames
from foley_otio.resolve_dialect import is_resolve_timeline
from pydantic import BaseModel, Field

from .paths import PathRefused, resolve_under


class TimelineFile(BaseModel):
    """A timeline file under an allowed root (OTIO, OTIOZ, FCPXML, FCP 7 XML, EDL)."""

    timeline_path: str = Field(min_length=1, max_length=4096)


class ListedClip(BaseModel):
    """A picture clip as an editor shows it: frames include the timeline's start timecode."""

    clip_id: str
    name: str
    video_track: int  # 1-based among the timeline's video tracks, as Resolve numbers V1, V2, ...
    track_name: str
    record_start_frame: int
    duration_frames: int
    media_path: str | None
    prompt: str | None


class TimelineClips(BaseModel):
    name: str
    rate: float
    start_frame: int
    resolve_dialect: bool
    clips: list[ListedClip]


def router(roots: list[Path]) -> APIRouter:
    """The timeline routes, reading only under `roots`."""
    routes = APIRouter(tags=["timelines"])

    @routes.post("/v1/timelines/clips", response_model=TimelineClips)
    def timeline_clips(body: TimelineFile) -> TimelineClips:
        """The enabled picture clips of a timeline file, with the ids a job's `clips` take."""
        try:
            path = resolve_under(body.timeline_path, roots, "timeline_path")
            return _listing(read_timeline(path))
        except PathRefused as exc:
            raise HTTPException(exc.status, str(exc)) from None
        except FoleyOtioError as exc:  # unreadable files, nested sequences
            raise HTTPException(422, str(exc)) from None
        except OSError as exc:  # a name too long for the filesystem, a folder where a file should be
            raise HTTPException(422, f"timeline_path {body.timeline_path!r} cannot be read: {exc.strerror or exc}") from None

    return routes


def _listing(timeline: otio.schema.Timeline) -> TimelineClips:
    video_numbers = {}
    for index, track in enumerate(timeline.tracks):
        if isinstance(track, otio.schema.Track) and track.kind == otio.schema.TrackKind.Video:
            video_numbers[index] = len(video_numbers) + 1
    listed = []
    for clip in source_clips(timeline):
        start, duration = record_frames(clip.record_range, timeline)
        listed.append(ListedClip(clip_id=clip.clip_id, name=clip.name, video_track=video_numbers[clip.track_index],
                                 track_name=clip.track_name, record_start_frame=start, duration_frames=duration,
                                 media_path=clip.media_path, prompt=clip.prompt))
    rate = timeline_rate(timeline)
    return TimelineClips(name=timeline.name, rate=rate, start_frame=to_frames(global_start(timeline), rate),
                         resolve_dialect=is_resolve_timeline(timeline), clips=listed)

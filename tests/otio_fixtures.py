"""Timelines built in code around generated videos with events at known frames."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from foley_server.demo.footage import write_event_video


@dataclass
class EventClip:
    """A clip on a test timeline and where its events are, in media frames."""

    name: str
    media: Path
    media_rate: Fraction
    in_frame: int  # first visible media frame
    visible_frames: int
    event_frames: list[int]  # media frames with a visible event


def rational(frames: int, rate: Fraction) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, float(rate))


def event_clip(folder: Path, name: str, media_rate: Fraction, *, seconds: float = 4.0, in_s: float = 0.5,
               visible_s: float = 3.0, event_s=(1.25, 2.1, 2.9), kind: str = "flash") -> EventClip:
    n = int(round(seconds * media_rate))
    events = [int(round(t * media_rate)) for t in event_s]
    path = folder / f"{name}.mp4"
    write_event_video(path, fps=media_rate, n_frames=n, event_frames=events, kind=kind)
    return EventClip(name, path, media_rate, int(round(in_s * media_rate)), int(round(visible_s * media_rate)), events)


def otio_clip(ec: EventClip, *, media_tc_start: int = 0, metadata: dict | None = None) -> otio.schema.Clip:
    """An OTIO clip over `ec`; media_tc_start puts the media's first frame at a timecode like cameras do."""
    total = int(round(4.0 * ec.media_rate))
    ref = otio.schema.ExternalReference(
        target_url=otio.url_utils.url_from_filepath(str(ec.media.resolve())),
        available_range=otio.opentime.TimeRange(rational(media_tc_start, ec.media_rate), rational(total, ec.media_rate)),
    )
    clip = otio.schema.Clip(
        name=ec.name,
        media_reference=ref,
        source_range=otio.opentime.TimeRange(rational(media_tc_start + ec.in_frame, ec.media_rate),
                                             rational(ec.visible_frames, ec.media_rate)),
    )
    if metadata:
        clip.metadata["foley"] = metadata
    return clip


def timeline_with(clips: list[otio.schema.Clip], rate: Fraction, *, gap_s: float = 1.5,
                  global_tc: str = "01:00:00:00") -> otio.schema.Timeline:
    """Clips on V1 after a leading gap, on a timeline whose global start is a timecode (as Resolve's)."""
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    track.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(duration=rational(int(round(gap_s * rate)), rate))))
    for clip in clips:
        track.append(clip)
    timeline = otio.schema.Timeline(name="test cut", global_start_time=otio.opentime.from_timecode(global_tc, float(rate)))
    timeline.tracks.append(track)
    return timeline


def damaged_video(path: Path) -> Path:
    """A one-second MP4 whose picture data is zeroed: it opens and probes like video, and fails to decode
    (what a copy broken past its header looks like; only running the job can find out)."""
    write_event_video(path, fps=Fraction(25), n_frames=25, event_frames=[8], size=(64, 36))
    data = bytearray(path.read_bytes())
    at = data.find(b"mdat")
    size = int.from_bytes(data[at - 4:at], "big")
    data[at + 4:at - 4 + size] = bytes(size - 8)
    path.write_bytes(bytes(data))
    return path

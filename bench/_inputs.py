"""Benchmark inputs: long synthetic clips, made once and cached beside the benchmarks."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from foley_otio.timeline_io import write_timeline
from foley_server.demo.footage import write_long_video

CACHE = Path(__file__).resolve().parent / ".cache"


def long_clip(seconds: float, fps: int, size: tuple[int, int]) -> Path:
    """A cached H.264 clip with regular visible events."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"long_{int(seconds)}s_{size[1]}p{fps}.mp4"
    if not path.exists():
        tmp = path.with_suffix(".tmp.mp4")
        write_long_video(tmp, seconds, fps, size, events_every_s=0.8)
        tmp.replace(path)
    return path


def one_clip_timeline(media: Path, seconds: float, fps: int, folder: Path) -> Path:
    """A timeline holding the whole clip once, at the media's rate."""
    rate = float(Fraction(fps))
    clip = otio.schema.Clip(
        name="Long",
        media_reference=otio.schema.ExternalReference(target_url=otio.url_utils.url_from_filepath(str(media))),
        source_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(round(seconds * rate), rate)),
    )
    clip.metadata["foley"] = {"prompt": "footsteps on concrete, cloth movement, room tone"}
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    track.append(clip)
    timeline = otio.schema.Timeline(name="bench", global_start_time=otio.opentime.RationalTime(3600 * rate, rate))
    timeline.tracks.append(track)
    path = folder / f"bench_{int(seconds)}s.otio"
    write_timeline(timeline, path)
    return path

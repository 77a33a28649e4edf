"""Add or replace Foley clips on audio tracks, each exactly at its source clip's record range."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Sequence

import opentimelineio as otio

from . import resolve_dialect
from .errors import FoleyOtioError
from .metadata import NAMESPACE, foley_metadata, is_generated_foley
from .ranges import RationalTime, TimeRange, record_range

DEFAULT_TRACK = "Foley"


@dataclass(frozen=True)
class FoleyItem:
    """One rendered WAV and the record range it must cover."""

    clip_id: str
    source_name: str
    wav_path: str  # absolute filesystem path
    record_range: TimeRange
    metadata: dict = field(default_factory=dict)


def _is_foley_track(track, base: str) -> bool:
    """`base` or one of its overflow tracks ("Foley 2"), never a sibling such as "Foley FX"."""
    return (
        isinstance(track, otio.schema.Track)
        and track.kind == otio.schema.TrackKind.Audio
        and re.fullmatch(re.escape(base) + r"( \d+)?", track.name) is not None
    )


def remove_foley(timeline: otio.schema.Timeline, clip_ids: set[str] | None = None, track_name: str = DEFAULT_TRACK) -> None:
    """In place: turn generated Foley clips (of `clip_ids`, or all) into gaps so nothing else moves."""
    for track in timeline.tracks:
        if not _is_foley_track(track, track_name):
            continue
        for index, item in enumerate(list(track)):
            if isinstance(item, otio.schema.Clip) and is_generated_foley(item):
                if clip_ids is None or foley_metadata(item).get("clip_id") in clip_ids:
                    track[index] = otio.schema.Gap(source_range=TimeRange(duration=item.trimmed_range().duration))


def _occupied(track: otio.schema.Track) -> list[tuple[float, float]]:
    spans = []
    for item in track:
        if isinstance(item, otio.schema.Clip):
            r = track.range_of_child(item)
            spans.append((r.start_time.to_seconds(), r.end_time_exclusive().to_seconds()))
    return spans


def _fits(track: otio.schema.Track, rr: TimeRange) -> bool:
    start, end = rr.start_time.to_seconds(), rr.end_time_exclusive().to_seconds()
    eps = 1e-9
    return all(end <= s + eps or start >= e - eps for s, e in _occupied(track))


def _insert(track: otio.schema.Track, clip: otio.schema.Clip, rr: TimeRange) -> None:
    """Put `clip` at `rr` on a track that has room there, splitting the gap it lands in."""
    start, end = rr.start_time, rr.end_time_exclusive()
    for index, item in enumerate(list(track)):
        span = track.range_of_child(item)
        if isinstance(item, otio.schema.Gap) and span.start_time <= start and end <= span.end_time_exclusive():
            before = start - span.start_time
            after = span.end_time_exclusive() - end
            replacement = []
            if before.value > 0:
                replacement.append(otio.schema.Gap(source_range=TimeRange(duration=before)))
            replacement.append(clip)
            if after.value > 0:
                replacement.append(otio.schema.Gap(source_range=TimeRange(duration=after)))
            del track[index]
            for offset, new in enumerate(replacement):
                track.insert(index + offset, new)
            return
    track_end = track.trimmed_range().end_time_exclusive() if len(track) else RationalTime(0, start.rate)
    if start > track_end:
        track.append(otio.schema.Gap(source_range=TimeRange(duration=start - track_end)))
    track.append(clip)


def _foley_clip(item: FoleyItem, resolve: bool) -> otio.schema.Clip:
    duration = item.record_range.duration
    available = TimeRange(RationalTime(0, duration.rate), duration)
    url = item.wav_path if resolve else otio.url_utils.url_from_filepath(item.wav_path)
    clip = otio.schema.Clip(
        name=f"{item.source_name} Foley",
        media_reference=otio.schema.ExternalReference(target_url=url, available_range=available),
        source_range=available,
    )
    clip.metadata[NAMESPACE] = {**item.metadata, "generated": True, "clip_id": item.clip_id}
    if resolve:
        resolve_dialect.dress_clip(clip, item.wav_path)
    return clip


def place_foley_track(
    timeline: otio.schema.Timeline, items: Sequence[FoleyItem], track_name: str = DEFAULT_TRACK
) -> otio.schema.Timeline:
    """A copy of `timeline` with each item on a Foley track at its exact record range."""
    result = copy.deepcopy(timeline)
    remove_foley(result, {item.clip_id for item in items}, track_name)
    resolve = resolve_dialect.is_resolve_timeline(result)
    tracks = [t for t in result.tracks if _is_foley_track(t, track_name)]
    for item in sorted(items, key=lambda i: i.record_range.start_time.to_seconds()):
        target = next((t for t in tracks if _fits(t, item.record_range)), None)
        if target is None:
            target = otio.schema.Track(
                name=track_name if not tracks else f"{track_name} {len(tracks) + 1}", kind=otio.schema.TrackKind.Audio
            )
            if resolve:
                resolve_dialect.dress_track(target)
            result.tracks.append(target)
            tracks.append(target)
        clip = _foley_clip(item, resolve)
        _insert(target, clip, item.record_range)
        placed = record_range(clip, result)
        # Whole frames come out exact; fractional frames (hand-made mixed-rate timelines) to float precision.
        if (abs(placed.start_time.to_seconds() - item.record_range.start_time.to_seconds()) > 1e-9
                or abs(placed.duration.to_seconds() - item.record_range.duration.to_seconds()) > 1e-9):
            raise FoleyOtioError(
                f"internal error: Foley for {item.source_name!r} landed at {placed}, expected {item.record_range}; please report"
            )
    return result

"""Add or replace Foley clips on audio tracks, each exactly at its source clip's record range."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import opentimelineio as otio

from . import resolve_dialect
from .errors import FoleyOtioError
from .metadata import NAMESPACE, foley_metadata, is_generated_foley
from .ranges import RationalTime, TimeRange, record_range

DEFAULT_TRACK = "Foley"
# Seconds: sums of fractional frames (hand-made mixed-rate timelines) differ by float rounding only.
_EPS = 1e-9


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


def remove_foley(
    timeline: otio.schema.Timeline, clip_ids: Iterable[str] | None = None, track_name: str = DEFAULT_TRACK
) -> otio.schema.Timeline:
    """A copy of `timeline` without the generated Foley of `clip_ids` (or all of it); tracks stay."""
    result = copy.deepcopy(timeline)
    _clear_foley(result, None if clip_ids is None else set(clip_ids), track_name)
    return result


def _clear_foley(timeline: otio.schema.Timeline, clip_ids: set[str] | None, track_name: str) -> None:
    """In place: generated Foley clips become gaps of equal length so nothing else on the track moves."""
    for track in timeline.tracks:
        if not _is_foley_track(track, track_name):
            continue
        for index, item in enumerate(list(track)):
            if isinstance(item, otio.schema.Clip) and is_generated_foley(item):
                if clip_ids is None or foley_metadata(item).get("clip_id") in clip_ids:
                    track[index] = otio.schema.Gap(source_range=TimeRange(duration=item.trimmed_range().duration))


def _new_track_name(timeline: otio.schema.Timeline, base: str) -> str:
    """`base`, else the first free "base N": a deleted "Foley 2" must not lead to two "Foley 3"s."""
    taken = {track.name for track in timeline.tracks}
    if base not in taken:
        return base
    n = 2
    while f"{base} {n}" in taken:
        n += 1
    return f"{base} {n}"


def _occupied(track: otio.schema.Track) -> list[tuple[float, float]]:
    spans = []
    for item in track:
        if isinstance(item, otio.schema.Clip):
            r = track.range_of_child(item)
            spans.append((r.start_time.to_seconds(), r.end_time_exclusive().to_seconds()))
    return spans


def _fits(track: otio.schema.Track, rr: TimeRange) -> bool:
    start, end = rr.start_time.to_seconds(), rr.end_time_exclusive().to_seconds()
    return all(end <= s + _EPS or start >= e - _EPS for s, e in _occupied(track))


def _merge_gaps(track: otio.schema.Track) -> None:
    """Join neighbouring plain gaps: a removed Foley clip leaves one, and a longer new clip may span both."""
    index = 0
    while index + 1 < len(track):
        a, b = track[index], track[index + 1]
        if all(isinstance(g, otio.schema.Gap) and not (g.markers or g.effects or g.metadata) for g in (a, b)):
            joined = a.trimmed_range().duration + b.trimmed_range().duration
            del track[index + 1]
            track[index] = otio.schema.Gap(source_range=TimeRange(duration=joined))
        else:
            index += 1


def _insert(track: otio.schema.Track, clip: otio.schema.Clip, rr: TimeRange) -> None:
    """Put `clip` at `rr` on a track that has room there, splitting the gap it lands in."""
    start, end = rr.start_time, rr.end_time_exclusive()
    track_end = track.trimmed_range().end_time_exclusive() if len(track) else RationalTime(0, end.rate)
    if end.to_seconds() > track_end.to_seconds() + _EPS:
        # Pad to the clip's end first, so one gap (after merging) always holds the whole range.
        track.append(otio.schema.Gap(source_range=TimeRange(duration=end - track_end)))
    _merge_gaps(track)
    for index, item in enumerate(list(track)):
        span = track.range_of_child(item)
        if (isinstance(item, otio.schema.Gap) and span.start_time.to_seconds() - _EPS <= start.to_seconds()
                and end.to_seconds() <= span.end_time_exclusive().to_seconds() + _EPS):
            before = start - span.start_time
            after = span.end_time_exclusive() - end
            replacement = []
            if before.to_seconds() > _EPS:
                replacement.append(otio.schema.Gap(source_range=TimeRange(duration=before)))
            replacement.append(clip)
            if after.to_seconds() > _EPS:
                replacement.append(otio.schema.Gap(source_range=TimeRange(duration=after)))
            del track[index]
            for offset, new in enumerate(replacement):
                track.insert(index + offset, new)
            return
    raise FoleyOtioError(f"internal error: no room for {clip.name!r} at {rr} on track {track.name!r}; please report")


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
    _clear_foley(result, {item.clip_id for item in items}, track_name)
    resolve = resolve_dialect.is_resolve_timeline(result)
    tracks = [t for t in result.tracks if _is_foley_track(t, track_name)]
    for item in sorted(items, key=lambda i: i.record_range.start_time.to_seconds()):
        target = next((t for t in tracks if _fits(t, item.record_range)), None)
        if target is None:
            target = otio.schema.Track(name=_new_track_name(result, track_name), kind=otio.schema.TrackKind.Audio)
            if resolve:
                resolve_dialect.dress_track(target)
            result.tracks.append(target)
            tracks.append(target)
        clip = _foley_clip(item, resolve)
        _insert(target, clip, item.record_range)
        placed = record_range(clip, result)
        # Whole frames come out exact; fractional frames (hand-made mixed-rate timelines) to float precision.
        if (abs(placed.start_time.to_seconds() - item.record_range.start_time.to_seconds()) > _EPS
                or abs(placed.duration.to_seconds() - item.record_range.duration.to_seconds()) > _EPS):
            raise FoleyOtioError(
                f"internal error: Foley for {item.source_name!r} landed at {placed}, expected {item.record_range}; please report"
            )
    return result

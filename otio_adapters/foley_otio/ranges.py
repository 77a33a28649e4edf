"""All OTIO time math of the project, once: record ranges, media offsets, frames."""

from __future__ import annotations

import math

import opentimelineio as otio

from .errors import UnsupportedClipError

RationalTime = otio.opentime.RationalTime
TimeRange = otio.opentime.TimeRange

_RETIMES = (otio.schema.LinearTimeWarp, otio.schema.FreezeFrame)


def timeline_rate(timeline: otio.schema.Timeline) -> float:
    """The timeline's frame rate: its start time's rate, else its first clip's, else 24."""
    if timeline.global_start_time is not None:
        return timeline.global_start_time.rate
    for clip in timeline.find_clips():
        return clip.trimmed_range().duration.rate
    return 24.0


def global_start(timeline: otio.schema.Timeline) -> RationalTime:
    """Where the timeline starts on the editor's clock (01:00:00:00 in Resolve), zero if unset."""
    return timeline.global_start_time or RationalTime(0, timeline_rate(timeline))


def check_no_retime(clip: otio.schema.Clip) -> None:
    """Refuse speed changes: the Foley would drift from the picture."""
    for effect in clip.effects:
        if isinstance(effect, _RETIMES):
            raise UnsupportedClipError(
                f"clip {clip.name!r} has a speed change ({effect.effect_name or type(effect).__name__}); "
                "remove the retime or render the clip to a new file first"
            )


def record_range(item: otio.core.Item, timeline: otio.schema.Timeline) -> TimeRange:
    """The item's visible range in the timeline's track time (0 = timeline start, global start excluded)."""
    track = item.parent()
    if track is None or track.parent() is None:
        raise UnsupportedClipError(f"{item.name!r} is not on a track of timeline {timeline.name!r}")
    if track.parent() is not timeline.tracks:
        raise UnsupportedClipError(
            f"{item.name!r} is inside a nested sequence/compound clip; decompose it in your editor first"
        )
    in_track = track.range_of_child(item)
    rate = timeline_rate(timeline)
    return TimeRange(_at_rate(in_track.start_time, rate), _at_rate(in_track.duration, rate))


def _at_rate(t: RationalTime, rate: float) -> RationalTime:
    """`t` at `rate`, snapped to the whole frame it is within 1e-6 frames of.

    Editors' timelines are whole frames; mixed media rates make the sums land a few ULPs off
    (72 frames at 24 computed from 75 at 25), and OTIO's JSON reader is itself 1 ULP lossy, so
    exact equality needs whole numbers. Truly fractional positions are kept as they are.
    """
    value = t.value_rescaled_to(rate)
    nearest = round(value)
    return RationalTime(float(nearest) if abs(value - nearest) < 1e-6 else value, rate)


def media_start_s(clip: otio.schema.Clip) -> float:
    """Seconds into the media file of the clip's first visible frame.

    Camera media often starts at a timecode (e.g. 10:00:00:00): the available range says where,
    and the source range is expressed on that clock.
    """
    start = clip.trimmed_range().start_time
    ref = clip.media_reference
    available = getattr(ref, "available_range", None)
    if available is not None:
        start = start - available.start_time.rescaled_to(start.rate)
    return start.to_seconds()


def to_frames(t: RationalTime, rate: float) -> int:
    """Whole frames at `rate`, rounding to the nearest frame (halves up, unlike round())."""
    return math.floor(t.value_rescaled_to(rate) + 0.5)


def record_frames(record: TimeRange, timeline: otio.schema.Timeline) -> tuple[int, int]:
    """A record range as an editor shows it: (first frame, global start included; length in frames)."""
    rate = timeline_rate(timeline)
    return to_frames(global_start(timeline), rate) + to_frames(record.start_time, rate), to_frames(record.duration, rate)

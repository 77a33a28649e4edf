"""OTIO time math: record ranges, media offsets and frames, exact at every common rate."""

from __future__ import annotations

import opentimelineio as otio
import pytest

from foley_otio import UnsupportedClipError, global_start, record_range, timeline_rate, to_frames
from foley_otio.ranges import check_no_retime, source_start_in_media_s

RT, TR = otio.opentime.RationalTime, otio.opentime.TimeRange
RATES = [24000 / 1001, 24.0, 25.0, 30000 / 1001, 30.0, 50.0, 60000 / 1001]


def _timeline(rate: float, gap_frames: int, clip: otio.schema.Clip, start_tc: str | None = "01:00:00:00") -> otio.schema.Timeline:
    track = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    track.append(otio.schema.Gap(source_range=TR(duration=RT(gap_frames, rate))))
    track.append(clip)
    timeline = otio.schema.Timeline(global_start_time=otio.opentime.from_timecode(start_tc, rate) if start_tc else None)
    timeline.tracks.append(track)
    return timeline


def _clip(rate: float, start: int, duration: int, available_start: int | None = None) -> otio.schema.Clip:
    ref = otio.schema.ExternalReference(target_url="file:///media/a.mov")
    if available_start is not None:
        ref.available_range = TR(RT(available_start, rate), RT(10_000, rate))
    return otio.schema.Clip(name="a", media_reference=ref, source_range=TR(RT(start, rate), RT(duration, rate)))


@pytest.mark.parametrize("rate", RATES, ids=lambda r: f"{r:.3f}")
def test_record_range_is_exact_and_excludes_global_start(rate):
    clip = _clip(rate, start=37, duration=101)
    timeline = _timeline(rate, gap_frames=53, clip=clip)
    rr = record_range(clip, timeline)
    assert rr.start_time == RT(53, rate) and rr.duration == RT(101, rate)
    assert rr.start_time.rate == rate
    assert global_start(timeline) == otio.opentime.from_timecode("01:00:00:00", rate)
    assert timeline_rate(timeline) == rate


def test_media_rate_differs_from_timeline_rate():
    clip = _clip(25.0, start=10, duration=75)  # 3 s of 25 fps media
    timeline = _timeline(24.0, gap_frames=24, clip=clip)
    rr = record_range(clip, timeline)
    assert rr.start_time == RT(24, 24) and rr.duration.to_seconds() == pytest.approx(3.0)
    assert rr.duration.rate == 24.0 and to_frames(rr.duration, 24.0) == 72


def test_media_start_follows_the_media_timecode():
    tc = 10 * 3600 * 25
    clip = _clip(25.0, start=tc + 50, duration=25, available_start=tc)
    assert source_start_in_media_s(clip) == pytest.approx(2.0)
    assert source_start_in_media_s(_clip(25.0, start=50, duration=25)) == pytest.approx(2.0)


def test_timeline_without_global_start_starts_at_zero():
    clip = _clip(30.0, 0, 30)
    timeline = _timeline(30.0, 0, clip, start_tc=None)
    assert global_start(timeline) == RT(0, 30.0)


def test_speed_change_is_refused_with_advice():
    clip = _clip(24.0, 0, 48)
    clip.effects.append(otio.schema.LinearTimeWarp(time_scalar=2.0))
    with pytest.raises(UnsupportedClipError, match="speed change"):
        check_no_retime(clip)


def test_clip_in_nested_stack_is_refused():
    inner = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    clip = _clip(24.0, 0, 24)
    inner.append(clip)
    stack = otio.schema.Stack()
    stack.append(inner)
    timeline = _timeline(24.0, 0, otio.schema.Clip(name="b", source_range=TR(duration=RT(1, 24))))
    timeline.tracks[0].append(stack)
    with pytest.raises(UnsupportedClipError, match="nested"):
        record_range(clip, timeline)

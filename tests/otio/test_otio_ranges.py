"""OTIO time math: record ranges, media offsets and frames, exact at every common rate."""

from __future__ import annotations

import opentimelineio as otio
import pytest

from foley_otio import UnsupportedClipError, check_no_retime, global_start, media_start_s, record_range, timeline_rate, to_frames

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
    clip = _clip(rate, start=37, duration=101)  # source offset 37 frames, after a 53-frame gap
    timeline = _timeline(rate, gap_frames=53, clip=clip)
    rr = record_range(clip, timeline)
    assert rr.start_time == RT(53, rate) and rr.duration == RT(101, rate)
    assert rr.start_time.rate == rate and rr.duration.rate == rate
    assert global_start(timeline) == otio.opentime.from_timecode("01:00:00:00", rate)
    assert timeline_rate(timeline) == rate


def test_global_start_at_one_hour_is_86400_frames_at_24():
    timeline = _timeline(24.0, 10, _clip(24.0, 0, 24))
    assert global_start(timeline) == RT(86400, 24)
    assert record_range(timeline.tracks[0][1], timeline).start_time == RT(10, 24)  # not 86410


def test_media_rate_differs_from_timeline_rate():
    clip = _clip(25.0, start=10, duration=75)  # 3 s of 25 fps media
    timeline = _timeline(24.0, gap_frames=24, clip=clip)
    rr = record_range(clip, timeline)
    assert rr.start_time == RT(24, 24) and rr.duration == RT(72, 24)  # whole frames, exact
    assert rr.duration.to_seconds() == clip.source_range.duration.to_seconds() == 3.0
    assert to_frames(rr.duration, 24.0) == 72
    assert media_start_s(clip) == pytest.approx(10 / 25)


def test_media_start_follows_the_media_timecode():
    tc = 10 * 3600 * 25  # camera media starting at 10:00:00:00
    clip = _clip(25.0, start=tc + 50, duration=25, available_start=tc)
    assert media_start_s(clip) == pytest.approx(2.0)
    assert media_start_s(_clip(25.0, start=50, duration=25)) == pytest.approx(2.0)  # no available range


def test_media_start_with_available_range_at_another_rate():
    clip = _clip(25.0, start=90_000 + 50, duration=25)
    clip.media_reference.available_range = TR(RT(3600 * 50, 50), RT(1000, 50))  # 01:00:00:00 on a 50 fps clock
    assert media_start_s(clip) == pytest.approx(2.0)


def test_timeline_rate_without_global_start_comes_from_the_first_clip_else_24():
    clip = _clip(30.0, 0, 30)
    timeline = _timeline(30.0, 0, clip, start_tc=None)
    assert global_start(timeline) == RT(0, 30.0) and timeline_rate(timeline) == 30.0
    assert timeline_rate(otio.schema.Timeline()) == 24.0 and global_start(otio.schema.Timeline()) == RT(0, 24)


def test_to_frames_rounds_to_the_nearest_frame_halves_up():
    assert to_frames(RT(1.0, 1), 24000 / 1001) == 24  # 23.976 frames
    assert to_frames(RT(2.5, 24), 24) == 3 and to_frames(RT(3.5, 24), 24) == 4
    assert to_frames(RT(86400, 24), 25) == 90000


def test_speed_change_is_refused_with_advice():
    for effect in (otio.schema.LinearTimeWarp(time_scalar=2.0), otio.schema.FreezeFrame()):
        clip = _clip(24.0, 0, 48)
        clip.effects.append(effect)
        with pytest.raises(UnsupportedClipError, match="speed change.*remove the retime"):
            check_no_retime(clip)
    check_no_retime(_clip(24.0, 0, 48))  # no effect: no error


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


def test_clip_outside_any_timeline_is_refused():
    with pytest.raises(UnsupportedClipError, match="not on a track"):
        record_range(_clip(24.0, 0, 24), otio.schema.Timeline(name="cut"))

"""Clip selection, identity and per-clip prompts as the editors and the CLI see them."""

from __future__ import annotations

import opentimelineio as otio
import pytest

from foley_otio import ClipNotFoundError, UnsupportedClipError, clip_id, select_clips, source_clips

RT, TR = otio.opentime.RationalTime, otio.opentime.TimeRange


def _clip(name: str, frames: int = 48, url: str | None = "file:///media/x.mov", **meta) -> otio.schema.Clip:
    ref = otio.schema.ExternalReference(target_url=url) if url else otio.schema.MissingReference()
    clip = otio.schema.Clip(name=name, media_reference=ref, source_range=TR(RT(0, 24), RT(frames, 24)))
    if meta:
        clip.metadata["foley"] = meta
    return clip


def _timeline(*tracks: otio.schema.Track) -> otio.schema.Timeline:
    timeline = otio.schema.Timeline()
    timeline.tracks.extend(tracks)
    return timeline


def _video(*items, enabled: bool = True, name: str = "V") -> otio.schema.Track:
    track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Video)
    track.extend(items)
    track.enabled = enabled
    return track


def test_all_enabled_video_clips_in_order_skipping_gaps_audio_disabled_and_generated():
    off = _clip("off")
    off.enabled = False
    audio = otio.schema.Track(kind=otio.schema.TrackKind.Audio)
    audio.append(_clip("dialogue"))
    timeline = _timeline(
        _video(_clip("A"), otio.schema.Gap(source_range=TR(duration=RT(10, 24))), off, _clip("B")),
        _video(_clip("hidden"), enabled=False),
        audio,
        _video(_clip("old foley", generated=True)),
    )
    clips = source_clips(timeline)
    assert [c.name for c in clips] == ["A", "B"]
    assert clips[1].record_range.start_time == RT(48 + 10 + 48, 24)  # a disabled clip still takes its place
    assert clips[0].media_path == "/media/x.mov"


def test_select_by_name_and_by_id_and_unknown_name_lists_available():
    timeline = _timeline(_video(_clip("Shot 1"), _clip("Shot 2", url="file:///media/y.mov")))
    all_clips = select_clips(timeline, None)
    assert [c.name for c in select_clips(timeline, ["Shot 2"])] == ["Shot 2"]
    assert [c.name for c in select_clips(timeline, [all_clips[0].clip_id])] == ["Shot 1"]
    with pytest.raises(ClipNotFoundError) as err:
        select_clips(timeline, ["Shot 9"])
    assert "Shot 9" in str(err.value) and "Shot 1" in str(err.value) and "Shot 2" in str(err.value)


def test_zero_length_clip_selected_by_name_is_refused():
    timeline = _timeline(_video(_clip("Empty", frames=0)))
    with pytest.raises(UnsupportedClipError, match="zero length"):
        select_clips(timeline, ["Empty"])
    assert [c.duration_s for c in select_clips(timeline, None)] == [0.0]


def test_clip_ids_are_stable_distinct_and_overridable():
    def build():
        return _timeline(_video(_clip("A"), _clip("A"), _clip("B", clip_id="given-42")))

    first, second = source_clips(build()), source_clips(build())
    assert [c.clip_id for c in first] == [c.clip_id for c in second]
    assert len({c.clip_id for c in first}) == 3
    assert first[2].clip_id == "given-42"
    timeline = build()
    assert clip_id(timeline.tracks[0][0], 0, timeline) != clip_id(timeline.tracks[0][0], 1, timeline)


def test_prompt_from_metadata_beats_marker_and_marker_comment_is_used():
    with_meta = _clip("A", prompt="glass breaking", negative_prompt="wind", seed=9)
    with_marker = _clip("B")
    with_marker.markers.append(otio.schema.Marker(name="FOLEY", comment="boots on snow"))
    with_marker.markers.append(otio.schema.Marker(name="note", comment="not a prompt"))
    clips = source_clips(_timeline(_video(with_meta, with_marker, _clip("C"))))
    assert (clips[0].prompt, clips[0].negative_prompt, clips[0].seed) == ("glass breaking", "wind", 9)
    assert clips[1].prompt == "boots on snow"
    assert clips[2].prompt is None and clips[2].seed is None


def test_clips_without_local_media_have_no_path():
    clips = source_clips(_timeline(_video(_clip("missing", url=None), _clip("remote", url="https://example.com/a.mov"))))
    assert [c.media_path for c in clips] == [None, None]


def test_source_clip_carries_track_ranges_and_media_offsets():
    gap = otio.schema.Gap(source_range=TR(duration=RT(12, 24)))
    clip = otio.schema.Clip(
        name="Shot", source_range=TR(RT(36_000 + 48, 24), RT(24, 24)),
        media_reference=otio.schema.ExternalReference(target_url="/plain/path/shot.mov",
                                                      available_range=TR(RT(36_000, 24), RT(1000, 24))),
    )
    audio = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio)
    timeline = _timeline(audio, _video(gap, clip, name="V1"))
    (sc,) = source_clips(timeline)
    assert (sc.track_index, sc.track_name) == (1, "V1")  # index among all top-level tracks
    assert sc.record_range == TR(RT(12, 24), RT(24, 24))
    assert sc.source_range == clip.source_range
    assert sc.media_path == "/plain/path/shot.mov"  # plain paths are kept as they are
    assert sc.media_start_s == pytest.approx(2.0) and sc.duration_s == pytest.approx(1.0)
    assert len(sc.clip_id) == 16 and int(sc.clip_id, 16) >= 0


def test_retimed_clip_is_refused_with_advice():
    fast = _clip("Fast")
    fast.effects.append(otio.schema.LinearTimeWarp(time_scalar=2.0))
    timeline = _timeline(_video(_clip("Normal"), fast))
    with pytest.raises(UnsupportedClipError, match="'Fast' has a speed change"):
        select_clips(timeline, ["Fast"])
    with pytest.raises(UnsupportedClipError, match="speed change"):
        select_clips(timeline, None)
    assert [c.name for c in select_clips(timeline, ["Normal"])] == ["Normal"]


def test_selecting_a_clip_twice_returns_it_once_in_selector_order():
    timeline = _timeline(_video(_clip("A"), _clip("B", url="file:///media/b.mov")))
    ids = {c.name: c.clip_id for c in source_clips(timeline)}
    assert [c.name for c in select_clips(timeline, ["B", "A", ids["B"]])] == ["B", "A"]

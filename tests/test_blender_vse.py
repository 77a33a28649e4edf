"""Blender sequencer descriptions to OTIO and placements back to sound strips (format code, no bpy)."""

from __future__ import annotations

import json
from fractions import Fraction

import opentimelineio as otio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foley_otio import record_range, select_clips
from foley_otio.blender_vse import (SoundStripPlan, VseError, VseScene, VseStrip, media_rate_mismatches,
                                    placements_to_sound_strips, scene_rate, timeline_from_vse, vse_from_dict,
                                    vse_to_dict, vse_to_json)
from foley_server.demo.footage import write_event_video

SCENE_RATES = [(24, 1.001), (25, 1.0), (30, 1.001)]


def _scene(fps: int, fps_base: float, strips: list[VseStrip], frame_start: int = 1) -> VseScene:
    return VseScene("Scene", fps, fps_base, frame_start, tuple(strips))


def _strips(tmp_path) -> list[VseStrip]:
    movie = str(tmp_path / "a.mp4")
    return [
        # left trim of 12 frames, starts at scene frame 100
        VseStrip("A", "movie", 2, frame_start=88, frame_final_start=100, frame_final_end=160, filepath=movie,
                 media_frame_count=200, selected=True, prompt="footsteps", strip_id="id-a"),
        # right trim only, later on the same channel
        VseStrip("B", "movie", 2, frame_start=300, frame_final_start=300, frame_final_end=337, filepath=movie,
                 media_frame_count=200, strip_id="id-b"),
        VseStrip("C", "movie", 3, frame_start=150, frame_final_start=170, frame_final_end=230, filepath=movie,
                 strip_id="id-c", negative_prompt="rain"),
        VseStrip("Music", "sound", 1, frame_start=1, frame_final_start=1, frame_final_end=400,
                 filepath=str(tmp_path / "m.wav")),
    ]


@pytest.mark.parametrize("fps, fps_base", SCENE_RATES, ids=["23.976", "25", "29.97"])
def test_record_and_source_ranges_equal_the_strips_exactly_after_a_json_round_trip(tmp_path, fps, fps_base):
    scene = _scene(fps, fps_base, _strips(tmp_path))
    text = otio.adapters.write_to_string(timeline_from_vse(scene), "otio_json")
    timeline = otio.adapters.read_from_string(text, "otio_json")
    rate = float(scene_rate(fps, fps_base))
    assert timeline.global_start_time == otio.opentime.RationalTime(1, rate)
    clips = {c.name: c for c in timeline.find_clips()}
    for strip in scene.strips:
        clip = clips[strip.name]
        recorded = record_range(clip, timeline)
        assert recorded.start_time == otio.opentime.RationalTime(strip.frame_final_start - scene.frame_start, rate)
        assert recorded.duration == otio.opentime.RationalTime(strip.length, rate)
        assert clip.source_range.start_time == otio.opentime.RationalTime(strip.frame_final_start - strip.frame_start, rate)
        assert clip.metadata["blender"]["channel"] == strip.channel
    assert [t.name for t in timeline.tracks] == ["Channel 1", "Channel 2", "Channel 3"]
    assert timeline.tracks[0].kind == otio.schema.TrackKind.Audio
    assert clips["A"].metadata["foley"] == {"prompt": "footsteps", "clip_id": "id-a"}
    assert clips["C"].metadata["foley"]["negative_prompt"] == "rain"


def test_the_server_side_selects_the_strips_by_their_ids(tmp_path):
    timeline = timeline_from_vse(_scene(25, 1.0, _strips(tmp_path)))
    chosen = select_clips(timeline, ["id-a", "id-c"])
    assert [(c.clip_id, c.prompt, c.negative_prompt) for c in chosen] == [("id-a", "footsteps", None), ("id-c", None, "rain")]


def test_the_otio_adapter_plugin_reads_a_description_file(tmp_path):
    scene = _scene(24, 1.001, _strips(tmp_path))
    path = tmp_path / "cut.blendvse"
    path.write_text(vse_to_json(scene))
    timeline = otio.adapters.read_from_file(str(path))
    assert otio.adapters.write_to_string(timeline, "otio_json") == otio.adapters.write_to_string(
        timeline_from_vse(scene), "otio_json")
    assert vse_from_dict(json.loads(path.read_text())) == scene == vse_from_dict(vse_to_dict(scene))


@pytest.mark.parametrize("change, message", [
    ({"filepath": "relative.mp4"}, "relative"),
    ({"frame_final_end": 100}, "no visible frames"),
    ({"kind": "text"}, "kind 'text'"),
    ({"channel": 0}, "channel 0"),
    ({"frame_start": 120}, "starts before its media"),
])
def test_bad_strips_are_refused_naming_the_strip(tmp_path, change, message):
    strips = _strips(tmp_path)
    bad = VseStrip(**{**vse_to_dict(_scene(25, 1.0, strips[:1]))["strips"][0], **change})
    with pytest.raises(VseError, match=message) as refused:
        timeline_from_vse(_scene(25, 1.0, [bad]))
    assert "'A'" in str(refused.value)


def test_overlapping_strips_on_a_channel_and_mixed_channels_are_refused(tmp_path):
    a, b = _strips(tmp_path)[:2]
    overlapping = VseStrip(**{**vse_to_dict(_scene(25, 1.0, [b]))["strips"][0], "frame_start": 150, "frame_final_start": 150})
    with pytest.raises(VseError, match="overlap"):
        timeline_from_vse(_scene(25, 1.0, [a, overlapping]))
    sound_on_2 = VseStrip("S", "sound", 2, 400, 400, 450, str(tmp_path / "s.wav"))
    with pytest.raises(VseError, match="mixes sound and picture"):
        timeline_from_vse(_scene(25, 1.0, [a, sound_on_2]))
    with pytest.raises(VseError, match="not a Blender sequencer"):
        vse_from_dict({"name": "x"})


def test_rate_mismatches_are_reported_not_hidden(tmp_path):
    strips = _strips(tmp_path)
    at_25 = VseStrip(**{**vse_to_dict(_scene(25, 1.0, strips[:1]))["strips"][0], "media_rate": 25.0})
    assert media_rate_mismatches(_scene(25, 1.0, [at_25])) == []
    assert media_rate_mismatches(_scene(24, 1.001, [VseStrip(**{**vse_to_dict(_scene(25, 1.0, [at_25]))["strips"][0],
                                                                 "media_rate": 24000 / 1001})])) == []
    (message,) = media_rate_mismatches(_scene(24, 1.0, [at_25]))
    assert "25.000 fps" in message and "24.000 fps" in message and "'A'" in message


def test_placements_land_on_the_source_strips_frames_above_the_picture(tmp_path):
    scene = _scene(25, 1.0, _strips(tmp_path))
    placements = [  # as the server computes them: timeline frames, global start (scene start) included
        {"clip_id": "id-a", "path": "/w/a.wav", "record_start_frame": 100, "duration_frames": 60},
        {"clip_id": "id-c", "path": "/w/c.wav", "record_start_frame": 170, "duration_frames": 60},
        {"clip_id": "id-b", "path": "/w/b.wav", "record_start_frame": 300, "duration_frames": 37},
    ]
    plans = placements_to_sound_strips(placements, scene)
    assert plans == [SoundStripPlan("id-a", "/w/a.wav", 100, 60, 4), SoundStripPlan("id-c", "/w/c.wav", 170, 60, 4),
                     SoundStripPlan("id-b", "/w/b.wav", 300, 37, 4)]
    # A and C overlap in time (100-160 and 170-230 do not; make them): the second goes one channel up.
    overlapping = placements + [{"clip_id": "id-x", "path": "/w/x.wav", "record_start_frame": 120, "duration_frames": 80}]
    channels = {p.clip_id: p.channel for p in placements_to_sound_strips(overlapping, scene)}
    assert channels["id-x"] == 5 and channels["id-a"] == 4


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 500), st.integers(1, 120)), min_size=1, max_size=12),
       st.lists(st.tuples(st.integers(1, 6), st.integers(1, 500), st.integers(1, 100)), max_size=8))
def test_planned_sound_strips_never_overlap_anything(placed, existing):
    strips = []
    taken: dict[int, list[tuple[int, int]]] = {}
    for index, (channel, start, length) in enumerate(existing):
        if any(a < start + length and start < b for a, b in taken.get(channel, [])):
            continue
        taken.setdefault(channel, []).append((start, start + length))
        strips.append(VseStrip(f"s{index}", "movie", channel, start, start, start + length, "/m.mp4"))
    scene = VseScene("S", 25, 1.0, 1, tuple(strips))
    placements = [{"clip_id": f"c{i}", "path": f"/w/{i}.wav", "record_start_frame": s, "duration_frames": n}
                  for i, (s, n) in enumerate(placed)]
    plans = placements_to_sound_strips(placements, scene)
    top = max((s.channel for s in strips), default=0)
    for plan in plans:
        assert plan.channel > top
        for other in plans:
            if other is not plan and other.channel == plan.channel:
                assert other.frame_start + other.frame_count <= plan.frame_start or plan.frame_start + plan.frame_count <= other.frame_start


@pytest.mark.parametrize("fps, fps_base", SCENE_RATES, ids=["23.976", "25", "29.97"])
def test_the_real_pipeline_places_foley_back_on_the_strips(tmp_path, fps, fps_base):
    from foley_server.config import get_profile
    from foley_server.engines.registry import create_engine
    from foley_server.pipeline.run import run_job

    engine = create_engine("procedural")
    engine.load("cpu", get_profile("balanced"))

    rate = scene_rate(fps, fps_base)
    movie = tmp_path / "m.mp4"
    write_event_video(movie, fps=rate, n_frames=int(4 * rate), event_frames=[30], size=(96, 54))
    strips = [VseStrip("Shot", "movie", 1, frame_start=40, frame_final_start=52, frame_final_end=100,
                       filepath=str(movie), media_rate=float(rate), selected=True, strip_id="shot-1"),
              VseStrip("Other", "movie", 2, frame_start=10, frame_final_start=20, frame_final_end=70,
                       filepath=str(movie), media_rate=float(rate), strip_id="other-1")]
    scene = _scene(fps, fps_base, strips, frame_start=1)
    outcome = run_job(timeline_from_vse(scene), tmp_path / "foley", selectors=["shot-1", "other-1"], engine=engine)
    plans = {p.clip_id: p for p in placements_to_sound_strips([p.as_dict() for p in outcome.placements], scene)}
    for strip in strips:
        assert (plans[strip.strip_id].frame_start, plans[strip.strip_id].frame_count) == (strip.frame_final_start, strip.length)
    # Both above the picture (channels 1-2); they overlap in time (20-70, 52-100), so one channel each.
    assert sorted(p.channel for p in plans.values()) == [3, 4]

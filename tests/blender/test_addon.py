"""The Foley Bridge extension on real Blender (bpy): registration, export, apply, round trip, errors."""

from __future__ import annotations

import time
from pathlib import Path

import bpy
import opentimelineio as otio
import pytest
from conftest import MAIN_PYTHON, free_port, make_movie

from foley_otio import record_range


def _strips(scene):
    from foley_bridge.compat import all_strips

    return all_strips(scene)


def _movie(scene, path: Path, name: str, channel: int, frame_start: int):
    from foley_bridge.compat import top_strips

    return top_strips(scene).new_movie(name=name, filepath=str(path), channel=channel, frame_start=frame_start)


def test_register_and_unregister_twice_cleanly(addon):
    import addon_utils

    for _ in range(2):
        addon_utils.disable("foley_bridge", default_set=True)
        assert not hasattr(bpy.types, "SEQUENCER_PT_foley") and not hasattr(bpy.types.Scene, "foley")
        addon_utils.enable("foley_bridge", default_set=True)
        assert hasattr(bpy.types, "SEQUENCER_PT_foley") and hasattr(bpy.ops.foley, "generate")
        assert hasattr(bpy.types.Scene, "foley")
        assert any(getattr(f, "__name__", "") == "menu_entries" for f in bpy.types.SEQUENCER_MT_strip._dyn_ui_initialize())
        assert any(getattr(f, "__name__", "") == "menu_entries" for f in bpy.types.SEQUENCER_MT_context_menu._dyn_ui_initialize())
        assert "foley_bridge" in bpy.context.preferences.addons


@pytest.mark.parametrize("fps, fps_base, rate", [(24, 1.001, "24000/1001"), (25, 1.0, "25"), (30, 1.001, "30000/1001")],
                         ids=["23.976", "25", "29.97"])
def test_export_gives_otio_ranges_equal_to_the_strips(scene, tmp_path, fps, fps_base, rate):
    from foley_bridge.deps import blender_vse
    from foley_bridge.vse_export import describe_scene

    scene.render.fps, scene.render.fps_base = fps, fps_base
    movie = make_movie(tmp_path / "m.mp4", rate, 150)
    a = _movie(scene, movie, "A", 2, 100)
    a.frame_offset_start = 12  # left trim
    b = _movie(scene, movie, "B", 2, 400)
    b.frame_offset_end = 40  # right trim
    c = _movie(scene, movie, "C", 4, 37)
    timeline = otio.adapters.read_from_string(
        otio.adapters.write_to_string(blender_vse.timeline_from_vse(describe_scene(scene)), "otio_json"), "otio_json")
    rate_f = float(blender_vse.scene_rate(fps, fps_base))
    clips = {clip.name: clip for clip in timeline.find_clips()}
    for strip in (a, b, c):
        clip = clips[strip.name]
        recorded = record_range(clip, timeline)
        assert recorded.start_time == otio.opentime.RationalTime(strip.frame_final_start - scene.frame_start, rate_f)
        assert recorded.duration == otio.opentime.RationalTime(strip.frame_final_duration, rate_f)
        assert clip.source_range.start_time.value == strip.frame_final_start - strip.frame_start
        assert otio.url_utils.filepath_from_url(clip.media_reference.target_url) == str(movie)
    assert clips["A"].source_range.start_time.value == 12
    assert blender_vse.media_rate_mismatches(describe_scene(scene)) == []


def test_a_movie_at_another_rate_is_reported_not_misaligned(scene, tmp_path):
    from foley_bridge import jobs
    from foley_bridge.deps import FoleyClientError

    scene.render.fps, scene.render.fps_base = 24, 1.0
    strip = _movie(scene, make_movie(tmp_path / "m25.mp4", "25", 60), "At25", 1, 1)
    strip.select = True
    with pytest.raises(FoleyClientError, match="25.000 fps but the scene at 24.000"):
        jobs.start_job(scene)
    assert not jobs.ACTIVE


def _server(tmp_path):
    import subprocess

    port = free_port()
    foley = MAIN_PYTHON.with_name("foley")
    proc = subprocess.Popen([str(foley), "serve", "--port", str(port), "--data-dir", str(tmp_path / "data"),
                             "--allow-root", str(tmp_path), "--devices", "cpu"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    from foley_client import FoleyClient, ServerUnavailable

    client = FoleyClient(f"http://127.0.0.1:{port}")
    deadline = time.time() + 60
    while True:
        try:
            client.health()
            return proc, client.base_url
        except ServerUnavailable:
            if time.time() > deadline:
                proc.kill()
                raise
            time.sleep(0.1)


def _drive(scene, timeout=90):
    """What Blender's timer does (timers do not fire without a window): drain until the job ends."""
    from foley_bridge import jobs

    deadline = time.time() + timeout
    while jobs.ACTIVE and time.time() < deadline:
        jobs.drain_jobs()
        time.sleep(0.05)
    assert not jobs.ACTIVE, "the job did not end"


def test_round_trip_places_foley_on_the_strips_frames_and_a_rerun_replaces_it(scene, tmp_path):
    from foley_bridge import jobs

    prefs = bpy.context.preferences.addons["foley_bridge"].preferences
    proc, url = _server(tmp_path)
    try:
        prefs.server_url = url
        scene.render.fps, scene.render.fps_base = 25, 1.0
        movie = make_movie(tmp_path / "m.mp4", "25", 150)
        a = _movie(scene, movie, "A", 1, 30)
        a.frame_offset_start = 10
        b = _movie(scene, movie, "B", 2, 200)
        b.frame_offset_end = 50
        a.foley_prompt = "footsteps on gravel"
        for s in (a, b):
            s.select = True
        scene.foley.output_dir = str(tmp_path / "foley")
        jobs.refresh_server_info()
        assert bpy.ops.foley.generate.poll()
        jobs.start_job(scene)
        _drive(scene)
        assert scene.foley.status.startswith("placed 2"), (scene.foley.status, scene.foley.last_error)
        # Each strip keeps what it heard; the panel shows it.
        from foley_bridge.apply import heard_lines

        assert a.foley_sound == "footsteps on gravel → footsteps(surface=gravel) + room_tone(intensity=0.3)"
        assert b.foley_sound.startswith("(no prompt: from the picture) → ") and not b.foley_warnings
        assert heard_lines(a) == [(f"Heard: {a.foley_sound}", "INFO")]
        foley = {s.foley_source_id: s for s in _strips(scene) if s.foley_source_id}
        for source in (a, b):
            placed = foley[source.foley_id]
            assert placed.type == "SOUND" and placed.channel > 2
            assert (placed.frame_final_start, placed.frame_final_duration) == (source.frame_final_start, source.frame_final_duration)
            assert Path(bpy.path.abspath(placed.sound.filepath)).is_file()
        channels = {s.channel for s in foley.values()}
        assert scene.sequence_editor.channels[min(channels)].name == "Foley"
        sources = sorted((s.name, s.channel, s.frame_final_start, s.frame_final_end) for s in _strips(scene)
                         if not s.foley_source_id)
        bpy.ops.ed.undo()  # the whole apply is one undo step
        scene = bpy.context.scene
        assert not [s for s in _strips(scene) if s.foley_source_id]
        assert sorted((s.name, s.channel, s.frame_final_start, s.frame_final_end) for s in _strips(scene)) == sources
        bpy.ops.ed.redo()
        scene = bpy.context.scene
        assert len([s for s in _strips(scene) if s.foley_source_id]) == 2
        for s in _strips(scene):
            s.select = not s.foley_source_id
        seed = scene.foley.seed
        b = next(s for s in _strips(scene) if s.name == "B")
        b.foley_prompt = "rain, a dog barking"
        jobs.start_job(scene, new_seed=True)  # Regenerate: new seed, same strips
        _drive(scene)
        again = [s for s in _strips(scene) if s.foley_source_id]
        assert len(again) == 2 and scene.foley.seed == seed + 1  # replaced, not stacked
        # A clause with no sound model is named on the strip, in the panel and in the job's status.
        assert b.foley_sound == "rain, a dog barking → rain"
        assert b.foley_warnings.startswith("no sound model for 'a dog barking'") and "closest: " in b.foley_warnings
        assert heard_lines(b)[1] == (b.foley_warnings, "ERROR")
        assert "1 warning(s)" in scene.foley.status and "a dog barking" in scene.foley.last_error
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_server_down_gives_a_clear_error_and_changes_nothing(scene, tmp_path):
    from foley_bridge import jobs
    bpy.context.preferences.addons["foley_bridge"].preferences.server_url = f"http://127.0.0.1:{free_port()}"
    strip = _movie(scene, make_movie(tmp_path / "m.mp4", "25", 50), "A", 1, 1)
    strip.select = True
    before = [(s.name, s.channel, s.frame_final_start) for s in _strips(scene)]
    jobs.start_job(scene)
    _drive(scene)
    assert scene.foley.status == "failed" and "not running" in scene.foley.last_error
    assert [(s.name, s.channel, s.frame_final_start) for s in _strips(scene)] == before

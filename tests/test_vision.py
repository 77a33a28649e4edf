"""Visual events from real decoded footage: onsets on the right frame, cuts as cuts, nothing in still shots."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from foley_server.demo.footage import encode, write_bouncing_ball, write_door, write_event_video, write_walker
from foley_server.pipeline.media import decode_frames
from foley_server.pipeline.vision import FINAL_LAG_S, VisualAnalyzer, visual_events


def _events(path: Path, fps: float, seconds: float, start_s: float = 0.0):
    return visual_events(decode_frames(path, start_s, seconds, height=144), seconds, fps)


@pytest.mark.parametrize("kind", ["flash", "jump", "shake"])
@pytest.mark.parametrize("rate", [Fraction(24000, 1001), Fraction(25), Fraction(60000, 1001)], ids=lambda r: f"{float(r):.3f}")
def test_onsets_land_on_the_event_frames(tmp_path, kind, rate):
    frames = [int(round(t * rate)) for t in (0.9, 1.7, 2.6)]
    path = tmp_path / f"{kind}.mp4"
    write_event_video(path, fps=rate, n_frames=int(round(3.5 * rate)), event_frames=frames, kind=kind)
    events = _events(path, float(rate), 3.4)
    found = np.round(events.onset_times_s * float(rate)).astype(int)
    assert list(found) == frames
    assert np.all((events.onset_strengths > 0) & (events.onset_strengths <= 1))


def test_still_compressed_scene_has_no_onsets(tmp_path):
    path = tmp_path / "still.mp4"
    write_event_video(path, fps=25, n_frames=75, event_frames=[], kind="flash")
    events = _events(path, 25.0, 3.0)
    assert len(events.onset_times_s) == 0
    assert float(events.motion_envelope.max()) < 0.05


def test_a_cut_is_a_cut_not_an_onset(tmp_path):
    rng = np.random.default_rng(3)
    shot_a = (rng.random((90, 160)) * 60).astype(np.uint8)
    shot_b = (180 + rng.random((90, 160)) * 60).astype(np.uint8)
    path = tmp_path / "cut.mp4"
    encode(path, [shot_a] * 30 + [shot_b] * 30, 25)
    events = _events(path, 25.0, 2.4)
    assert np.round(events.cut_times_s * 25).astype(int).tolist() == [30]
    assert len(events.onset_times_s) == 0


@pytest.mark.parametrize("scene", [write_bouncing_ball, write_door, write_walker], ids=["ball", "door", "walker"])
def test_demo_scenes_show_their_events(tmp_path, scene):
    path = tmp_path / "scene.mp4"
    known = scene(path, 24.0, 5.0, (320, 180))
    found = np.round(_events(path, 24.0, 5.0).onset_times_s * 24).astype(int)
    hits = sum(any(abs(f - k) <= 1 for f in found) for k in known)
    assert hits >= 0.8 * len(known)
    assert len(found) - hits <= 2


def test_snapshot_is_final_behind_the_frontier_and_agrees_with_the_end_result(tmp_path):
    path = tmp_path / "long.mp4"
    frames = [int(t * 25) for t in np.arange(1.0, 19.0, 1.3)]
    write_event_video(path, fps=25, n_frames=500, event_frames=frames, kind="jump", size=(160, 90))
    analyzer = VisualAnalyzer(25.0)
    early = None
    for t, frame in decode_frames(path, 0, 20, height=90):
        analyzer.feed(t, frame)
        if early is None and t >= 12.0:
            early = analyzer.snapshot(20.0, final_until_s=t - FINAL_LAG_S)
    final = analyzer.finish(20.0)
    assert len(early.onset_times_s) > 0 and early.onset_times_s.max() < 12.0 - FINAL_LAG_S
    same = final.onset_times_s[final.onset_times_s < 12.0 - FINAL_LAG_S]
    assert np.allclose(early.onset_times_s, same)


def test_analyzer_keeps_no_frames_beyond_the_last_two(tmp_path):
    analyzer = VisualAnalyzer(25.0)
    rng = np.random.default_rng(0)
    for i in range(200):
        analyzer.feed(i / 25, (rng.random((90, 160)) * 255).astype(np.uint8))
    held = [v for v in vars(analyzer).values() if isinstance(v, np.ndarray) and v.shape == (90, 160)]
    assert len(held) == 2  # previous frame and the one before; everything else is per-frame scalars


def test_coarse_flow_measures_on_screen_speed(tmp_path):
    from foley_server.demo.footage import _texture
    from foley_server.pipeline.flow import FlowMeter

    texture = _texture(144, 256, 1, 20, 200)
    speeds = {}
    for px in (0, 2, 4, 6):
        meter = FlowMeter(25.0)
        speeds[px] = np.median([meter.feed(np.roll(texture, i * px, axis=1)) for i in range(8)][1:])
    assert speeds[0] == 0.0
    for px in (2, 4, 6):
        assert speeds[px] == pytest.approx(px / 144 * 25, rel=0.1)  # picture heights per second


def test_speed_is_measured_only_when_asked_and_follows_the_picture(tmp_path):
    path = tmp_path / "pan.mp4"
    from foley_server.demo.footage import _texture, encode

    texture = _texture(180, 320, 2, 30, 220)
    frames = [np.roll(texture, (i * 6 if i >= 25 else 0), axis=1) for i in range(50)]  # still, then a fast pan
    encode(path, frames, 25)
    with_flow = VisualAnalyzer(25.0, flow=True)
    without = VisualAnalyzer(25.0)
    for t, frame in decode_frames(path, 0, 2.0, height=144):
        with_flow.feed(t, frame)
        without.feed(t, frame)
    fast = with_flow.finish(2.0).motion_speed
    assert len(without.finish(2.0).motion_speed) == 0
    assert np.median(fast[:24]) == 0.0 and np.median(fast[27:]) > 0.5

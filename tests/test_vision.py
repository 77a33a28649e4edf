"""Visual events from real decoded footage: onsets on the right frame, cuts as cuts, nothing in still shots."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from foley_server.demo.footage import _texture, encode, write_bouncing_ball, write_door, write_event_video, write_walker
from foley_server.pipeline.media import decode_frames
from foley_server.pipeline.vision import FINAL_LAG_S, FLASH_MAX_FRAMES, VisualAnalyzer, visual_events

RATES = [Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(30), Fraction(50), Fraction(60000, 1001)]


def _events(path: Path, fps: float, seconds: float, start_s: float = 0.0, height: int = 144):
    return visual_events(decode_frames(path, start_s, seconds, height=height), seconds, fps)


@pytest.mark.parametrize("kind", ["flash", "jump", "shake"])
@pytest.mark.parametrize("rate", RATES, ids=lambda r: f"{float(r):.3f}")
def test_onsets_land_on_the_event_frames(tmp_path, kind, rate):
    frames = [int(round(t * rate)) for t in (0.9, 1.7, 2.6)]
    path = tmp_path / f"{kind}.mp4"
    write_event_video(path, fps=rate, n_frames=int(round(3.5 * rate)), event_frames=frames, kind=kind, size=(160, 90))
    events = _events(path, float(rate), 3.4)
    # Within half a frame of the event frame's time: on the frame itself, not the one after.
    assert len(events.onset_times_s) == len(frames)
    assert np.all(np.abs(events.onset_times_s - np.array(frames) / float(rate)) < 0.5 / float(rate))
    assert np.all((events.onset_strengths > 0) & (events.onset_strengths <= 1))
    assert len(events.cut_times_s) == 0


@pytest.mark.parametrize("kind", ["flash", "jump", "shake"])
def test_onsets_in_a_sub_range_are_on_the_clips_own_clock(tmp_path, kind):
    rate = Fraction(30000, 1001)
    frames = [int(round(t * rate)) for t in (0.8, 2.4, 3.3)]
    path = tmp_path / f"{kind}.mp4"
    write_event_video(path, fps=rate, n_frames=int(round(4 * rate)), event_frames=frames, kind=kind, size=(160, 90))
    first = int(round(2.0 * rate))  # the clip uses the media from its frame 60 on
    events = _events(path, float(rate), 1.9, start_s=first / float(rate))
    found = np.round(events.onset_times_s * float(rate)).astype(int)
    assert list(found) == [f - first for f in frames if f > first]


@pytest.mark.parametrize("height", [72, 144, 360])
def test_grain_and_keyframes_of_a_still_shot_make_no_onsets(tmp_path, height):
    """Heavy grain under strong compression: the encoder re-draws the grain at every keyframe."""
    rng = np.random.default_rng(1)
    base = _texture(180, 320, 1, 20, 200)
    frames = (np.clip(base + rng.normal(0, 6, base.shape), 0, 255).astype(np.uint8) for _ in range(100))
    path = tmp_path / "grain.mp4"
    encode(path, frames, 25, crf=35)  # a keyframe every 50 frames
    events = _events(path, 25.0, 4.0, height=height)
    assert len(events.onset_times_s) == 0


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


def test_a_cut_between_shots_of_the_same_brightness_is_a_cut(tmp_path):
    shot_a, shot_b = _texture(90, 160, 11, 40, 200), _texture(90, 160, 12, 40, 200)
    path = tmp_path / "cut.mp4"
    encode(path, [shot_a] * 25 + [shot_b] * 25, 25)
    events = _events(path, 25.0, 2.0)
    assert np.round(events.cut_times_s * 25).astype(int).tolist() == [25]
    assert len(events.onset_times_s) == 0
    assert events.motion_at(np.array([1.0]))[0] == 0.0  # a cut is not motion either


def test_a_letterboxed_cut_is_a_cut(tmp_path):
    shot_a, shot_b = _texture(180, 320, 1, 20, 200), _texture(180, 320, 9, 20, 200)
    for shot in (shot_a, shot_b):
        shot[:40] = 0  # black bars above and below the picture
        shot[-40:] = 0
    path = tmp_path / "cut.mp4"
    encode(path, [shot_a] * 25 + [shot_b] * 25, 25)
    events = _events(path, 25.0, 2.0)
    assert np.round(events.cut_times_s * 25).astype(int).tolist() == [25]
    assert len(events.onset_times_s) == 0


def _pan(texture: np.ndarray, i: int, px_per_frame: int) -> np.ndarray:
    return np.roll(texture, px_per_frame * i, axis=1)


@pytest.mark.parametrize("motion", ["pan 2px", "pan 6px", "box on twos", "box on threes"])
def test_steady_motion_makes_no_onsets(tmp_path, motion):
    """Pans, and motion that moves only every second or third frame (animation, duplicated frames)."""
    texture = _texture(180, 320, 1, 20, 200)
    frames = []
    for i in range(60):
        if motion.startswith("pan"):
            frames.append(_pan(texture, i, int(motion[4])))
        else:
            every = 2 if "twos" in motion else 3
            image = texture.copy()
            x = 10 + 4 * ((i + every - 1) // every)  # moves on frames 1, 1 + every, ...
            image[60:100, x : x + 30] = 235
            frames.append(image)
    path = tmp_path / "motion.mp4"
    encode(path, frames, 25)
    events = _events(path, 25.0, 2.4)
    assert len(events.onset_times_s) == 0
    assert len(events.cut_times_s) == 0
    assert events.motion_envelope.max() > 0.5  # it does move


def test_events_during_a_pan_are_found(tmp_path):
    texture = _texture(180, 320, 1, 20, 200)
    frames = []
    for i in range(60):
        image = _pan(texture, i, 2)
        if i in (20, 45):
            image[60:120, 120:200] = 235  # a flash
        image[70:100, (40 if i < 32 else 200) :][:, :40] = 220  # a box knocked across at frame 32
        frames.append(image)
    path = tmp_path / "pan.mp4"
    encode(path, frames, 25)
    for height in (72, 144):
        events = _events(path, 25.0, 2.4, height=height)
        assert np.round(events.onset_times_s * 25).astype(int).tolist() == [20, 32, 45]
        assert len(events.cut_times_s) == 0


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


def test_analyzer_memory_is_constant_per_frame(tmp_path):
    """Decode + analysis consume the frame stream: what stays per frame is a few scalars, never a picture."""
    import tracemalloc

    path = tmp_path / "v.mp4"
    write_event_video(path, fps=25, n_frames=250, event_frames=[40, 140], kind="jump", size=(256, 144))
    analyzer = VisualAnalyzer(25.0)
    frames = decode_frames(path, 0, 10, height=144)
    frame_bytes = 256 * 144
    tracemalloc.start()
    try:
        for i, (t, frame) in enumerate(frames):
            analyzer.feed(t, frame)
            del frame
            if i == 49:
                at_50 = tracemalloc.get_traced_memory()[0]
        at_250 = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert i == 249
    assert (at_250 - at_50) / 200 < frame_bytes / 50  # well under a picture per 50 frames
    pictures = [v for v in vars(analyzer).values() if isinstance(v, np.ndarray) and v.size > 1000]
    assert len(pictures) <= 1  # the previous frame, blurred
    assert len(analyzer._held) <= FLASH_MAX_FRAMES  # and while a change is undecided, the frame before it
    events = analyzer.finish(10.0)
    assert len(events.envelope_times_s) == 250


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

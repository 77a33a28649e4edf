"""Windowed rendering and mastering: exact length, loudness, seamless windows, atomic files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf

from foley_server.config import get_profile
from foley_server.engines.base import CancelToken, ClipRequest, VisualEvents
from foley_server.engines.procedural.prompts import sound_spec
from foley_server.errors import Cancelled
from foley_server.pipeline.render import MasterSettings, render_clip
from foley_server.pipeline.windows import window_bounds


def _events(duration: float) -> VisualEvents:
    onsets = np.arange(0.3, duration - 0.2, 0.45)
    env_t = np.arange(0, duration, 1 / 25)
    return VisualEvents(duration, onsets, np.full(len(onsets), 0.8, np.float32), env_t,
                        (0.5 + 0.5 * np.sin(env_t)).astype(np.float32), np.zeros(0))


def _request(duration: float, prompt: str, negative: str | None = None, **profile_changes) -> ClipRequest:
    profile = replace(get_profile("balanced"), **profile_changes)
    events = _events(duration)
    return ClipRequest("clip", duration, 0.0, duration, events, sound_spec(prompt, negative), 7, profile)


def test_window_bounds_cover_the_clip_with_overlap():
    bounds = window_bounds(1000, 300, 50)
    assert bounds == [(0, 350), (300, 650), (600, 950), (900, 1000)]
    assert window_bounds(0, 300, 50) == []


def test_output_is_48k_24bit_stereo_of_exact_length_and_at_target_loudness(tmp_path, engine):
    duration = 7.3371
    path = tmp_path / "clip.wav"
    report = render_clip(engine, _request(duration, "footsteps on wood, room tone"), path)
    info = sf.info(str(path))
    assert (info.samplerate, info.channels, info.subtype) == (48_000, 2, "PCM_24")
    assert info.frames == round(duration * 48_000) == report.frames
    audio, _ = sf.read(path)
    lufs = pyloudnorm.Meter(48_000).integrated_loudness(audio)
    peak_limited = report.gain_db < MasterSettings().target_lufs - report.measured_lufs - 0.01
    if peak_limited:
        assert report.measured_true_peak_dbtp + report.gain_db == pytest.approx(-1.0, abs=0.01)
    else:
        assert lufs == pytest.approx(-20.0, abs=0.5)
    assert np.abs(audio).max() <= 10 ** (-1.0 / 20) + 1e-3
    assert np.abs(audio[0]).max() < 0.05 and np.abs(audio[-1]).max() < 0.05  # edge fades


def test_windowed_render_matches_single_window_render(tmp_path, engine):
    spec = ("wooden knocks", "room tone, ambience, cloth")
    one = render_clip(engine, _request(6.0, *spec, chunk_s=30.0), tmp_path / "one.wav")
    many = render_clip(engine, _request(6.0, *spec, chunk_s=1.5, overlap_s=0.25), tmp_path / "many.wav")
    assert many.windows == 4 and one.windows == 1
    a, _ = sf.read(tmp_path / "one.wav")
    b, _ = sf.read(tmp_path / "many.wav")
    corr = np.corrcoef(a[:, 0], b[:, 0])[0, 1]
    assert corr > 0.99


def test_cancel_during_render_leaves_no_file_behind(tmp_path, engine):
    cancel = CancelToken()

    def progress(stage, done, total):
        if stage == "master":
            cancel.cancel()

    with pytest.raises(Cancelled):
        render_clip(engine, _request(4.0, "rain"), tmp_path / "clip.wav", progress=progress, cancel=cancel)
    assert list(tmp_path.iterdir()) == []


def test_kill_during_write_never_leaves_a_partial_wav_under_the_final_name(tmp_path):
    script = textwrap.dedent(f"""
        import numpy as np
        from foley_server.config import get_profile
        from foley_server.engines.base import ClipRequest, VisualEvents
        from foley_server.engines.registry import create_engine
        from foley_server.engines.procedural.prompts import sound_spec
        from foley_server.pipeline.render import render_clip
        from pathlib import Path
        events = VisualEvents.empty(900.0)
        engine = create_engine("procedural"); engine.load("cpu", get_profile("balanced"))
        req = ClipRequest("c", 900.0, 0.0, 900.0, events, sound_spec("rain, wind"), 1, get_profile("balanced"))
        render_clip(engine, req, Path({str(tmp_path / 'long.wav')!r}))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.time() + 120
        while time.time() < deadline and not any(p.name.endswith(".partial") for p in tmp_path.iterdir()):
            time.sleep(0.05)
        assert any(p.name.endswith(".partial") for p in tmp_path.iterdir()), "render never started writing"
        time.sleep(0.3)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not (tmp_path / "long.wav").exists()
    assert all(p.name.startswith(".") and p.name.endswith(".partial") for p in tmp_path.iterdir())


def test_an_unexpected_analysis_crash_fails_the_clip_instead_of_hanging(tmp_path, monkeypatch, engine):
    from fractions import Fraction

    from foley_server.pipeline import analysis
    from foley_server.pipeline.run import run_job
    from otio_fixtures import event_clip, otio_clip, timeline_with

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(analysis, "decode_frames_elsewhere", broken)
    timeline = timeline_with([otio_clip(event_clip(tmp_path, "S", Fraction(25)))], Fraction(25))
    outcome = run_job(timeline, tmp_path / "wavs", engine=engine)
    assert [c.ok for c in outcome.clips] == [False]
    assert "analysis failed unexpectedly" in outcome.clips[0].error and "boom" in outcome.clips[0].error
    assert not list((tmp_path / "wavs").glob("*.wav"))


def test_no_clicks_at_window_joins(tmp_path, engine):
    # Beds and movement rendered in 1.5 s windows must match one long render around every join:
    # without the crossfade they differ there by 10-85 % of their RMS (filters restart per window).
    prompt = "cloth, rain, wind, room tone"
    render_clip(engine, _request(6.0, prompt, chunk_s=30.0), tmp_path / "one.wav")
    report = render_clip(engine, _request(6.0, prompt, chunk_s=1.5, overlap_s=0.25), tmp_path / "windows.wav")
    assert report.windows == 4
    one, rate = sf.read(tmp_path / "one.wav")
    windows, _ = sf.read(tmp_path / "windows.wav")
    rms = np.sqrt(np.mean(one**2))
    for join in (1.5, 3.0, 4.5):
        span = slice(int((join - 0.05) * rate), int((join + 0.3) * rate))
        assert np.abs(one[span] - windows[span]).max() < 0.05 * rms

"""Real PyAV decoding of generated files: exact frame ranges, clear errors for bad media."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from foley_server.demo.footage import write_audio_only, write_corrupt_file, write_event_video
from foley_server.errors import MediaError
from foley_server.pipeline.media import analysis_size, decode_frames, probe_video

RATES = [Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(30), Fraction(50), Fraction(60000, 1001)]


@pytest.mark.parametrize("rate", RATES, ids=lambda r: f"{float(r):.3f}")
def test_sub_range_decodes_exactly_its_frames(tmp_path, rate):
    path = tmp_path / "v.mp4"
    n = int(round(3 * rate))
    flash = int(round(1.5 * rate))
    write_event_video(path, fps=rate, n_frames=n, event_frames=[flash], size=(160, 90))
    info = probe_video(path)
    assert info.frame_rate == pytest.approx(float(rate), rel=1e-6)
    assert (info.width, info.height) == (160, 90)
    first, count = int(round(0.5 * rate)), int(round(2 * rate))
    frames = list(decode_frames(path, first / float(rate), count / float(rate), height=90))
    assert len(frames) == count
    assert frames[0][0] == pytest.approx(0.0, abs=1e-6)
    times = np.array([t for t, _ in frames])
    assert np.allclose(np.diff(times), 1 / float(rate), atol=1e-4)
    brightest = int(np.argmax([f.mean() for _, f in frames]))
    assert brightest == flash - first  # the flash frame is where the range says it is


def test_frames_are_grey_and_scaled_to_the_analysis_height(tmp_path):
    path = tmp_path / "v.mp4"
    write_event_video(path, fps=25, n_frames=10, event_frames=[], size=(320, 180))
    t, frame = next(iter(decode_frames(path, 0, 1, height=72)))
    assert frame.dtype == np.uint8 and frame.shape == (72, 128)
    assert analysis_size(1920, 1080, 144) == (256, 144)
    assert analysis_size(640, 360, 720) == (640, 360)  # never scaled up


def test_sampling_fps_keeps_a_subset_on_a_grid(tmp_path):
    path = tmp_path / "v.mp4"
    write_event_video(path, fps=50, n_frames=100, event_frames=[], size=(160, 90))
    times = [t for t, _ in decode_frames(path, 0, 2, height=90, fps=10)]
    assert len(times) == 20
    assert np.allclose(np.diff(times), 0.1, atol=1e-6)


def test_missing_file_says_relink(tmp_path):
    with pytest.raises(MediaError, match="media not found.*relink"):
        probe_video(tmp_path / "gone.mp4")


def test_corrupt_file_is_reported_as_unreadable(tmp_path):
    path = tmp_path / "bad.mp4"
    write_corrupt_file(path)
    with pytest.raises(MediaError, match="cannot read"):
        probe_video(path)


def test_audio_only_file_has_no_video_stream(tmp_path):
    path = tmp_path / "tone.mp4"
    write_audio_only(path)
    with pytest.raises(MediaError, match="no video stream"):
        probe_video(path)
    with pytest.raises(MediaError, match="no video stream"):
        list(decode_frames(path, 0, 1, height=72))

"""Real PyAV decoding of generated files: exact frame ranges, clear errors for bad media."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from foley_server.demo.footage import write_audio_only, write_corrupt_file, write_event_video, write_long_video
from foley_server.errors import MediaError
from foley_server.pipeline.media import SEEK_MARGIN_S, analysis_size, decode_frames, probe_video

RATES = [Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(30), Fraction(50), Fraction(60000, 1001)]


def _rate_id(rate: Fraction) -> str:
    return f"{float(rate):.3f}"


def _brightest(frames) -> int:
    return int(np.argmax([f.mean() for _, f in frames]))


@pytest.mark.parametrize("rate", RATES, ids=_rate_id)
def test_a_clip_of_n_frames_decodes_to_exactly_n_frames(tmp_path, rate):
    path = tmp_path / "v.mp4"
    n = int(round(2 * rate)) + 1
    write_event_video(path, fps=rate, n_frames=n, event_frames=[7], size=(96, 54))
    info = probe_video(path)
    assert info.frame_rate == pytest.approx(float(rate), rel=1e-9)
    assert info.frame_count_estimate == n
    frames = list(decode_frames(path, 0.0, n / float(rate), height=54))
    assert len(frames) == n
    times = np.array([t for t, _ in frames])
    assert np.allclose(times, np.arange(n) / float(rate), atol=1e-6)  # frame k at k / rate, first at 0
    assert _brightest(frames) == 7
    # Asking past the end of the media yields what is there, not more.
    assert len(list(decode_frames(path, 0.0, n / float(rate) + 1.0, height=54))) == n


@pytest.mark.parametrize("rate", RATES, ids=_rate_id)
def test_sub_range_after_a_seek_decodes_exactly_its_frames(tmp_path, rate):
    path = tmp_path / "v.mp4"
    n = int(round(4 * rate))
    flash = int(round(3.2 * rate))
    write_event_video(path, fps=rate, n_frames=n, event_frames=[flash], size=(160, 90))
    info = probe_video(path)
    assert (info.width, info.height) == (160, 90)
    first, count = int(round(2.5 * rate)), int(round(1.2 * rate))
    assert first / float(rate) > SEEK_MARGIN_S  # the decoder seeks rather than decoding from the start
    frames = list(decode_frames(path, first / float(rate), count / float(rate), height=90))
    assert len(frames) == count
    assert frames[0][0] == pytest.approx(0.0, abs=1e-6)
    times = np.array([t for t, _ in frames])
    assert np.allclose(np.diff(times), 1 / float(rate), atol=1e-6)
    assert _brightest(frames) == flash - first  # the flash frame is where the range says it is
    # The very same pictures as decoding everything from the start.
    everything = list(decode_frames(path, 0.0, n / float(rate), height=90))
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(frames, everything[first : first + count]))


def test_a_range_starting_between_frames_starts_at_the_nearest_frame(tmp_path):
    path = tmp_path / "v.mp4"
    write_event_video(path, fps=25, n_frames=50, event_frames=[30], size=(96, 54))
    # 0.41 s is 10.25 frames: frame 10 (within half a frame) opens the range.
    frames = list(decode_frames(path, 0.41, 0.4, height=54))
    assert len(frames) == 10
    assert frames[0][0] == pytest.approx(10 / 25 - 0.41, abs=1e-6)


def test_threaded_and_single_threaded_decode_agree(tmp_path):
    path = tmp_path / "v.mp4"
    write_event_video(path, fps=30, n_frames=90, event_frames=[20, 70], size=(160, 90), kind="jump")
    one = list(decode_frames(path, 1.5, 1.0, height=72, threads=False))
    many = list(decode_frames(path, 1.5, 1.0, height=72, threads=True))
    assert len(one) == len(many) == 30
    assert all(ta == tb and np.array_equal(a, b) for (ta, a), (tb, b) in zip(one, many))


def test_times_count_from_the_streams_first_picture(tmp_path):
    """MPEG-TS streams start at a non-zero time and have no seek index: still frame-exact."""
    src, ts = tmp_path / "v.mp4", tmp_path / "v.ts"
    rate = Fraction(30000, 1001)
    write_event_video(src, fps=rate, n_frames=120, event_frames=[75], size=(96, 54))
    with av.open(str(src)) as inp, av.open(str(ts), "w", format="mpegts") as out:
        stream = out.add_stream_from_template(inp.streams.video[0])
        for packet in inp.demux(inp.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                out.mux(packet)
    info = probe_video(ts)
    assert info.start_time_s > 0
    frames = list(decode_frames(ts, 0.0, 120 / float(rate), height=54))
    assert len(frames) == 120 and frames[0][0] == pytest.approx(0.0, abs=1e-6)
    assert _brightest(frames) == 75
    part = list(decode_frames(ts, 70 / float(rate), 10 / float(rate), height=54))
    assert len(part) == 10 and _brightest(part) == 5
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(part, frames[70:80]))


def test_frames_are_grey_and_scaled_to_the_analysis_height(tmp_path):
    path = tmp_path / "v.mp4"
    write_event_video(path, fps=25, n_frames=10, event_frames=[], size=(320, 180))
    _, frame = next(iter(decode_frames(path, 0, 1, height=72)))
    assert frame.dtype == np.uint8 and frame.shape == (72, 128)
    assert analysis_size(1920, 1080, 144) == (256, 144)
    assert analysis_size(1440, 1080, 144) == (192, 144)  # 4:3 keeps its aspect
    assert analysis_size(640, 360, 720) == (640, 360)  # never scaled up
    assert all(v % 2 == 0 for v in analysis_size(1000, 563, 101))


def test_sampling_fps_keeps_a_subset_on_a_grid(tmp_path):
    path = tmp_path / "v.mp4"
    write_event_video(path, fps=50, n_frames=100, event_frames=[], size=(160, 90))
    times = [t for t, _ in decode_frames(path, 0, 2, height=90, fps=10)]
    assert len(times) == 20
    assert np.allclose(np.diff(times), 0.1, atol=1e-6)


def test_sampling_fps_keeps_the_frame_nearest_each_grid_point(tmp_path):
    path = tmp_path / "v.mp4"
    rate = 30000 / 1001
    write_event_video(path, fps=Fraction(30000, 1001), n_frames=90, event_frames=[], size=(96, 54))
    times = np.array([t for t, _ in decode_frames(path, 0, 3, height=54, fps=12)])
    assert len(times) == 36
    grid = np.arange(36) / 12
    assert np.all(np.abs(times - grid) <= 0.5 / rate + 1e-9)  # within half a source frame: the nearest


def test_audio_track_does_not_change_the_pictures(tmp_path):
    path = tmp_path / "v.mp4"
    write_event_video(path, fps=Fraction(24000, 1001), n_frames=48, event_frames=[30], size=(96, 54), audio=True)
    info = probe_video(path)
    assert info.has_audio
    frames = list(decode_frames(path, 0, 48 * 1001 / 24000, height=54))
    assert len(frames) == 48 and _brightest(frames) == 30


def test_ntsc_rates_given_as_floats_are_written_exactly(tmp_path):
    path = tmp_path / "v.mp4"
    write_event_video(path, fps=29.97, n_frames=30, event_frames=[], size=(96, 54))
    with av.open(str(path)) as container:
        assert container.streams.video[0].average_rate == Fraction(30000, 1001)


def test_long_benchmark_video_has_its_events_and_length(tmp_path):
    path = tmp_path / "long.mp4"
    events = write_long_video(path, 3.0, 25, (128, 72), events_every_s=0.8)
    assert events == [20, 40, 60]
    assert probe_video(path).frame_count_estimate == 75


def test_missing_file_says_relink(tmp_path):
    with pytest.raises(MediaError, match="media not found.*relink"):
        probe_video(tmp_path / "gone.mp4")
    with pytest.raises(MediaError, match="media not found"):
        list(decode_frames(tmp_path / "gone.mp4", 0, 1, height=72))


def test_a_folder_is_not_media(tmp_path):
    with pytest.raises(MediaError, match="folder"):
        probe_video(tmp_path)


def test_a_pipe_is_refused_instead_of_blocking_the_worker(tmp_path):
    import os

    fifo = tmp_path / "clip.mp4"
    os.mkfifo(fifo)  # nobody writes to it: FFmpeg would wait for data forever
    with pytest.raises(MediaError, match="not a regular file"):
        probe_video(fifo)


def test_corrupt_file_is_reported_as_unreadable(tmp_path):
    path = tmp_path / "bad.mp4"
    write_corrupt_file(path)
    with pytest.raises(MediaError, match="cannot read.*not a media file"):
        probe_video(path)


def test_damage_mid_stream_says_where(tmp_path):
    path = tmp_path / "v.mp4"
    write_event_video(path, fps=25, n_frames=100, event_frames=[50], size=(160, 90), kind="jump")
    data = bytearray(path.read_bytes())
    mdat = data.find(b"mdat")
    size = int.from_bytes(data[mdat - 4 : mdat], "big")  # the box holding the coded pictures
    middle = mdat + size // 2
    data[middle : middle + size // 10] = bytes(size // 10)  # a hole in the middle of the pictures
    Path(path).write_bytes(bytes(data))
    decoded = []
    with pytest.raises(MediaError, match=r"damaged near (\d+\.\d\d) s") as caught:
        for t, _ in decode_frames(path, 0, 4, height=72):
            decoded.append(t)
    where = float(caught.value.args[0].split("damaged near ")[1].split(" s")[0])
    assert 0 < len(decoded) < 100
    assert decoded[-1] <= where <= 4.0  # reported at (or just after) the last good picture


def test_audio_only_file_has_no_video_stream(tmp_path):
    path = tmp_path / "tone.mp4"
    write_audio_only(path)
    with pytest.raises(MediaError, match="no video stream"):
        probe_video(path)
    with pytest.raises(MediaError, match="no video stream"):
        list(decode_frames(path, 0, 1, height=72))

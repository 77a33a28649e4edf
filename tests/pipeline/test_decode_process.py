"""Decoding in a child process gives exactly what in-process decoding gives, and recovers from trouble."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
from contextlib import closing
from fractions import Fraction

import numpy as np
import pytest

from foley_server.demo.footage import write_corrupt_file, write_event_video
from foley_server.errors import FoleyError, MediaError
from foley_server.pipeline import decode_process
from foley_server.pipeline.decode_process import SLOTS, decode_frames_elsewhere
from foley_server.pipeline.media import decode_frames, probe_video


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    path = tmp_path_factory.mktemp("media") / "v.mp4"
    # Longer than the ring, so the child must wait for slots to be read and freed.
    write_event_video(path, fps=Fraction(25), n_frames=3 * SLOTS, event_frames=[10, 50], size=(160, 90))
    return path


def _elsewhere(path, start_s, duration_s, height=90):
    info = probe_video(path)
    return decode_frames_elsewhere(path, start_s, duration_s, height=height, frame_size=(info.width, info.height))


def _assert_same(a, b):
    assert len(a) == len(b) > 0
    assert [t for t, _ in a] == [t for t, _ in b]
    for (_, x), (_, y) in zip(a, b):
        assert x.dtype == y.dtype == np.uint8 and np.array_equal(x, y)


@pytest.mark.parametrize("start_s, duration_s, height", [(0.0, 10.0, 90), (1.3, 2.0, 90), (0.4, 1.0, 36)])
def test_the_child_yields_the_same_frames_and_times_as_decoding_here(video, start_s, duration_s, height):
    here = list(decode_frames(video, start_s, duration_s, height=height))
    _assert_same(list(_elsewhere(video, start_s, duration_s, height)), here)


def test_stopping_early_leaves_the_child_ready_for_the_next_range(video):
    with closing(_elsewhere(video, 0.0, 10.0)) as frames:
        first = [next(frames) for _ in range(5)]
    _assert_same(first, list(decode_frames(video, 0.0, 10.0, height=90))[:5])
    idle = list(decode_process._pool._idle)
    assert idle, "a child that stopped cleanly goes back to the pool"
    # The same child serves the next range in full: its slot counts were put back as they started.
    _assert_same(list(_elsewhere(video, 0.0, 10.0)), list(decode_frames(video, 0.0, 10.0, height=90)))
    assert decode_process._pool._idle[-1] is idle[-1]


def test_media_errors_come_back_as_the_same_clear_errors(tmp_path, video):
    corrupt = tmp_path / "corrupt.mp4"
    write_corrupt_file(corrupt)
    with pytest.raises(MediaError) as here:
        list(decode_frames(corrupt, 0.0, 1.0, height=90))
    with pytest.raises(MediaError) as there:
        list(decode_frames_elsewhere(corrupt, 0.0, 1.0, height=90, frame_size=(160, 90)))
    assert str(there.value) == str(here.value)
    # The child survives a bad file and decodes the next one.
    assert len(list(_elsewhere(video, 0.0, 1.0))) == 25


def test_a_child_that_dies_fails_the_clip_clearly_and_is_replaced(video):
    frames = _elsewhere(video, 0.0, 10.0)
    next(frames)
    idle = {c.process.pid for c in decode_process._pool._idle}
    (busy,) = [p for p in mp.active_children() if p.name == "foley-decode" and p.pid not in idle]
    os.kill(busy.pid, signal.SIGKILL)
    with pytest.raises(FoleyError, match="decoder process .* ended unexpectedly"):
        list(frames)
    assert len(list(_elsewhere(video, 0.0, 1.0))) == 25


def test_shutdown_ends_idle_children_and_the_next_range_starts_a_new_one(video):
    decode_process.warm_up(wait=True)
    idle = [c.process for c in decode_process._pool._idle]
    assert idle and all(p.is_alive() for p in idle)
    decode_process.shutdown()
    assert not decode_process._pool._idle and not any(p.is_alive() for p in idle)
    assert len(list(_elsewhere(video, 0.0, 1.0))) == 25


def test_long_ranges_wrap_the_ring_many_times_with_a_busy_reader_and_every_frame_arrives_whole(tmp_path):
    # The reader is slowed by Python work in another thread, so the child often waits for slots;
    # a frame of the wrong size or a short range here once came from a torn header write.
    import threading

    from foley_server.demo.footage import write_long_video

    path = tmp_path / "long.mp4"
    write_long_video(path, 40.0, 25, (96, 54))
    stop = threading.Event()

    def busy() -> None:
        values = np.random.default_rng(0).random(4000)
        while not stop.is_set():
            sum(float(v) for v in values)

    expected = {f.shape for _, f in decode_frames(path, 0.0, 1.0, height=54)}
    thread = threading.Thread(target=busy)
    thread.start()
    try:
        for _ in range(6):
            shapes = [f.shape for _, f in _elsewhere(path, 0.0, 40.0, height=54)]
            assert len(shapes) == 1000 and set(shapes) == expected
    finally:
        stop.set()
        thread.join()

"""The procedural engine's shared noise and buffer machinery: what the speed-ups must not change."""

from __future__ import annotations

import resource

import numpy as np
import pytest
from scipy.signal import sosfilt, welch

from foley_server.config import get_profile
from foley_server.engines.base import CancelToken, ClipRequest, Layer, SoundSpec, VisualEvents
from foley_server.engines.heap import keep_freed_buffers
from foley_server.engines.procedural.catalog import MODELS
from foley_server.engines.procedural.noise import BED_RATE, band, band_sum, block_noise

RATE = 48_000


def test_block_noise_is_white_unit_variance_and_the_same_in_every_window():
    whole = block_noise(7, "test", 0, 3 * RATE)
    assert whole.flags.f_contiguous and whole.dtype == np.float32
    assert np.allclose(whole.std(axis=0), 1.0, atol=0.01) and np.allclose(whole.mean(axis=0), 0.0, atol=0.01)
    assert abs(np.corrcoef(whole.T)[0, 1]) < 0.01  # the channels are streams of their own
    f, p = welch(whole[:, 0], RATE, nperseg=1024)
    assert p[1:-1].max() / p[1:-1].min() < 2.0  # flat: white
    part = block_noise(7, "test", RATE // 2 + 123, RATE)  # starts and ends mid-block
    assert np.array_equal(part, whole[RATE // 2 + 123 : 3 * RATE // 2 + 123])


def test_band_sum_filters_like_its_bands_added():
    shapes = [(band(None, 250, rate=BED_RATE), 0.28), (band(250, 2000, rate=BED_RATE), 0.04)]
    x = np.random.default_rng(1).standard_normal(50_000)
    added = sum(gain * sosfilt(sos, x) for sos, gain in shapes)
    assert np.abs(sosfilt(band_sum(shapes), x) - added).max() < 1e-6 * np.abs(added).max()


#: Layers whose stereo comes from one channel of noise and its copy 0.37 s earlier (noise.decorrelated).
DECORRELATED = [("cloth", {}), ("whoosh", {}), ("rain", {}), ("water", {}), ("forest", {}), ("room_tone", {}),
                ("wind", {}), ("city", {}), ("crowd", {}), ("insects", {"kind": "cicadas"})]


@pytest.mark.parametrize("model, params", DECORRELATED, ids=[m for m, _ in DECORRELATED])
def test_beds_made_from_one_noise_channel_are_still_uncorrelated_left_and_right(engine, model, params):
    duration = 4.0
    env_t = np.arange(0, duration, 1 / 25)
    events = VisualEvents(duration, np.zeros(0), np.zeros(0, np.float32), env_t,
                          (0.6 + 0.4 * np.sin(2 * env_t)).astype(np.float32), np.zeros(0), motion_speed=np.full(len(env_t), 0.6))
    layer = Layer(MODELS[model].role, model, {"intensity": 0.5, **params})
    req = ClipRequest("c", duration, 0.0, duration, events, SoundSpec("", "", (layer,)), 3, get_profile("balanced"))
    x = engine.generate(req, lambda d, t: None, CancelToken()).samples
    assert abs(np.corrcoef(x[:, 0], x[:, 1])[0, 1]) < 0.2  # a wide image, as two independent channels give
    left, right = np.sqrt(np.mean(x[: int(0.4 * RATE)] ** 2, axis=0))  # the delayed channel draws on noise
    assert 0.5 < right / left < 2.0  # from before the clip: it sounds from the first sample, as the other does


def test_freed_window_sized_buffers_are_reused_without_page_faults():
    assert keep_freed_buffers()  # glibc: the project's machines and CI
    size = 60 * RATE * 2  # one 60 s stereo signal
    np.ones(size, np.float32)  # allocated, touched, freed
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    np.ones(size, np.float32)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before < 100  # not ~5600 fresh pages

"""Streaming loudness must agree with pyloudnorm's whole-array measurement."""

import math

import numpy as np
import pyloudnorm
import pytest

from foley_server.pipeline.loudness import StreamingLoudness, mastering_gain_db

RATE = 48_000


def _test_signal(seconds: float, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    x = 0.02 * rng.standard_normal((n, 2))
    for start in rng.integers(0, n - 4800, size=int(seconds * 2)):  # loud bursts make gating matter
        x[start : start + 4800] += 0.5 * rng.standard_normal((4800, 2)) * np.hanning(4800)[:, None]
    return x


@pytest.mark.parametrize("chunk", [4801, 48_000, 10 * 48_000])
def test_streaming_loudness_matches_pyloudnorm_for_any_chunking(chunk):
    x = _test_signal(12.0)
    meter = StreamingLoudness(RATE, 2)
    for start in range(0, x.shape[0], chunk):
        meter.feed(x[start : start + chunk])
    expected = pyloudnorm.Meter(RATE).integrated_loudness(x)
    assert meter.integrated_lufs() == pytest.approx(expected, abs=0.05)


def test_silence_and_too_short_signals_measure_minus_infinity():
    meter = StreamingLoudness(RATE, 2)
    meter.feed(np.zeros((RATE, 2)))
    assert meter.integrated_lufs() == -math.inf
    short = StreamingLoudness(RATE, 2)
    short.feed(0.5 * np.ones((RATE // 10, 2)))
    assert short.integrated_lufs() == -math.inf


def test_true_peak_sees_inter_sample_peaks():
    # A sine at a quarter of the rate sampled 45 degrees off its crest: samples peak at 0.707, the wave at 1.0.
    n = np.arange(RATE)
    x = np.sin(2 * np.pi * (RATE / 4) * n / RATE + np.pi / 4)
    meter = StreamingLoudness(RATE, 2)
    meter.feed(np.stack([x, x], axis=1))
    assert np.max(np.abs(x)) == pytest.approx(math.sqrt(0.5), abs=1e-6)
    assert meter.true_peak_dbtp > 20 * math.log10(0.95)


def test_mastering_gain_respects_target_and_ceiling():
    assert mastering_gain_db(-30.0, -20.0, -20.0, -1.0) == pytest.approx(10.0)
    assert mastering_gain_db(-30.0, -5.0, -20.0, -1.0) == pytest.approx(4.0)  # peak-limited
    assert mastering_gain_db(-math.inf, -math.inf, -20.0, -1.0) == 0.0

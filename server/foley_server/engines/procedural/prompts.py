"""Prompt → sound spec: which sound models a clip gets, with which parameters, and what was not understood.

Clause by clause: keyword rules (misspelled non-words snapped to the vocabulary; real English words
never changed) decide where they recognise words; where they recognise none, the sentence encoder,
when installed, matches the clause to the models' descriptions ("sneakers squeaking on a gym floor"
→ footsteps). Parameters always come from the words. A clause that names no model is reported with
the models nearest to it, never silently replaced.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace

import numpy as np

from ..base import Layer, SoundSpec, VisualEvents
from . import vocabulary as vocab
from .catalog import MODELS
from .prompt_encoder import shared_encoder

_KNOWN = vocab.known_words()
# Misspellings are snapped only to sound words: "strolling" must not become "strong".
_SNAP_TARGETS = sorted(set(vocab.MODEL_WORDS) | set(vocab.WEAK_WORDS)
                       | {w for table in vocab.CHOICE_WORDS.values() for w in table}
                       | {w for tables in vocab.MODEL_CHOICE_WORDS.values() for table in tables.values() for w in table})
_CLAUSE_SPLIT = re.compile(r"[,;.+/]|\band\b|\bwith\b|\bthen\b")
#: Words that carry no sound of their own: a clause of nothing else needs no model.
_FILLER = set("a an the of on in at to into onto from by for over under near through across off up down out "
              "is are was be being some very lots lot sound sounds noise noises like as it its this that "
              "there here his her their my your our someone something".split())


def words_for(model: str) -> list[str]:
    """The prompt words that select a model, for `foley engines` (joined phrases as people write them)."""
    spelled = {joined: phrase for phrase, joined in vocab.PHRASES.items() if " " not in joined}
    return sorted({spelled.get(w, w) for table in (vocab.MODEL_WORDS, vocab.WEAK_WORDS) for w, m in table.items()
                   if m == model})


def _tokens(text: str) -> list[str]:
    """Lower-case words, with several-word names joined ("wind chimes" → "windchimes")."""
    text = text.lower()
    for phrase, joined in vocab.PHRASES.items():
        text = re.sub(rf"\b{phrase}\b", joined, text)
    return re.findall(r"[a-z]+", text)


def _words(text: str) -> list[str]:
    """Tokens with misspellings snapped to the vocabulary ('foostep' -> 'footstep'). Only non-words
    are snapped: a real English word ('dropping') is never turned into another sound ('drips')."""
    english = vocab.english_words()
    out = []
    for word in _tokens(text):
        if word not in _KNOWN and word not in english and len(word) >= 4:
            # Typos rarely hit the first letter; requiring it keeps "pasing" from becoming "splashing".
            targets = [t for t in _SNAP_TARGETS if t[0] == word[0]]
            close = difflib.get_close_matches(word, targets, n=1, cutoff=0.8)
            word = close[0] if close else word
        out.append(word)
    return out


def _keyword_models(words: list[str]) -> list[str]:
    """Models the words name: the sure ones, else the weak ones; the more specific of two readings."""
    strong: list[str] = []
    for word in words:
        model = vocab.MODEL_WORDS.get(word)
        if model and model not in strong:
            strong.append(model)
    if vocab.FALL_WORDS & set(words) and vocab.PERSON_WORDS & set(words) and "bodyfall" not in strong:
        strong.append("bodyfall")
    found = strong or list(dict.fromkeys(vocab.WEAK_WORDS[w] for w in words if w in vocab.WEAK_WORDS))
    for winner, loser in vocab.PRECEDENCE:
        if winner in found and loser in found:
            found.remove(loser)
    return found


def _choices(model: str, words: list[str]) -> dict[str, str]:
    """Each of the model's choices from the first word that makes it, else the model's default: the
    layer says what it will sound like."""
    out = {}
    for param, values in MODELS[model].choices.items():
        table = vocab.MODEL_CHOICE_WORDS.get(model, {}).get(param) or vocab.CHOICE_WORDS.get(param, {})
        said = [table[w] for w in words if table.get(w) in values]
        out[param] = said[0] if said else values[0]
    return out


def _layer(model: str, words: list[str]) -> Layer:
    intensity = next((vocab.INTENSITY_WORDS[w] for w in words if w in vocab.INTENSITY_WORDS), 0.5)
    return Layer(MODELS[model].role, model, {"intensity": intensity, **_choices(model, words)})


def _clause_layers(clause: str, encoder) -> list[Layer]:
    words = _words(clause)
    found = _keyword_models(words)
    sure = _keyword_models(_tokens(clause))  # from correctly spelled words
    if not sure and encoder is not None and not _beyond(words):  # never stand in for what the engine cannot make
        # Nothing recognised for certain: the encoder decides if it can, else the spelling guess stands.
        match = encoder.model_for(clause)
        found = [match] if match else found
    return [_layer(model, words) for model in found]


def _beyond(words: list[str]) -> list[tuple[list[str], str, tuple[str, ...]]]:
    """(words, why, instead) for each family of sounds the engine cannot make that the words ask for."""
    return [([w for w in words if w in family], why, instead) for family, why, instead in vocab.BEYOND
            if family & set(words)]


def _closest(clause: str, words: list[str], encoder) -> list[str]:
    """The models a clause most likely meant: by meaning (encoder), else by family, else by spelling."""
    if encoder is not None:
        return encoder.nearest(clause, 3)
    for _, _, instead in _beyond(words):
        return list(instead)
    near: list[str] = []
    named = {**vocab.WEAK_WORDS, **vocab.MODEL_WORDS}
    for word in words:
        for close in difflib.get_close_matches(word, list(named), n=3, cutoff=0.7):
            if named[close] not in near:
                near.append(named[close])
    return near[:3]


def _clause_warnings(clause: str, layers: list[Layer], encoder) -> list[str]:
    """What a clause asked for that no model renders: the whole clause, or the words beyond the engine."""
    words = _words(clause)
    text = " ".join(clause.split())
    warnings = []
    for asked, why, instead in _beyond(words):
        if layers:  # the rest of the clause was heard: name only what was not
            warnings.append(f"no sound model for {' '.join(asked)!r} ({why}); closest: {', '.join(instead)}")
    if layers:
        return warnings
    unknown = [w for w in words if w not in _FILLER and w not in _KNOWN] or [
        w for w in words if w in vocab.FALL_WORDS or any(w in family for family, _, _ in vocab.BEYOND)]
    if not unknown:  # only modifiers ("in a church", "heavy"): understood, nothing to render
        return warnings
    closest = _closest(text, words, encoder)
    why = next((f" ({why})" for _, why, _ in _beyond(words)), "")
    hint = f"; closest: {', '.join(closest)}" if closest else "; see `foley engines` for the sounds there are"
    return warnings + [f"no sound model for {text!r}{why}{hint}"]


def parse_layers(text: str | None, encoder=None) -> list[Layer]:
    """All layers a prompt names, clause by clause ("boots on gravel, light rain")."""
    return _parse(text, encoder)[0]


def _parse(text: str | None, encoder) -> tuple[list[Layer], list[str]]:
    layers: list[Layer] = []
    warnings: list[str] = []
    for clause in _CLAUSE_SPLIT.split(text or ""):
        heard = _clause_layers(clause, encoder)
        warnings += _clause_warnings(clause, heard, encoder)
        for layer in heard:
            if all(l.model != layer.model for l in layers):
                layers.append(layer)
    return layers, warnings


def scene_space(prompt: str | None) -> str:
    """The space a prompt places its scene in ("footsteps in a church" → hall); "dry" when none is named."""
    return next((vocab.SPACE_WORDS[w] for w in _words(prompt or "") if w in vocab.SPACE_WORDS), "dry")


def _negated(negative: str | None, encoder) -> tuple[set[str], set[str], list[str]]:
    """Models and whole roles the negative prompt removes, and what in it matched nothing."""
    models, roles, warnings = set(), set(), []
    for clause in _CLAUSE_SPLIT.split(negative or ""):
        words = _words(clause)
        clause_roles = {vocab.ROLE_WORDS[w] for w in words if w in vocab.ROLE_WORDS}
        clause_models = {layer.model for layer in _clause_layers(clause, encoder)}
        if not clause_roles and not clause_models and [w for w in words if w not in _FILLER]:
            warnings.append(f"negative prompt: no sound model for {' '.join(clause.split())!r}; nothing removed for it")
        models |= clause_models
        roles |= clause_roles
    return models, roles, warnings


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
    """The layers to render, never empty (a room-tone bed is the floor of every mix), and warnings
    for whatever the prompt asked that no model renders.

    `events`: the picture's events, when known, shape the default of an empty prompt.
    `encoder`: AUTO (the shared encoder if installed), None (keyword rules only) or an encoder.
    """
    if encoder is AUTO:
        encoder = shared_encoder()
    layers, warnings = _parse(prompt, encoder) if (prompt or "").strip() else ([], [])
    if not layers:
        layers = default_layers(events)
        if warnings:
            warnings.append("nothing in the prompt matched a sound model: the clip gets the picture's default")
    if not any(l.role == "ambience" for l in layers):
        layers.append(Layer("ambience", "room_tone", {"intensity": 0.3}))
    models, roles, negative_warnings = _negated(negative_prompt, encoder)
    kept = [l for l in layers if l.model not in models and l.role not in roles]
    if not kept:
        kept = [Layer("ambience", "room_tone", {"intensity": 0.3})] if "room_tone" not in models else layers[:1]
    return SoundSpec(prompt or "", negative_prompt or "", tuple(kept), scene_space(prompt),
                     warnings=tuple(warnings + negative_warnings))


#: Models that follow on-screen speed rather than motion energy: the picture's speed must be measured.
SPEED_DRIVEN = {"whoosh"}


def interpret(prompt: str | None, negative_prompt: str | None = None, events: VisualEvents | None = None) -> SoundSpec:
    """The engine's reading of a prompt: layers, a one-line summary, what it could not honour, and
    whether speed must be measured."""
    spec = sound_spec(prompt, negative_prompt, events)
    return replace(spec, summary=describe(spec), measure_speed=any(l.model in SPEED_DRIVEN for l in spec.layers))


def describe(spec: SoundSpec) -> str:
    """One line for logs and metadata: 'footsteps(surface=gravel) + wind(intensity=0.2)'."""
    parts = []
    for layer in spec.layers:
        params = ",".join(f"{k}={v}" for k, v in layer.params.items() if k != "intensity" or v != 0.5)
        parts.append(f"{layer.model}({params})" if params else layer.model)
    return " + ".join(parts) + (f" in a {spec.space}" if spec.space != "dry" else "")


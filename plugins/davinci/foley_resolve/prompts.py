"""Prompts live in the project: a clip marker named `Foley` whose note is the prompt, with the negative
prompt and seed in its custom data (JSON; custom data is only visible to scripts)."""

import json
from typing import Any, NamedTuple, Optional

from .errors import FoleyResolveError

MARKER_NAME = "Foley"
MARKER_COLOUR = "Sand"


class ClipPrompt(NamedTuple):
    prompt: str
    negative_prompt: str
    seed: Optional[int]
    marker_frame: Optional[float]  # where the clip's Foley marker is; None when it has none
    marker_colour: str = MARKER_COLOUR


def parse_custom_data(text: str):
    """(negative prompt, seed) from a marker's custom data: our JSON, or plain text as the negative prompt."""
    text = (text or "").strip()
    if not text:
        return "", None
    try:
        data = json.loads(text)
    except ValueError:
        return text, None
    if not isinstance(data, dict):
        return text, None
    seed = data.get("seed")
    seed = int(seed) if isinstance(seed, (int, float)) and not isinstance(seed, bool) else None
    return str(data.get("negative_prompt") or ""), seed


def custom_data(prompt: ClipPrompt) -> str:
    data = {}
    if prompt.negative_prompt:
        data["negative_prompt"] = prompt.negative_prompt
    if prompt.seed is not None:
        data["seed"] = prompt.seed
    return json.dumps(data, sort_keys=True) if data else ""


def read_prompt(item: Any) -> ClipPrompt:
    """The clip's Foley marker, first by frame; an empty prompt (the server chooses from the picture) without one."""
    markers = item.GetMarkers() or {}
    for frame in sorted(markers):
        marker = markers[frame]
        if str(marker.get("name", "")).strip().lower() == MARKER_NAME.lower():
            negative, seed = parse_custom_data(marker.get("customData", ""))
            return ClipPrompt(str(marker.get("note", "")).strip(), negative, seed, frame,
                              marker.get("color") or MARKER_COLOUR)
    return ClipPrompt("", "", None, None)


def write_prompt(item: Any, name: str, prompt: ClipPrompt) -> ClipPrompt:
    """Replace the clip's Foley marker with `prompt` (at the same frame; a new one at the clip's frame 0)."""
    frame = prompt.marker_frame
    if frame is not None:
        item.DeleteMarkerAtFrame(frame)
    at = frame if frame is not None else 0
    if not item.AddMarker(at, prompt.marker_colour, MARKER_NAME, prompt.prompt, 1, custom_data(prompt)):
        raise FoleyResolveError("Resolve refused the Foley marker on clip {!r} at its frame {}; remove the marker "
                                "there and run this again".format(name, int(at)))
    return prompt._replace(marker_frame=at)

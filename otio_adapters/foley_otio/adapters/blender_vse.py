"""OTIO adapter `blender_vse`: a Blender sequencer description (`*.blendvse`, JSON) read as a timeline.

The Blender add-on writes the description (`foley_otio.blender_vse.vse_to_json`); anything that
speaks OTIO can then read a Blender edit, e.g. `otio.adapters.read_from_file("cut.blendvse")`.
"""

from __future__ import annotations

import json

from foley_otio.blender_vse import VseError, timeline_from_vse, vse_from_dict


def read_from_string(input_str: str):
    try:
        data = json.loads(input_str)
    except ValueError as exc:
        raise VseError(f"not a Blender sequencer description: {exc}") from None
    return timeline_from_vse(vse_from_dict(data))


def read_from_file(filepath: str):
    with open(filepath, encoding="utf-8") as fh:
        return read_from_string(fh.read())

"""Refuse malformed or huge OTIO before the OTIO parser sees it: a clear 4xx, never a 500 or a hang."""

from __future__ import annotations

from .refusals import Refused

MAX_DEPTH = 64  # real timelines nest < 10 deep (timeline > stack > track > clip > reference > range)
MAX_ITEMS = 200_000  # a feature film's timeline is a few thousand items
CLIP_SCHEMAS = ("Clip.", "Gap.", "Transition.")


def check_timeline_json(data: object, max_depth: int = MAX_DEPTH, max_items: int = MAX_ITEMS) -> None:
    """Walk the decoded JSON iteratively (no recursion to exhaust): 400 when too deep, 413 when too big."""
    if not isinstance(data, dict) or not str(data.get("OTIO_SCHEMA", "")).startswith(("Timeline.", "SerializableCollection.")):
        raise Refused(400, "timeline must be an OTIO JSON object with OTIO_SCHEMA Timeline.1 (export OTIO from your editor)")
    stack = [(data, 1)]
    items = 0
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            raise Refused(400, f"timeline nests deeper than {max_depth} levels; this is not an editor's timeline")
        if isinstance(node, dict):
            if str(node.get("OTIO_SCHEMA", "")).startswith(CLIP_SCHEMAS):
                items += 1
                if items > max_items:
                    raise Refused(413, f"timeline has more than {max_items} items; split it into reels")
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, (dict, list)))

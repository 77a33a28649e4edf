"""Refuse malformed or huge OTIO before the OTIO parser sees it: a clear 4xx, never a 500 or a hang."""

from __future__ import annotations

import json

MAX_DEPTH = 64  # real timelines nest < 10 deep (timeline > stack > track > clip > reference > range)
MAX_ITEMS = 200_000  # a feature film's timeline is a few thousand items
CLIP_SCHEMAS = ("Clip.", "Gap.", "Transition.")


class TimelineRefused(Exception):
    """The timeline is not acceptable; `status` says how to answer (400 malformed, 413 too big)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def check_timeline_json(data: object, max_depth: int = MAX_DEPTH, max_items: int = MAX_ITEMS) -> None:
    """Walk the decoded JSON iteratively (no recursion to exhaust) checking depth and item count."""
    if not isinstance(data, dict) or not str(data.get("OTIO_SCHEMA", "")).startswith(("Timeline.", "SerializableCollection.")):
        raise TimelineRefused(400, "timeline must be an OTIO JSON object with OTIO_SCHEMA Timeline.1 (export OTIO from your editor)")
    stack = [(data, 1)]
    items = 0
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            raise TimelineRefused(400, f"timeline nests deeper than {max_depth} levels; this is not an editor's timeline")
        if isinstance(node, dict):
            if str(node.get("OTIO_SCHEMA", "")).startswith(CLIP_SCHEMAS):
                items += 1
                if items > max_items:
                    raise TimelineRefused(413, f"timeline has more than {max_items} items; split it into reels")
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, (dict, list)))


def parse_timeline_text(text: str) -> dict:
    """Decode and check an inline timeline; json's own recursion limit becomes a clear 400 too."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise TimelineRefused(400, f"timeline nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise TimelineRefused(400, f"timeline is not valid JSON: {exc}") from None
    check_timeline_json(data)
    return data

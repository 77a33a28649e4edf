"""Stable clip identity, so a re-run replaces a clip's Foley instead of stacking a second copy."""

from __future__ import annotations

import hashlib

import opentimelineio as otio

from .metadata import foley_metadata
from .ranges import record_range


def clip_id(clip: otio.schema.Clip, track_index: int, timeline: otio.schema.Timeline) -> str:
    """`metadata.foley.clip_id` when the editor set one, else a hash of where and what the clip is."""
    given = foley_metadata(clip).get("clip_id")
    if given:
        return str(given)
    start = record_range(clip, timeline).start_time
    url = getattr(clip.media_reference, "target_url", "") or ""
    key = f"{track_index}|{start.value}/{start.rate}|{url}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]

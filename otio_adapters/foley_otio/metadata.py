"""The `metadata.foley` namespace that clips carry between editors, server and re-runs."""

from __future__ import annotations

from collections.abc import Mapping

import opentimelineio as otio

NAMESPACE = "foley"


def foley_metadata(item: otio.core.SerializableObject) -> dict:
    """A plain dict copy of the item's `metadata.foley` (empty when absent or malformed)."""
    meta = item.metadata.get(NAMESPACE)
    return dict(meta) if isinstance(meta, Mapping) else {}


def is_generated_foley(item: otio.core.SerializableObject) -> bool:
    """True for clips this tool made (they must never be selected as picture sources)."""
    return bool(foley_metadata(item).get("generated"))

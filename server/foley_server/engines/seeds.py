"""Seeds derived from names and numbers, the same in every run and process (crc32, not hash())."""

from __future__ import annotations

import zlib


def stable_seed(*parts: object) -> int:
    """A seed from any parts (strings, ints), stable across runs and Python processes."""
    return zlib.crc32("|".join(map(str, parts)).encode()) & 0x7FFFFFFF

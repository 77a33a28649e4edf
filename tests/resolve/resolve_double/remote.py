"""What every object of the Resolve double shares: only calls Blackmagic's README documents answer.

Resolve's script objects answer `hasattr` for any name (so plugins must look calls up with `dir()`);
the double does the same, and calling a name the README does not document, or one this version of
Resolve lacks, fails the test instead of returning None the way Resolve might.
"""

from __future__ import annotations

import re
from typing import Callable


class UndocumentedCall(AssertionError):
    """The plugin called something Blackmagic's README does not document."""


class MissingOnThisVersion(AssertionError):
    """The plugin called something this (older) Resolve does not have, without checking `dir()` first."""


def api(signature: str, since: tuple = ()) -> Callable:
    """Mark a method as documented, with the README's own signature line (checked against the Python one)."""

    def mark(method: Callable) -> Callable:
        method._readme = signature
        method._since = since
        return method

    return mark


def readme_parameters(signature: str) -> list[str]:
    """Parameter names of a README line such as `AddMarker(frameId, color, name, note, duration, customData)`."""
    inside = re.search(r"\((.*)\)", signature).group(1)
    names = []
    for part in inside.split(","):
        part = part.strip().strip("[]{}.").strip()
        if part and part != "...":
            names.append(re.split(r"[=\s]", part)[0])
    return names


class Remote:
    """Base of the double's script objects; `_owner` is the ResolveDouble that knows the version."""

    _owner = None

    def _available(self, name: str) -> bool:
        method = getattr(type(self), name, None)
        if getattr(method, "_readme", None) is None:
            return False
        owner = self._owner
        return name not in owner.missing and owner.version[:3] >= tuple(method._since)

    def __getattribute__(self, name: str):
        if name.startswith("_"):
            return object.__getattribute__(self, name)
        method = getattr(type(self), name, None)
        if getattr(method, "_readme", None) is not None and not self._available(name):
            def missing(*args, **kwargs):
                raise MissingOnThisVersion(f"{type(self).__name__}.{name} does not exist in this Resolve "
                                           f"({self._owner.version}); look calls up with dir() first")
            return missing
        return object.__getattribute__(self, name)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)

        def undocumented(*args, **kwargs):
            raise UndocumentedCall(f"{type(self).__name__}.{name}{args} is not in Blackmagic's scripting README")

        return undocumented

    def __dir__(self) -> list[str]:
        return sorted(name for name in dir(type(self)) if self._available(name)) + self._constants()

    def _constants(self) -> list[str]:
        return []

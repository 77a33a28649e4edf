"""Pythons older than the project's own (3.6-3.9) found on this machine, oldest first: Resolve runs the
plugin on whatever Python the user has, so the tests run it on the oldest one at hand too."""

from __future__ import annotations

import glob
import re


def _version(path: str) -> tuple:
    found = re.search(r"(3\.\d+)(\.\d+)?", path)
    return tuple(int(n) for n in found.group(0).split(".")) if found else (9,)


OLD_PYTHONS = sorted(set(glob.glob("/root/.pyenv/versions/3.[6-9].*/bin/python") + glob.glob("/usr/bin/python3.[6-9]")
                         + glob.glob("/usr/local/bin/python3.[6-9]")), key=_version)
OLDEST_PYTHON = OLD_PYTHONS[0] if OLD_PYTHONS else None

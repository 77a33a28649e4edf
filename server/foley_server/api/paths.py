"""Which files the server may read and write: only under allowed roots, never by a client's say-so alone."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from .refusals import Refused, shown


def _check_text(raw: str, what: str) -> None:
    if not raw or "\x00" in raw:
        raise Refused(400, f"{what} is empty or contains a NUL byte")


def resolve_under(raw: str, roots: list[Path], what: str = "path") -> Path:
    """An absolute path, symlinks resolved, that lies inside one of `roots`; else Refused (400 or 403)."""
    _check_text(raw, what)
    path = Path(raw)
    if not path.is_absolute():
        raise Refused(400, f"{what} {shown(raw)} must be absolute")
    try:
        real = Path(os.path.realpath(path))  # follows symlinks: a link out of a root is outside it
    except (OSError, ValueError) as exc:  # a loop of links, a name too long for the file system
        raise Refused(400, f"{what} {shown(raw)} cannot be resolved: {exc}") from None
    for root in roots:
        real_root = Path(os.path.realpath(root))
        if real == real_root or real_root in real.parents:
            return real
    allowed = ", ".join(str(r) for r in roots) or "(none configured; start the server with --allow-root DIR)"
    raise Refused(403, f"{what} {shown(raw)} is outside the allowed folders: {allowed}")


def safe_file_name(raw: str) -> str:
    """A single file name for the file routes: no folders, no `..`, no absolute names."""
    _check_text(raw, "file name")
    pure = PurePosixPath(raw.replace("\\", "/"))
    if pure.is_absolute() or len(pure.parts) != 1 or raw in (".", "..") or raw.startswith("."):
        raise Refused(400, f"file name {shown(raw)} must be a plain name inside the job's folder")
    return raw


def check_output_dir(path: Path) -> None:
    """The output folder exists or can be made, and the server may write there (else the job would fail)."""
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise Refused(422, f"output_dir {shown(str(path))} cannot be a folder: {existing} is a file; choose another folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise Refused(422, f"output_dir {shown(str(path))}: the server cannot write in {existing}; "
                           "choose a folder it may write to, or fix the permissions")

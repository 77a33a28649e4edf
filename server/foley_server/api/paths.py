"""Which files the server may read and write: only under allowed roots, never by a client's say-so alone."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath


class PathRefused(Exception):
    """A client-supplied path is malformed (400) or outside the allowed roots (403)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _check_text(raw: str, what: str) -> None:
    if not raw or "\x00" in raw:
        raise PathRefused(400, f"{what} is empty or contains a NUL byte")


def resolve_under(raw: str, roots: list[Path], what: str = "path") -> Path:
    """An absolute path, symlinks resolved, that lies inside one of `roots`; else PathRefused."""
    _check_text(raw, what)
    path = Path(raw)
    if not path.is_absolute():
        raise PathRefused(400, f"{what} {raw!r} must be absolute")
    real = Path(os.path.realpath(path))  # follows symlinks: a link out of a root is outside it
    for root in roots:
        real_root = Path(os.path.realpath(root))
        if real == real_root or real_root in real.parents:
            return real
    allowed = ", ".join(str(r) for r in roots) or "(none configured; start the server with --allow-root DIR)"
    raise PathRefused(403, f"{what} {raw!r} is outside the allowed folders: {allowed}")


def safe_file_name(raw: str) -> str:
    """A single file name for the file routes: no folders, no `..`, no absolute names."""
    _check_text(raw, "file name")
    pure = PurePosixPath(raw.replace("\\", "/"))
    if pure.is_absolute() or len(pure.parts) != 1 or raw in (".", "..") or raw.startswith("."):
        raise PathRefused(400, f"file name {raw!r} must be a plain name inside the job's folder")
    return raw


def check_media_under(timeline, selectors: list[str] | None, roots: list[Path]) -> None:
    """Every media file the job would read must lie under the allowed roots (checked before queueing)."""
    from foley_otio import select_clips

    for clip in select_clips(timeline, selectors or []):
        if clip.media_path:
            resolve_under(str(clip.media_path), roots, f"media of clip {clip.name!r}")

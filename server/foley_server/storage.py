"""Output layout and atomic writes: a crash never leaves a half file under a final name."""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import OutputError

PARTIAL_SUFFIX = ".partial"

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(text: str, max_len: int = 48) -> str:
    """A filesystem-safe stem from a clip name: no separators, no dots at the start, never empty."""
    stem = _UNSAFE.sub("_", text).strip("._")[:max_len]
    return stem or "clip"


def default_output_dir(output_timeline: Path) -> Path:
    """`<output>.foley/` beside the output timeline, so media travels with the timeline."""
    return output_timeline.with_name(output_timeline.name + ".foley")


def ensure_writable_dir(path: Path) -> Path:
    """Create the folder and prove we can write there before any work starts."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".foley-write-test-", delete=True):
            pass
    except OSError as exc:
        raise OutputError(
            f"cannot write to output folder {path}: {exc.strerror or exc}. "
            "Choose another folder with --output-dir or fix its permissions."
        ) from None
    return path.resolve()


@contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary sibling path; rename it over `final` only if the block succeeds."""
    final = Path(final)
    fd, tmp_name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.stem}-", suffix=final.suffix + PARTIAL_SUFFIX)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; delivered media must be readable by the editor
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def scratch_file(directory: Path, suffix: str) -> Path:
    """A hidden temporary file in `directory` (same disk as the final output, so rename is cheap)."""
    fd, name = tempfile.mkstemp(dir=directory, prefix=".foley-scratch-", suffix=suffix + PARTIAL_SUFFIX)
    os.close(fd)
    return Path(name)

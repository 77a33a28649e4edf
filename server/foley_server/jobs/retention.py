"""What the server forgets: old finished jobs and temp files interrupted jobs left; never delivered WAVs."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from ..storage import PARTIAL_SUFFIX
from .store import JobStore

log = logging.getLogger("foley.jobs")


def clean_up(store: JobStore, *, keep_days: float, keep_mb: float) -> None:
    """Forget finished jobs older than `keep_days` or beyond `keep_mb`, and remove stale temp files."""
    forgotten = store.forget_finished(older_than=time.time() - keep_days * 86400, keep_bytes=int(keep_mb * 1024 * 1024))
    if forgotten:
        log.info("retention: forgot %d finished job(s) older than %g days or beyond %g MB", len(forgotten),
                 keep_days, keep_mb)
    # Running jobs (of any process on this database) may be writing temp files right now.
    idle = store.output_dirs(("queued", "done", "failed", "cancelled")) - store.output_dirs(("running",))
    removed = remove_stale_temp_files(idle)
    if removed:
        log.info("retention: removed %d temp file(s) left by interrupted jobs", len(removed))


def remove_stale_temp_files(folders: set[Path], older_than_s: float = 3600.0) -> list[Path]:
    """Our own hidden temp files (`.name-….partial`) in output folders, older than `older_than_s`; nothing else."""
    removed = []
    cutoff = time.time() - older_than_s
    for folder in folders:
        try:
            candidates = list(folder.glob(f".*{PARTIAL_SUFFIX}"))
        except OSError:
            continue
        for path in candidates:
            try:
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed.append(path)
            except OSError:
                continue
    return removed

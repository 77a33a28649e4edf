"""Keep freed window-sized buffers in the process's heap for the next window (glibc's malloc only).

Every signal of a 60 s stereo window is a 23 MB array. By default glibc gives buffers that large
back to the kernel as soon as they are freed (each is its own mmap, and worker threads' arenas are
trimmed), so the next window's arrays are faulted in and zeroed again page by page: on this
project's 2-core VM that was a third of a procedural mix's render time. Raising the mmap
threshold, keeping up to KEEP_BYTES of free heap, and sending every thread to the one arena lets
windows reuse them. Process-wide: the server tunes it before its workers' threads start (a thread
that already has an arena of its own keeps it), engines again when they load.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8  # glibc's mallopt parameters

#: Largest buffer served from the heap rather than mmap: a long window's float64 signals fit.
MMAP_THRESHOLD = 256 << 20
#: Free heap kept for reuse before glibc trims it: about one long window's working set.
KEEP_BYTES = 256 << 20

_tuned: bool | None = None


def keep_freed_buffers() -> bool:
    """Tune malloc once per process (whoever asks first); False where the C library is not glibc
    (macOS, musl), which keeps its own behaviour."""
    global _tuned
    if _tuned is None:
        _tuned = _mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) and _mallopt(_M_TRIM_THRESHOLD, KEEP_BYTES) \
            and _mallopt(_M_ARENA_MAX, 1)
        log.debug("malloc keeps freed buffers: %s", _tuned)
    return _tuned


def _mallopt(param: int, value: int) -> bool:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.gnu_get_libc_version) and libc.mallopt(param, value) == 1
    except (OSError, AttributeError, TypeError):  # not glibc: no gnu_get_libc_version / mallopt
        return False

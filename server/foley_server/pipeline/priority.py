"""Generation runs at a lower CPU priority than decoding, which is the critical path."""

from __future__ import annotations

import os
import threading
from typing import Callable, TypeVar

from ..engines.base import CancelToken

T = TypeVar("T")


def run_at_lower_priority(work: Callable[[], T], cancel: CancelToken) -> T:
    """Run `work` in a thread of lower CPU priority and return its result.

    Decoding is the critical path and generation trails it; on a machine with few cores the
    scheduler should give decoding its share first. (Per-thread niceness is Linux behaviour;
    elsewhere this is a plain thread.)
    """
    result: dict = {}
    done = threading.Event()

    def target() -> None:
        try:
            if hasattr(os, "setpriority"):
                try:
                    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
                except OSError:
                    pass
            result["value"] = work()
        except BaseException as exc:
            result["error"] = exc
        finally:
            done.set()

    threading.Thread(target=target, name="foley-generate", daemon=True).start()
    # An Event, not Thread.join: a join interrupted by Ctrl-C cannot be waited on again (CPython
    # gh-90882), and after Ctrl-C we must wait for the generator to remove its temp files.
    try:
        while not done.wait(0.5):
            pass
    except BaseException:
        cancel.cancel()
        done.wait(30)
        raise
    if "error" in result:
        raise result["error"]
    return result["value"]

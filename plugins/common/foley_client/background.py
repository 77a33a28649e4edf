"""A job in a worker thread, reporting through a queue the editor drains on its main thread.

Editors' APIs (bpy, Resolve's) must only be used from their main thread; this keeps networking off
it, so the editor never freezes while a job runs.
"""

import queue
import threading
from typing import List, Optional

from .client import FoleyClient
from .errors import FoleyClientError, JobCancelled


class BackgroundJob:
    """Submit and follow one job; messages: ("submitted", job_id), ("progress", event), ("done", result),
    ("cancelled", job_id), ("error", message)."""

    def __init__(self, client: FoleyClient, submit: dict) -> None:
        self.client = client
        self.submit_args = submit
        self.messages: queue.Queue = queue.Queue()
        self.job_id: Optional[str] = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="foley-job", daemon=True)

    def start(self) -> "BackgroundJob":
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Ask the server to cancel (from any thread); the thread reports ("cancelled", job_id)."""
        self._stop.set()
        if self.job_id is not None:
            try:
                self.client.cancel(self.job_id)
            except FoleyClientError:
                pass  # it may have finished meanwhile; the thread reports how it ended

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def join(self, timeout: Optional[float] = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            self.job_id = self.client.submit(**self.submit_args)["job_id"]
            self.messages.put(("submitted", self.job_id))
            if self._stop.is_set():
                self.client.cancel(self.job_id)
            result = self.client.follow(self.job_id, lambda event: self.messages.put(("progress", event)), self._stop)
            self.messages.put(("done", result))
        except JobCancelled as exc:
            self.messages.put(("cancelled", exc.job_id))
        except FoleyClientError as exc:
            self.messages.put(("error", str(exc)))
        except Exception as exc:  # the editor must hear of it, whatever it is
            self.messages.put(("error", "unexpected error in the Foley client ({}: {})".format(type(exc).__name__, exc)))


def drain(messages: queue.Queue) -> List[tuple]:
    """Everything queued so far, without waiting (call from the editor's main thread/timer)."""
    out = []
    while True:
        try:
            out.append(messages.get_nowait())
        except queue.Empty:
            return out

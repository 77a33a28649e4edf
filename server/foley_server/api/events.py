"""Progress fan-out: the worker thread publishes, each WebSocket has its own small queue.

A slow or dead subscriber never delays the job or the others: its queue is bounded and stale
progress for the same clip and stage is replaced, not queued.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque

MAX_PENDING = 256


class Subscriber:
    """One connection's queue, living on the server's event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, job_id: str | None) -> None:
        self.loop = loop
        self.job_id = job_id  # None: every job
        self.pending: deque[dict] = deque()
        self.ready = asyncio.Event()

    def push(self, event: dict) -> None:
        """Runs on the loop: coalesce stale progress, keep the queue bounded, wake the sender."""
        if event["type"] == "progress":
            key = (event.get("job_id"), event.get("clip_id"), event.get("stage"))
            for index, queued in enumerate(self.pending):
                if queued["type"] == "progress" and (queued.get("job_id"), queued.get("clip_id"), queued.get("stage")) == key:
                    self.pending[index] = event
                    break
            else:
                self.pending.append(event)
        else:
            self.pending.append(event)
        while len(self.pending) > MAX_PENDING:
            oldest_progress = next((i for i, e in enumerate(self.pending) if e["type"] == "progress"), 0)
            del self.pending[oldest_progress]
        self.ready.set()

    async def next(self) -> dict:
        while not self.pending:
            self.ready.clear()
            await self.ready.wait()
        return self.pending.popleft()


class EventHub:
    """Thread-safe publish; subscribers register from the event loop."""

    def __init__(self) -> None:
        self._subscribers: set[Subscriber] = set()
        self._lock = threading.Lock()

    def subscribe(self, job_id: str | None) -> Subscriber:
        subscriber = Subscriber(asyncio.get_running_loop(), job_id)
        with self._lock:
            self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(subscriber)

    def publish(self, event: dict) -> None:
        """Called from any thread; never blocks on a subscriber."""
        event = {"t": time.time(), **event}
        with self._lock:
            targets = [s for s in self._subscribers if s.job_id in (None, event.get("job_id"))]
        for subscriber in targets:
            try:
                subscriber.loop.call_soon_threadsafe(subscriber.push, event)
            except RuntimeError:  # its loop is gone: the connection closed
                self.unsubscribe(subscriber)

"""One progress vocabulary for the CLI bars and the server's WebSocket events."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

#: Stages of one clip, in order; `plan` and `conform` run once per job.
CLIP_STAGES = ("decode", "see", "hear", "generate", "master")
JOB_STAGES = ("plan", *CLIP_STAGES, "conform")


@dataclass(frozen=True)
class ProgressEvent:
    """Something happened in a job; the wire protocol's event types."""

    type: str  # started | stage | progress | clip_done | clip_failed | done | failed | cancelled
    clip_id: str | None = None
    clip_name: str | None = None
    clip_index: int = 0
    clip_count: int = 0
    stage: str | None = None
    done: float = 0.0
    total: float = 0.0
    message: str = ""
    t: float = field(default_factory=time.time)
    sound: str = ""  # clip_done: what the clip heard ("boots on gravel → footsteps(surface=gravel) + ...")
    warnings: tuple[str, ...] = ()  # clip_done: what it asked for that no model renders

    @property
    def fraction(self) -> float:
        return (self.done / self.total) if self.total else 0.0


ProgressSink = Callable[[ProgressEvent], None]


def ignore_progress(event: ProgressEvent) -> None:
    """Default sink for callers that show no progress."""


class StageTimer:
    """Accumulates wall seconds per stage across clips, so jobs report where time went."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    @contextmanager
    def stage(self, stage: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.add(stage, time.perf_counter() - t0)

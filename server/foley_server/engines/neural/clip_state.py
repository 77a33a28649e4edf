"""What a clip's model calls carry between windows and report: takes, stage seconds, denoising progress."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..base import CancelToken, Progress
from ..placement import Bank


@dataclass
class BatchReport:
    """Seconds per stage and what had to give, for one engine call."""

    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds


@dataclass
class ClipState:
    """What one clip keeps across its windows: its one-shot banks, prepared bed takes and progress count."""

    banks: dict[int, Bank] | None = None  # event layer index -> takes
    bed_takes: dict[int, list[np.ndarray]] = field(default_factory=dict)  # window index -> one take per bed layer
    report: BatchReport = field(default_factory=BatchReport)  # what prepare() spent, told by generate()
    done: int = 0


class StepTracker:
    """Denoising steps as progress units of the whole clip; the cancel check between steps."""

    def __init__(self, clip: ClipState, progress: Progress, cancel: CancelToken, steps: int) -> None:
        self.clip, self.progress, self.cancel, self.steps = clip, progress, cancel, steps
        self.total = 0

    def plan(self, calls_left: int) -> None:
        self.total = self.clip.done + calls_left * self.steps

    def step(self) -> None:
        """Called by the denoising loop after each step: count it, report it, stop here if cancelled."""
        self.clip.done += 1
        self.progress(self.clip.done, max(self.total, self.clip.done))
        self.cancel.raise_if_cancelled()

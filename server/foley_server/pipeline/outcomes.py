"""What a job produced, clip by clip: the pipeline's results before they become files and OTIO."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import opentimelineio as otio

from ..engines.base import SoundSpec, VisualEvents
from .conform import Placement
from .plan import ClipTask
from .render import RenderReport


@dataclass
class ClipOutcome:
    """One clip's result: a WAV, or the reason there is none."""

    task: ClipTask
    wav_path: Path | None = None
    error: str | None = None
    events: VisualEvents | None = None
    spec: SoundSpec | None = None
    report: RenderReport | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    stems: dict[str, RenderReport] = field(default_factory=dict)  # role -> its own mastered WAV

    @property
    def ok(self) -> bool:
        return self.error is None and self.wav_path is not None

    @property
    def sound(self) -> str:
        """What the engine heard in the prompt, for people."""
        return self.spec.summary if self.spec is not None else ""

    @property
    def heard(self) -> str:
        """'prompt → what the engine made of it': the line the CLI, the server and the plugins show."""
        if self.spec is None:
            return ""
        return f"{self.spec.prompt.strip() or '(no prompt: from the picture)'} → {self.spec.summary}"


@dataclass
class JobOutcome:
    """Everything a job produced: the result timeline, placements, per-clip outcomes, timings."""

    timeline: otio.schema.Timeline
    placements: list[Placement]
    clips: list[ClipOutcome]
    seconds: dict[str, float]  # per stage, summed over clips; stages overlap in time
    warnings: list[str]
    wall_s: float = 0.0

    @property
    def failed(self) -> list[ClipOutcome]:
        return [c for c in self.clips if not c.ok]

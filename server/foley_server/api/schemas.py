"""Request and response bodies of the job API (pydantic: validated, documented in /docs)."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator


class ClipChoice(BaseModel):
    """One selected clip and what it should sound like."""

    clip_id: str = Field(min_length=1, max_length=200)
    prompt: str | None = Field(default=None, max_length=2000)
    negative_prompt: str | None = Field(default=None, max_length=2000)
    seed: int | None = None


class JobRequest(BaseModel):
    """A Foley job: a timeline (inline OTIO JSON or a path under an allowed root) and the clips to do."""

    timeline: dict | None = None
    timeline_path: str | None = None
    clips: list[ClipChoice] = Field(default_factory=list, max_length=10_000)
    engine: str = "procedural"
    profile: str = "balanced"
    output_dir: str = Field(min_length=1)
    stems: bool = False
    seed: int = 0

    @model_validator(mode="after")
    def one_timeline(self) -> "JobRequest":
        if (self.timeline is None) == (self.timeline_path is None):
            raise ValueError("give exactly one of `timeline` (inline OTIO JSON) or `timeline_path`")
        return self


class JobAccepted(BaseModel):
    job_id: str
    status_url: str
    result_url: str
    events_url: str


class JobStatus(BaseModel):
    job_id: str
    state: str
    created: float
    updated: float
    clips: dict[str, dict]
    error: str | None = None

"""Request and response bodies of the job API (pydantic: validated, documented in /docs)."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ..config import PROFILES
from ..engines.registry import engine_names
from ..jobs.spec import JobOptions
from .refusals import shown


class JobRequest(JobOptions):
    """A Foley job: a timeline (inline OTIO JSON or a path under an allowed root) and the clips to do."""

    timeline: dict | None = Field(default=None, description="the timeline as OTIO JSON (an OTIO_SCHEMA Timeline.1 object)")
    timeline_path: str | None = Field(default=None, min_length=1, max_length=4096,
                                      description="a timeline file (OTIO, OTIOZ, FCP XML, FCPXML, EDL) under an allowed root")

    @model_validator(mode="after")
    def one_timeline(self) -> JobRequest:
        if (self.timeline is None) == (self.timeline_path is None):
            raise PydanticCustomError("one_timeline", "give exactly one of `timeline` (inline OTIO JSON) or `timeline_path`")
        return self

    @field_validator("engine")
    @classmethod
    def known_engine(cls, name: str) -> str:
        if name not in engine_names():
            raise PydanticCustomError("unknown_engine", "unknown engine {name}; choose one of: {choices}",
                                      {"name": shown(name), "choices": ", ".join(engine_names())})
        return name

    @field_validator("profile")
    @classmethod
    def known_profile(cls, name: str) -> str:
        if name not in PROFILES:
            raise PydanticCustomError("unknown_profile", "unknown profile {name}; choose one of: {choices}",
                                      {"name": shown(name), "choices": ", ".join(PROFILES)})
        return name


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
    worker: str | None = Field(default=None, description="the worker holding the job while it runs (host:pid:…/device#n)")

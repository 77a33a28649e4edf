"""What a job asks for, as validated models: the API accepts them, the store keeps them, the worker reads them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..config import DEFAULT_ENGINE, DEFAULT_PROFILE

#: Seeds end up in OTIO metadata, which holds C++ int64 values.
MAX_SEED = 2**63 - 1


class ClipChoice(BaseModel):
    """One selected clip and what it should sound like."""

    clip_id: str = Field(min_length=1, max_length=200)
    prompt: str | None = Field(default=None, max_length=2000)
    negative_prompt: str | None = Field(default=None, max_length=2000)
    seed: int | None = Field(default=None, ge=0, le=MAX_SEED)


class JobOptions(BaseModel):
    """Everything a job carries besides its timeline."""

    clips: list[ClipChoice] = Field(default_factory=list, max_length=10_000)
    engine: str = Field(default=DEFAULT_ENGINE, min_length=1, max_length=100)
    profile: str = Field(default=DEFAULT_PROFILE, min_length=1, max_length=100)
    output_dir: str = Field(min_length=1, max_length=4096)
    stems: bool = False
    seed: int = Field(default=0, ge=0, le=MAX_SEED)


class JobSpec(JobOptions):
    """A job as accepted: paths resolved and checked, the timeline kept as the OTIO JSON text that was checked.

    The store keeps `model_dump_json()`; the worker reads it back with `model_validate_json` and parses
    the timeline once, where it is used.
    """

    timeline_text: str | None = None  # the timeline as checked at submit, OTIO JSON (a file's too, once read)
    timeline_path: str | None = None  # the timeline file it came from, if any, inside an allowed root

    def selectors(self) -> list[str] | None:
        """The chosen clip ids, or None for every clip."""
        return [c.clip_id for c in self.clips] or None

    def prompts(self) -> dict[str, str]:
        return {c.clip_id: c.prompt for c in self.clips if c.prompt}

    def negative_prompts(self) -> dict[str, str]:
        return {c.clip_id: c.negative_prompt for c in self.clips if c.negative_prompt}

    def seeds(self) -> dict[str, int]:
        return {c.clip_id: c.seed for c in self.clips if c.seed is not None}

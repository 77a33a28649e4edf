"""Quality profiles: the knobs that trade speed and memory for quality, in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """One quality level; engines and the pipeline read only these fields."""

    name: str
    steps: int  # diffusion steps for model engines
    precision: str  # "fp32" | "bf16" | "fp16" for model engines
    chunk_s: float  # render window length; memory is constant in clip length
    overlap_s: float  # crossfade between windows
    sampling_fps: float  # analysis frames per second; 0 means the media's own rate
    analysis_height: int  # frames are scaled to this height (<= 360) before analysis
    # Model engines only:
    batch: int = 8  # sounds generated in one call at most
    variants: int = 3  # one-shot takes generated per distinct sound (round-robin on the onsets)
    guidance: float = 7.0  # classifier-free guidance scale
    scheduler: str = "default"  # "default" = the model's own; "fast" = a multistep solver good at few steps
    vae_slicing: bool = False  # decode one waveform at a time (less memory, same result)
    vae_tiling: bool = False  # decode long latents in tiles where the VAE supports it
    cpu_offload: bool = False  # keep only the running sub-model on the GPU
    fallback: str | None = None  # the profile one level down, for out-of-memory retries


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("quality", steps=50, precision="fp32", chunk_s=30.0, overlap_s=1.0, sampling_fps=0, analysis_height=360,
                batch=8, variants=4, fallback="balanced"),
        Profile("balanced", steps=25, precision="bf16", chunk_s=15.0, overlap_s=1.0, sampling_fps=0, analysis_height=144,
                batch=8, variants=3, vae_slicing=True, fallback="low-memory"),
        Profile("fast", steps=8, precision="bf16", chunk_s=30.0, overlap_s=0.5, sampling_fps=0, analysis_height=72,
                batch=16, variants=2, scheduler="fast", vae_slicing=True, fallback="low-memory"),
        Profile("low-memory", steps=25, precision="fp16", chunk_s=10.0, overlap_s=0.5, sampling_fps=0, analysis_height=72,
                batch=1, variants=2, vae_slicing=True, vae_tiling=True, cpu_offload=True),
    )
}

DEFAULT_PROFILE = "balanced"


def lower_profile(profile: Profile) -> Profile | None:
    """The next profile down in memory use (quality -> balanced -> low-memory), or None at the bottom."""
    return PROFILES[profile.fallback] if profile.fallback else None

# Delivery format of every Foley WAV.
OUTPUT_SAMPLE_RATE = 48_000
OUTPUT_SUBTYPE = "PCM_24"


def get_profile(name: str) -> Profile:
    """Look a profile up by name with an error that lists the valid ones."""
    from .errors import FoleyError

    try:
        return PROFILES[name]
    except KeyError:
        raise FoleyError(f"unknown profile {name!r}; choose one of: {', '.join(PROFILES)}") from None

# Loudness of each stem (`--stems`): hits in front, movement under them, beds far under; the
# mixed WAV is mastered as a whole to MasterSettings' target. All share the -1 dBTP ceiling.
STEM_LOUDNESS_LUFS = {"events": -20.0, "movement": -26.0, "ambience": -30.0}

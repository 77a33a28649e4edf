"""Where a model engine's weights are, whether they are complete, and what to do when they are not.

Weights are never downloaded at run time: they come from `--weights DIR`, the engine's
environment variable, or a Hugging Face cache the user already has (always `local_files_only`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..base import EngineUnavailable

_MODEL_WEIGHTS = ("diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.bin", "model.safetensors",
                  "pytorch_model.bin", "diffusion_pytorch_model.safetensors.index.json", "model.safetensors.index.json",
                  "pytorch_model.bin.index.json")
_TOKENIZER_FILES = ("tokenizer.json", "spiece.model", "vocab.json")


@dataclass(frozen=True)
class WeightsSpec:
    """The model an engine runs and where people get it."""

    engine: str
    repo_id: str  # on the Hugging Face Hub, in diffusers layout (model_index.json)
    env_var: str
    gated: bool  # the Hub asks users to accept a licence before downloading
    licence: str


@dataclass(frozen=True)
class Candidate:
    """One place looked in, in order, and what was found there."""

    source: str  # "--weights", "FOLEY_WEIGHTS_…", "Hugging Face cache"
    path: Path | None
    missing: tuple[str, ...]  # files a complete model needs that are not there; () = complete

    @property
    def complete(self) -> bool:
        return self.path is not None and not self.missing


def missing_files(folder: Path) -> tuple[str, ...]:
    """Files of a diffusers pipeline folder that are absent (relative paths); empty when complete.

    model_index.json names the components; each needs its config and, for models, its weights.
    """
    index = folder / "model_index.json"
    if not index.is_file():
        return ("model_index.json",)
    try:
        components = json.loads(index.read_text())
    except (OSError, ValueError):
        return ("model_index.json (unreadable)",)
    missing = []
    for name, value in components.items():
        if name.startswith("_") or not isinstance(value, list) or len(value) != 2 or value[0] is None:
            continue
        cls = str(value[1])
        sub = folder / name
        if "Tokenizer" in cls:
            if not (sub / "tokenizer_config.json").is_file():
                missing.append(f"{name}/tokenizer_config.json")
            if not any((sub / f).is_file() for f in _TOKENIZER_FILES):
                missing.append(f"{name}/tokenizer.json (or spiece.model / vocab.json)")
        elif "Scheduler" in cls:
            if not (sub / "scheduler_config.json").is_file():
                missing.append(f"{name}/scheduler_config.json")
        elif "FeatureExtractor" in cls:
            if not (sub / "preprocessor_config.json").is_file():
                missing.append(f"{name}/preprocessor_config.json")
        else:
            if not (sub / "config.json").is_file():
                missing.append(f"{name}/config.json")
            if not any((sub / f).is_file() for f in _MODEL_WEIGHTS) and not any(sub.glob("*.safetensors")):
                missing.append(f"{name}/diffusion_pytorch_model.safetensors (or model.safetensors)")
    return tuple(missing)


def _hf_cache_snapshot(repo_id: str) -> Path | None:
    """The newest cached snapshot of a Hub repository, without touching the network."""
    try:
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import LocalEntryNotFoundError
    except ImportError:
        return None
    try:
        return Path(snapshot_download(repo_id, local_files_only=True))
    except (LocalEntryNotFoundError, OSError, ValueError):
        return None


def hf_cache_dir() -> str:
    """Where the Hugging Face cache is on this machine (HF_HUB_CACHE, HF_HOME or the default)."""
    try:
        from huggingface_hub import constants

        return str(constants.HF_HUB_CACHE)
    except ImportError:
        return os.environ.get("HF_HUB_CACHE") or str(Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface")) / "hub")


def candidates(spec: WeightsSpec, explicit: Path | None) -> list[Candidate]:
    """Every place looked in, in the order they count: --weights, the environment variable, the HF cache."""
    found = []
    if explicit is not None:
        found.append(Candidate("--weights", explicit, missing_files(explicit) if explicit.is_dir() else ("(folder does not exist)",)))
    env = os.environ.get(spec.env_var)
    if env:
        path = Path(env).expanduser()
        found.append(Candidate(spec.env_var, path, missing_files(path) if path.is_dir() else ("(folder does not exist)",)))
    cached = _hf_cache_snapshot(spec.repo_id)
    found.append(Candidate("Hugging Face cache", cached, missing_files(cached) if cached else ("(not cached)",)))
    return found


def locate(spec: WeightsSpec, explicit: Path | None) -> Path:
    """The folder to load from, or EngineUnavailable saying exactly what is missing and how to get it."""
    looked = candidates(spec, explicit)
    first_given = looked[0]
    if first_given.source != "Hugging Face cache":  # a folder the user named: it must be complete, no fallback
        if first_given.complete:
            return first_given.path
        raise EngineUnavailable(_incomplete(spec, first_given))
    if first_given.complete:
        return first_given.path
    raise EngineUnavailable(_nothing_found(spec, looked))


def _how_to_get(spec: WeightsSpec) -> str:
    licence = (f"accept the licence ({spec.licence}) at https://huggingface.co/{spec.repo_id} while logged in, then "
               if spec.gated else "")
    return (f"On a machine with internet: {licence}run `hf download {spec.repo_id} --local-dir DIR`; copy DIR here and "
            f"pass `--weights DIR` (or set {spec.env_var}=DIR).")


def _incomplete(spec: WeightsSpec, where: Candidate) -> str:
    files = ", ".join(where.missing[:8]) + (f" and {len(where.missing) - 8} more" if len(where.missing) > 8 else "")
    return (f"{spec.engine}: the weights folder {where.path} (from {where.source}) is not a complete "
            f"{spec.repo_id} download: missing {files}. {_how_to_get(spec)}")


def _nothing_found(spec: WeightsSpec, looked: list[Candidate]) -> str:
    cache = looked[-1]
    cache_note = (f"the Hugging Face cache ({hf_cache_dir()}) has no {spec.repo_id}" if cache.path is None else
                  f"the Hugging Face cache copy {cache.path} is incomplete (missing {', '.join(cache.missing[:5])})")
    return (f"{spec.engine}: no weights found. Looked for --weights DIR (not given), {spec.env_var} (not set), and "
            f"{cache_note}. {_how_to_get(spec)}")


def report(spec: WeightsSpec, explicit: Path | None) -> list[str]:
    """Lines for `foley weights`: each place looked in and what it holds."""
    lines = [f"model {spec.repo_id}" + (f" (gated: accept {spec.licence} on the Hub first)" if spec.gated else "")]
    looked = {c.source: c for c in candidates(spec, explicit)}
    lines.append(f"--weights DIR: {_describe(looked.get('--weights'), 'not given')}")
    lines.append(f"{spec.env_var}: {_describe(looked.get(spec.env_var), 'not set')}")
    cache = looked["Hugging Face cache"]
    lines.append(f"Hugging Face cache ({hf_cache_dir()}): {_describe(cache) if cache.path else 'not cached'}")
    try:
        lines.append(f"-> uses {locate(spec, explicit)}")
    except EngineUnavailable:
        lines.append(f"-> nothing usable. {_how_to_get(spec)}")
    return lines


def _describe(candidate: Candidate | None, absent: str = "not given") -> str:
    if candidate is None:
        return absent
    if candidate.complete:
        return f"{candidate.path}: complete"
    return f"{candidate.path}: incomplete, missing {', '.join(candidate.missing[:5])}"

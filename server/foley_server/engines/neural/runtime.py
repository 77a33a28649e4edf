"""Torch on the device a profile asks for: dtypes, out-of-memory errors and freeing."""

from __future__ import annotations

import gc
import importlib.util
import logging
import os

#: Test hook: the first N batched model calls of this process fail as a CUDA out-of-memory would
#: (a real torch.cuda.OutOfMemoryError), so the fallback path can be exercised on any machine.
INJECT_OOM_ENV = "FOLEY_TEST_OOM_CALLS"


def torch_dtype(precision: str, device: str):
    """fp32 on CPU whatever the profile says; bf16 where the GPU has it, else fp16."""
    import torch

    if not device.startswith("cuda") or precision == "fp32":
        return torch.float32
    if precision == "bf16" and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return torch.float16


def can_offload(device: str) -> bool:
    """CPU offload (one sub-model on the GPU at a time) helps only a GPU, and needs accelerate."""
    return device.startswith("cuda") and importlib.util.find_spec("accelerate") is not None


def device_resampler(device: str):
    """torchaudio's resample(waveform, orig_freq, new_freq) where it helps (on a GPU) and only if it imports.

    PyPI's torchaudio needs a CUDA torch, and one built for another torch fails at import (ImportError,
    OSError for missing symbols): then None, the model's rate is kept and the renderer resamples with
    soxr on the host, as on the CPU. The job runs either way.
    """
    if not device.startswith("cuda"):
        return None
    try:
        from torchaudio.functional import resample
    except Exception as exc:  # any failure to import means: resample on the host
        logging.getLogger(__name__).warning("torchaudio does not import (%s); resampling on the host", exc)
        return None
    return resample


def is_out_of_memory(exc: BaseException) -> bool:
    """CUDA's own OOM error, or the RuntimeError other backends raise for it."""
    import torch

    return isinstance(exc, torch.cuda.OutOfMemoryError) or (
        isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower())


def free_device_memory(device: str) -> None:
    """Give cached blocks back after an OOM or an unload, so the retry starts from a clean pool."""
    gc.collect()
    if device.startswith("cuda"):
        import torch

        torch.cuda.empty_cache()


class InjectedOom:
    """Counts down FOLEY_TEST_OOM_CALLS (read once per process) and raises in its place."""

    remaining = int(os.environ.get(INJECT_OOM_ENV, "0") or 0)

    @classmethod
    def maybe_raise(cls) -> None:
        if cls.remaining > 0:
            cls.remaining -= 1
            import torch

            raise torch.cuda.OutOfMemoryError(f"CUDA out of memory (injected by {INJECT_OOM_ENV})")


def quiet_loading() -> None:
    """No per-component progress bars on the console while a pipeline loads (servers log, CLIs show their own)."""
    import diffusers
    import transformers

    diffusers.utils.logging.disable_progress_bar()
    transformers.utils.logging.disable_progress_bar()


def share_cpu(device: str) -> None:
    """On the CPU, leave a core to decoding and analysis: torch's default of every core made denoising
    10-30x slower on 2 cores once the decoder child and the analysis thread were busy (measured).
    An explicit OMP_NUM_THREADS wins."""
    if device != "cpu" or os.environ.get("OMP_NUM_THREADS"):
        return
    import torch

    torch.set_num_threads(max(1, (os.cpu_count() or 2) - 1))

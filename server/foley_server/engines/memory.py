"""Peak memory of a job on its device, for the result and /v1/health (any engine)."""

from __future__ import annotations


def reset_peak_memory(device: str) -> None:
    """Start a new peak measurement (per job)."""
    if device.startswith("cuda"):
        import torch

        torch.cuda.reset_peak_memory_stats(device)
    else:
        try:  # Linux: writing 5 to clear_refs resets the process's peak resident size (VmHWM)
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
        except OSError:
            pass


def peak_memory_bytes(device: str) -> int | None:
    """Peak device memory since the last reset: CUDA max allocated, or this process's peak RSS on CPU."""
    if device.startswith("cuda"):
        import torch

        return int(torch.cuda.max_memory_allocated(device))
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None

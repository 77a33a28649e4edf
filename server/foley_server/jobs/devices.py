"""Which compute devices this machine has (one probe, shared by `foley serve --devices` and `foley doctor`)."""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from functools import lru_cache

from ..errors import FoleyError

_DEVICE = re.compile(r"^(cpu|cuda:\d+)$")


class DeviceError(FoleyError):
    """`--devices` names a device this machine does not have."""


@dataclass(frozen=True)
class DeviceProbe:
    """What torch sees here; without torch only the CPU (the procedural engine needs nothing else)."""

    torch_version: str | None
    cuda: tuple[str, ...]  # the name of each CUDA device, by index

    def describe(self) -> str:
        """One line for `foley doctor`."""
        if self.torch_version is None:
            return "cpu (torch not installed: model engines unavailable, procedural works)"
        if self.cuda:
            names = ", ".join(f"cuda:{i} {name}" for i, name in enumerate(self.cuda))
            return f"{names} (torch {self.torch_version})"
        return f"cpu (torch {self.torch_version}, no CUDA device)"


@lru_cache(maxsize=1)
def probe() -> DeviceProbe:
    """Ask torch once per process (importing it takes a while; the answer does not change)."""
    if importlib.util.find_spec("torch") is None:
        return DeviceProbe(None, ())
    import torch

    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    return DeviceProbe(torch.__version__, tuple(torch.cuda.get_device_name(i) for i in range(count)))


def resolve_devices(spec: str) -> list[str]:
    """`auto` → every CUDA device (else cpu); or a comma list such as `cpu` or `cuda:0,cuda:1`."""
    if spec == "auto":
        return [f"cuda:{i}" for i in range(len(probe().cuda))] or ["cpu"]
    devices = [d.strip() for d in spec.split(",") if d.strip()]
    if not devices:
        raise DeviceError("--devices is empty; give auto, cpu, or e.g. cuda:0,cuda:1")
    for device in devices:
        if not _DEVICE.match(device):
            raise DeviceError(f"unknown device {device!r}; use auto, cpu, or cuda:N (e.g. cuda:0,cuda:1)")
    cuda = len(probe().cuda) if any(d.startswith("cuda:") for d in devices) else 0
    for device in devices:
        if device.startswith("cuda:") and int(device[5:]) >= cuda:
            found = f"{cuda} CUDA device(s)" if cuda else "no CUDA device"
            raise DeviceError(f"{device} is not available: this machine has {found}; use --devices auto or cpu")
    return devices

"""Device slots: one per visible CUDA device, else `cpu_slots` CPU slots."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from service.core.config import Settings

logger = logging.getLogger("whetstone.scheduler")

# Counting CUDA devices imports torch (seconds); it runs in a child process so that the API
# process never imports torch, and only where a GPU driver is present at all.
_COUNT_CUDA = "from service.training.devices import cuda_device_count; print(cuda_device_count())"


@dataclass(frozen=True)
class DeviceSlot:
    """Where one job trains at a time."""

    index: int
    device: str  # "cpu" or "cuda:N"
    # torch intra-op threads for the job's worker, so that CPU slots share the cores.
    threads: int


def discover_slots(settings: Settings) -> list[DeviceSlot]:
    """The slots of this machine: WHETSTONE_DEVICES ("0,1"; "cpu" forces CPU slots), else
    every visible CUDA device, else settings.cpu_slots CPU slots."""
    # One core stays with the API and the inference engine: on a 2-core machine, a worker with
    # two torch threads competing with the API ran 40 times slower than with one.
    cores = max(1, (os.cpu_count() or 1) - 1)
    if settings.devices is not None and settings.devices.strip().lower() != "cpu":
        indexes = [int(part) for part in settings.devices.split(",") if part.strip()]
        return [
            DeviceSlot(index=i, device=f"cuda:{cuda}", threads=max(1, cores // len(indexes)))
            for i, cuda in enumerate(indexes)
        ]
    n_cuda = 0 if settings.devices is not None else count_cuda_devices()
    if n_cuda:
        return [
            DeviceSlot(index=i, device=f"cuda:{i}", threads=max(1, cores // n_cuda))
            for i in range(n_cuda)
        ]
    n_cpu = max(1, settings.cpu_slots)
    return [DeviceSlot(index=i, device="cpu", threads=max(1, cores // n_cpu)) for i in range(n_cpu)]


def count_cuda_devices() -> int:
    """Visible CUDA devices, counted in a child process; 0 without an NVIDIA driver."""
    if not any(Path("/dev").glob("nvidia[0-9]*")):
        return 0
    try:
        result = subprocess.run(
            [sys.executable, "-c", _COUNT_CUDA],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return int(result.stdout.strip() or 0)
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        logger.warning("could not count CUDA devices, training on the CPU: %s", exc)
        return 0

"""torch's view of the machine, for the scheduler, which must not import torch itself."""

from __future__ import annotations


def cuda_device_count() -> int:
    """Visible CUDA devices; 0 when CUDA is unavailable."""
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def limit_threads(threads: int) -> None:
    """Cap torch's intra-op threads in this process (a training worker)."""
    import torch

    torch.set_num_threads(max(1, threads))

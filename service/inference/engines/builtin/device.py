"""Where the engine runs, and how it shares a GPU with training.

Policy: the engine caps its own CUDA allocations at `inference_gpu_memory_fraction` of the
device (torch's per-process memory fraction, so the caching allocator raises OOM inside the
engine instead of starving a training worker); training workers run in their own processes and
have the rest. The engine's KV cache grows with `max_batch_size` and context, so lower either
when the cap is hit.
"""

from __future__ import annotations

import torch

from service.core.config import Settings


def inference_device(settings: Settings) -> str:
    """The engine's device, with its memory cap applied when it is a GPU."""
    device = settings.inference_device or ("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda"):
        index = torch.device(device).index or 0
        torch.cuda.set_per_process_memory_fraction(settings.inference_gpu_memory_fraction, index)
        device = f"cuda:{index}"
    return device

"""The pre-flight memory check of full fine-tuning: will the model and AdamW's state fit?

Full training holds, per parameter, the fp32 master weight, its fp32 gradient and AdamW's two
fp32 moments: 16 bytes. (On CUDA the forward and backward passes run under bf16 autocast, but the
weights stay fp32, since a bf16 weight loses every AdamW update smaller than 2^-8 of itself: at
the usual learning rates, most of them.) Activations, the CUDA context and the allocator's slack
come on top, which a margin covers. The check runs before the model is loaded, on a parameter
count taken from the config alone, so a model that cannot fit fails the job at once rather than
as an OOM kill minutes later. LoRA jobs are not checked: their optimizer state is the adapter's.

Pure arithmetic (`required_bytes`, `check_fits`) is separate from what it asks the machine
(`available_bytes`, `parameter_count`), so the refusal is tested without allocating anything.
"""

from __future__ import annotations

import os
from pathlib import Path

# fp32 weight + fp32 gradient + AdamW's exp_avg and exp_avg_sq in fp32.
BYTES_PER_PARAMETER = {"float32": 4 + 4 + 4 + 4}
# Activations (at most 8192 padded tokens per forward pass), the temporary copies of a
# checkpoint save, the CUDA context: a fifth more, and at least 256 MiB.
MARGIN_FRACTION = 0.2
MIN_MARGIN_BYTES = 256 * 1024**2
INSUFFICIENT_MEMORY_CODE = "insufficient_memory"


class InsufficientMemoryError(Exception):
    """Full fine-tuning of this model cannot fit the device; the job fails with `code`."""

    code = INSUFFICIENT_MEMORY_CODE

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def required_bytes(parameters: int, dtype: str = "float32") -> int:
    """Bytes full training of `parameters` parameters needs: weights, gradients, AdamW's two
    moments, and the margin."""
    state = parameters * BYTES_PER_PARAMETER[dtype]
    return state + max(MIN_MARGIN_BYTES, round(state * MARGIN_FRACTION))


def check_fits(parameters: int, *, available: int, device: str, dtype: str = "float32") -> None:
    """Raise InsufficientMemoryError, naming both figures, when training cannot fit."""
    needed = required_bytes(parameters, dtype)
    if needed > available:
        raise InsufficientMemoryError(
            f"Full fine-tuning of this model needs about {_gib(needed)} "
            f"({needed} bytes: {parameters:,} parameters x {BYTES_PER_PARAMETER[dtype]} bytes "
            f"of {dtype} weights, gradients and AdamW's two moments, plus a margin), but "
            f"{device} has {_gib(available)} ({available} bytes) available. Train a LoRA "
            f'adapter instead (training_type "lora"), or use a device with more memory.'
        )


def available_bytes(device: str) -> int:
    """Free memory of `device` now: the CUDA device's free bytes, or the machine's
    MemAvailable (free RAM plus reclaimable cache) on the CPU."""
    import torch

    target = torch.device(device)
    if target.type == "cuda":
        free, _total = torch.cuda.mem_get_info(target)
        return int(free)
    return _host_available_bytes()


def _host_available_bytes() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    # Not Linux: free pages only (excludes the page cache, so it errs on the safe side).
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def parameter_count(model_dir: Path) -> int:
    """The model's parameter count from its config alone: built on the meta device, so no
    weight is read or allocated. Tied weights count once, as the optimizer sees them."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.from_pretrained(model_dir, local_files_only=True)
    with torch.device("meta"):
        # transformers leaves the auto classes' from_config unannotated.
        model: torch.nn.Module = AutoModelForCausalLM.from_config(config)  # type: ignore[no-untyped-call]
    return sum(parameter.numel() for parameter in model.parameters())


def _gib(count: int) -> str:
    return f"{count / 1024**3:.2f} GiB"

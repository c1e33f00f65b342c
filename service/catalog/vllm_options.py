"""How a models-file entry asks to be served by vLLM: its keys, declared once, and their checks.

The keys carry vLLM's own names (`max_loras`, `max_lora_rank`, ...) so that a vLLM user reads
them as vLLM's; any other vLLM argument goes under `vllm_args`. Imports no torch.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Final, Literal

Engine = Literal["builtin", "vllm"]
ENGINES: Final = ("builtin", "vllm")
# The dtypes vLLM's --dtype accepts.
VLLM_DTYPES: Final = ("auto", "float32", "float16", "bfloat16", "half", "float")
# The LoRA ranks vLLM allocates for (its --max-lora-rank choices).
VLLM_LORA_RANKS: Final = (1, 8, 16, 32, 64, 128, 256, 320, 512)
# A vLLM CLI argument's value: a flag (True), a value, or a list of values.
VllmArgument = str | int | float | bool | list[str | int | float]


@dataclass(frozen=True)
class VllmOptions:
    """The vLLM settings of one base model, named as vLLM names them."""

    # Adapters resident at once (Whetstone's zero adapter, for base requests, takes one).
    max_loras: int = 8
    # Adapters kept in host memory; None: vLLM's default (max_loras).
    max_cpu_loras: int | None = None
    # The highest LoRA rank vLLM allocates for; a job of a higher rank is refused at create.
    max_lora_rank: int = 64
    # None: the entry's context_length.
    max_model_len: int | None = None
    # None: vLLM's default (0.9 of the GPU); ignored by vLLM's CPU build.
    gpu_memory_utilization: float | None = None
    tensor_parallel_size: int = 1
    # None: the model's own dtype when it is float32 (vLLM would halve it), else vLLM's "auto".
    dtype: str | None = None
    # Any other vLLM CLI argument, by its long name without dashes (`enforce_eager: true`).
    vllm_args: dict[str, VllmArgument] = field(default_factory=dict)
    # Replicas run elsewhere (Kubernetes): Whetstone starts no process and spreads requests
    # over these; empty: Whetstone starts and supervises one vLLM server itself.
    vllm_url: tuple[str, ...] = ()


# Every key of VllmOptions, as it appears in a models-file entry.
VLLM_KEYS: Final = tuple(f.name for f in dataclasses.fields(VllmOptions))


def vllm_options(name: str, spec: dict[str, object], source: str) -> VllmOptions:
    """The entry's vLLM keys, checked; ValueError naming the key otherwise."""

    def fail(key: str, why: str) -> ValueError:
        return ValueError(f"model {name!r} in {source}: {key} {why}")

    def positive_int(key: str, default: int | None) -> int | None:
        value = spec.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise fail(key, f"must be a positive integer, not {value!r}")
        return value

    defaults = VllmOptions()
    utilization = spec.get("gpu_memory_utilization")
    if utilization is not None and (
        isinstance(utilization, bool)
        or not isinstance(utilization, int | float)
        or not 0 < utilization <= 1
    ):
        raise fail("gpu_memory_utilization", f"must be a number in (0, 1], not {utilization!r}")
    dtype = spec.get("dtype")
    if dtype is not None and dtype not in VLLM_DTYPES:
        raise fail("dtype", f"must be one of {', '.join(VLLM_DTYPES)}, not {dtype!r}")
    args = spec.get("vllm_args") or {}
    if not isinstance(args, dict) or not all(
        isinstance(k, str) and _is_argument(v) for k, v in args.items()
    ):
        raise fail("vllm_args", "must map vLLM argument names to values (or lists of values)")
    for key in args:
        # An argument Whetstone sets from the entry would be given twice, one silently lost.
        if key.replace("-", "_") in (*VLLM_KEYS, *_MANAGED_ARGUMENTS):
            raise fail("vllm_args", f"may not set {key!r}: Whetstone sets it")
    urls = spec.get("vllm_url") or []
    if isinstance(urls, str):
        urls = [urls]
    if not isinstance(urls, list) or not all(
        isinstance(u, str) and u.startswith(("http://", "https://")) for u in urls
    ):
        raise fail("vllm_url", "must be a list of http(s) URLs of vLLM servers")
    rank = spec.get("max_lora_rank", defaults.max_lora_rank)
    if rank not in VLLM_LORA_RANKS or isinstance(rank, bool):
        raise fail("max_lora_rank", f"must be one of {VLLM_LORA_RANKS}, not {rank!r}")
    max_loras = positive_int("max_loras", defaults.max_loras)
    if max_loras is not None and max_loras < 2:
        raise fail("max_loras", "must be at least 2 (one slot holds the zero adapter)")
    return VllmOptions(
        max_loras=max_loras or defaults.max_loras,
        max_cpu_loras=positive_int("max_cpu_loras", None),
        max_lora_rank=int(rank),
        max_model_len=positive_int("max_model_len", None),
        gpu_memory_utilization=None if utilization is None else float(utilization),
        tensor_parallel_size=positive_int("tensor_parallel_size", 1) or 1,
        dtype=None if dtype is None else str(dtype),
        vllm_args=dict(args),
        vllm_url=tuple(u.rstrip("/") for u in urls),
    )


# vLLM arguments Whetstone always sets itself (the model, where it listens, LoRA on).
_MANAGED_ARGUMENTS: Final = (
    "model",
    "host",
    "port",
    "served_model_name",
    "enable_lora",
    "structured_outputs_config",
)


def _is_argument(value: object) -> bool:
    if isinstance(value, list):
        return all(isinstance(v, str | int | float) for v in value)
    return isinstance(value, str | int | float | bool)

"""The vLLM server of a base model: its command line and environment, from the models-file
entry and the settings. No torch."""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

from service.catalog import BaseModelEntry
from service.catalog.vllm_options import VllmArgument
from service.core.config import Settings

# The repository root: `.venv-vllm` (built by `make install-vllm`) lives there.
CHECKOUT = Path(__file__).resolve().parents[4]
# The name the base model is served under; adapters are served under their storage keys.
SERVED_BASE_NAME = "base"
# OpenAI's most: top_logprobs up to 20 (vLLM's default is 20 too, said here on purpose).
MAX_LOGPROBS = 20


def vllm_command(settings: Settings) -> list[str]:
    """The command that starts vLLM's OpenAI server, before its arguments."""
    if settings.vllm_command:
        return shlex.split(settings.vllm_command)
    python = CHECKOUT / ".venv-vllm" / "bin" / "python"
    return [str(python), "-m", "vllm.entrypoints.openai.api_server"]


def vllm_arguments(entry: BaseModelEntry, model_dir: Path, *, port: int) -> list[str]:
    """vLLM's arguments for serving `entry` from `model_dir` on 127.0.0.1:`port`."""
    options = entry.vllm
    arguments: dict[str, VllmArgument] = {
        "model": str(model_dir),
        "served_model_name": SERVED_BASE_NAME,
        "host": "127.0.0.1",
        "port": port,
        "enable_lora": True,
        "max_loras": options.max_loras,
        "max_lora_rank": options.max_lora_rank,
        "max_model_len": options.max_model_len or entry.context_length,
        "dtype": options.dtype or served_dtype(model_dir),
        "tensor_parallel_size": options.tensor_parallel_size,
        "max_logprobs": MAX_LOGPROBS,
        # Whetstone's grammars are llguidance's (service/inference/grammar.py).
        "structured_outputs_config.backend": "guidance",
    }
    if options.max_cpu_loras is not None:
        arguments["max_cpu_loras"] = options.max_cpu_loras
    if options.gpu_memory_utilization is not None:
        arguments["gpu_memory_utilization"] = options.gpu_memory_utilization
    arguments.update(options.vllm_args)
    return [part for name, value in arguments.items() for part in _flag(name, value)]


def vllm_environment(settings: Settings) -> dict[str, str]:
    """The environment of a vLLM server Whetstone starts."""
    env = dict(os.environ)
    env.update(
        {
            "VLLM_CPU_KVCACHE_SPACE": str(settings.vllm_cpu_kvcache_gib),
            # Adapters are loaded while the server runs (a job that just succeeded).
            "VLLM_ALLOW_RUNTIME_LORA_UPDATING": "True",
            # Nothing is downloaded at run time: the model and tokenizer are local.
            "HF_HUB_OFFLINE": "1",
            "VLLM_NO_USAGE_STATS": "1",
            "DO_NOT_TRACK": "1",
            # For Whetstone's LoRA resolver plugin (deploy/vllm-plugin), where installed: an
            # adapter name vLLM does not know is fetched from this server's internal route.
            # Whetstone loads adapters itself first; the resolver covers what it has not.
            "WHETSTONE_URL": f"http://{_reachable(settings.host)}:{settings.port}",
            "WHETSTONE_INTERNAL_TOKEN": settings.internal_token.get_secret_value(),
        }
    )
    # Whetstone's own import path must not leak into vLLM's interpreter.
    env.pop("PYTHONPATH", None)
    return env


def _reachable(host: str) -> str:
    """The address a process on this host reaches `whetstone serve` at."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def served_dtype(model_dir: Path) -> str:
    """float32 for a float32 model (vLLM's "auto" would halve it), else vLLM's "auto"."""
    try:
        config = json.loads((model_dir / "config.json").read_text())
    except (OSError, ValueError):
        return "auto"
    dtype = config.get("dtype") or config.get("torch_dtype")
    return "float32" if dtype == "float32" else "auto"


def eos_token_ids(model_dir: Path, tokenizer_eos: int | None) -> set[int]:
    """The ids that end a choice: the tokenizer's EOS and the generation config's."""
    ids = set() if tokenizer_eos is None else {int(tokenizer_eos)}
    try:
        configured = json.loads((model_dir / "generation_config.json").read_text()).get(
            "eos_token_id"
        )
    except (OSError, ValueError):
        configured = None
    if isinstance(configured, int):
        ids.add(configured)
    elif isinstance(configured, list):
        ids.update(int(i) for i in configured)
    return ids


def _flag(name: str, value: VllmArgument) -> list[str]:
    flag = "--" + name.replace("_", "-")
    if value is True:
        return [flag]
    if value is False:
        return ["--no-" + name.replace("_", "-")]
    if isinstance(value, list):
        return [flag, *(str(v) for v in value)]
    return [flag, str(value)]

"""The zero adapter: a LoRA whose B matrices are all zeros, so its delta is exactly 0.0.

Why it exists: vLLM's CPU LoRA kernels read a row with no adapter (slot index -1) as "the last
slot", so in a batch that mixes base rows with adapter rows, and even in a base-only batch once
any adapter is loaded, base rows get the last adapter applied (vllm-project/vllm #48421,
#49656). Sending every base request through this adapter leaves no row without one, so the
bug cannot reach an answer; the cost is one rank-1 LoRA product per layer on base rows.
It is written once per base model (rank 1, every linear layer but the output head) and kept in
the artifact store, so a replica on another host loads it like any adapter.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

from service.storage import ArtifactStore, upload_directory

ZERO_ADAPTER_RANK = 1


def zero_adapter_key(base_name: str) -> str:
    """The storage key of a base model's zero adapter."""
    # Letters, digits, '-' and '_' only (what the internal adapter route serves), and a hash
    # so that names differing only in other characters keep apart.
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in base_name)
    digest = hashlib.sha256(base_name.encode()).hexdigest()[:8]
    return f"_whetstone/zero-adapters/{safe}-{digest}"


def ensure_zero_adapter(store: ArtifactStore, base_name: str, model_dir: Path) -> str:
    """The key of the base model's zero adapter, written to the store on first use; blocking."""
    key = zero_adapter_key(base_name)
    if store.exists(f"{key}/adapter_config.json"):
        return key
    with tempfile.TemporaryDirectory(prefix="whetstone-zero-") as staging:
        write_zero_adapter(model_dir, Path(staging))
        upload_directory(store, key, Path(staging))
    return key


def write_zero_adapter(model_dir: Path, target: Path) -> None:
    """A peft-format rank-1 adapter of all zeros for every linear layer of the model but its
    head, shaped from the model's config alone (the model is built on the meta device, so no
    weights are read or allocated)."""
    import torch
    from safetensors.torch import save_file
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.from_pretrained(model_dir, local_files_only=True)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)  # type: ignore[no-untyped-call]  # transformers: unannotated
    tensors: dict[str, torch.Tensor] = {}
    targets: set[str] = set()
    head = model.get_output_embeddings()
    for name, module in model.named_modules():
        if not isinstance(module, torch.nn.Linear) or module is head:
            continue
        targets.add(name.rsplit(".", 1)[-1])
        prefix = f"base_model.model.{name}"
        tensors[f"{prefix}.lora_A.weight"] = torch.zeros(ZERO_ADAPTER_RANK, module.in_features)
        tensors[f"{prefix}.lora_B.weight"] = torch.zeros(module.out_features, ZERO_ADAPTER_RANK)
    target.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(target / "adapter_model.safetensors"))
    config_json = {
        "peft_type": "LORA",
        "task_type": "CAUSAL_LM",
        "base_model_name_or_path": str(model_dir),
        "r": ZERO_ADAPTER_RANK,
        "lora_alpha": ZERO_ADAPTER_RANK,
        "lora_dropout": 0.0,
        "bias": "none",
        "fan_in_fan_out": False,
        "target_modules": sorted(targets),
        "modules_to_save": None,
        "use_rslora": False,
        "use_dora": False,
    }
    (target / "adapter_config.json").write_text(json.dumps(config_json, indent=2))

"""Tiny random models of the open architectures Whetstone serves, built from transformers' configs.

Each has 2 layers, hidden size 64 and the emulator's tokenizer, so a job on it trains in seconds.
The sliding-window architectures get a window of `SLIDING_WINDOW` tokens, so that a prompt of a
few dozen tokens is already longer than the window.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

SLIDING_WINDOW = 8

_COMMON: dict[str, Any] = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 512,
    # Sharper than transformers' default (0.02), so greedy outputs of random weights are not
    # decided by rounding: see the emulator's `initializer_range`.
    "initializer_range": 0.1,
}
_MOE = {"num_experts_per_tok": 2}

# model_type -> what its config needs beyond `_COMMON` (None: drop that common key).
ARCHITECTURES: dict[str, dict[str, Any]] = {
    "llama": {},
    "qwen2": {"use_sliding_window": True, "sliding_window": SLIDING_WINDOW, "max_window_layers": 1},
    "qwen3": {"head_dim": 16},
    "phi3": {},
    "gpt_neox": {"num_key_value_heads": None},
    "opt": {
        "ffn_dim": 128,
        "word_embed_proj_dim": 64,
        "num_key_value_heads": None,
        "intermediate_size": None,
    },
    "smollm3": {},
    "mistral": {"sliding_window": SLIDING_WINDOW},
    "gemma2": {"sliding_window": SLIDING_WINDOW, "head_dim": 16},
    "gemma3_text": {"sliding_window": SLIDING_WINDOW, "head_dim": 16, "sliding_window_pattern": 2},
    "gpt_oss": {
        "sliding_window": SLIDING_WINDOW,
        "head_dim": 16,
        "num_local_experts": 4,
        **_MOE,
    },
    "gpt2": {
        "n_embd": 64,
        "n_layer": 2,
        "n_head": 4,
        "n_positions": 512,
        "hidden_size": None,
        "intermediate_size": None,
        "num_hidden_layers": None,
        "num_attention_heads": None,
        "num_key_value_heads": None,
        "max_position_embeddings": None,
    },
    "mixtral": {"num_local_experts": 4, **_MOE},
    "qwen3_moe": {"num_experts": 4, "moe_intermediate_size": 64, "head_dim": 16, **_MOE},
}
SLIDING = frozenset(name for name, spec in ARCHITECTURES.items() if spec.get("sliding_window"))


def tiny_config(model_type: str, tokenizer: Any) -> Any:
    """The transformers config of a tiny `model_type` model for `tokenizer`."""
    from transformers import AutoConfig

    spec = {**_COMMON, **ARCHITECTURES[model_type]}
    options = {key: value for key, value in spec.items() if value is not None}
    return AutoConfig.for_model(
        model_type,
        vocab_size=len(tokenizer),
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        **options,
    )


def build_tiny_model(model_type: str, tokenizer_dir: Path, directory: Path, seed: int = 0) -> Path:
    """Save a seeded random tiny `model_type` model with the tokenizer of `tokenizer_dir`."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir, local_files_only=True)
    config = tiny_config(model_type, tokenizer)
    state = torch.random.get_rng_state()
    try:
        torch.manual_seed(seed)
        model = AutoModelForCausalLM.from_config(config)
    finally:
        torch.random.set_rng_state(state)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(directory, safe_serialization=True)
    tokenizer.save_pretrained(directory)
    return directory


def peft_greedy_ids(
    model_dir: Path, adapter: Path | None, prompt: list[int], new_tokens: int, pad_id: int
) -> list[int]:
    """The reference: `PeftModel.generate` (bare transformers without an adapter), greedy."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(model_dir, local_files_only=True)
    if adapter is not None:
        model = PeftModel.from_pretrained(model, adapter)
    model.eval()
    with torch.no_grad():
        output = model.generate(
            input_ids=torch.tensor([prompt]),
            attention_mask=torch.ones((1, len(prompt)), dtype=torch.long),
            max_new_tokens=new_tokens,
            do_sample=False,
            pad_token_id=pad_id,
        )
    return output[0, len(prompt) :].tolist()

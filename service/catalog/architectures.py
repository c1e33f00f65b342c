"""Which architectures Whetstone can serve, judged from a model's config.json alone.

No torch and no transformers here: transformers' auto mappings import torch, and the API checks
models at start-up (the models file) and at job create. So the rule is read off the config:
- a causal LM: its `architectures` name a `...ForCausalLM` or `...LMHeadModel` class, which is
  what `AutoModelForCausalLM` loads;
- with attention caches only: the engine batches by merging and trimming key/value caches, which
  a recurrent state (Mamba, RWKV, linear attention hybrids) does not have.
Every architecture of the parity suite (tests/architectures.py) passes; docs/serving.md lists them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_CAUSAL_LM_SUFFIXES = ("ForCausalLM", "LMHeadModel")
# Model types whose layers keep a recurrent or convolutional state instead of (or beside) a
# key/value cache, as transformers 5 defines them.
RECURRENT_MODEL_TYPES = frozenset(
    {
        "bailing_hybrid",
        "bamba",
        "falcon_h1",
        "falcon_mamba",
        "granitemoehybrid",
        "jamba",
        "lfm2",
        "lfm2_moe",
        "lfm3",
        "mamba",
        "mamba2",
        "nemotron_h",
        "olmo_hybrid",
        "qwen3_next",
        "recurrent_gemma",
        "rwkv",
        "xlstm",
        "zamba",
        "zamba2",
    }
)
# Attention kinds of `layer_types` the engine serves (anything else is a recurrent layer).
_ATTENTION_LAYERS = frozenset({"full_attention", "sliding_attention", "chunked_attention"})


def unservable_reason(config: dict[str, Any]) -> str | None:
    """Why a model with this config.json cannot be served, or None when it can."""
    model_type = config.get("model_type")
    architectures = config.get("architectures") or []
    name = architectures[0] if architectures else model_type or "unknown"
    if not model_type:
        return "its config.json names no model_type"
    if model_type in RECURRENT_MODEL_TYPES:
        return (
            f"the {model_type} architecture ({name}) keeps a recurrent state, which the engine's "
            "batching cannot merge"
        )
    if architectures and not any(a.endswith(_CAUSAL_LM_SUFFIXES) for a in architectures):
        return f"{name} is not a causal language model (no ...ForCausalLM class)"
    text_config = config.get("text_config")
    text = text_config if isinstance(text_config, dict) else config
    layers = set(text.get("layer_types") or ()) - _ATTENTION_LAYERS
    if layers:
        return f"{name} has {', '.join(sorted(layers))} layers, which the engine does not serve"
    return None


def read_config(model_dir: Path) -> dict[str, Any] | None:
    """The config.json of a model directory; None when it has none (yet)."""
    try:
        loaded = json.loads((model_dir / "config.json").read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read {model_dir / 'config.json'}: {exc}") from exc
    return loaded if isinstance(loaded, dict) else None

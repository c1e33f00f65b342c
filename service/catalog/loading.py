"""Loading a catalog entry into torch: shared by training and inference."""

from __future__ import annotations

from typing import Any

from service.catalog.catalog import BaseModelEntry, Catalog


def _quiet() -> None:
    # Progress bars from weight loading flood server logs and test output.
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()


def load_tokenizer(catalog: Catalog, entry: BaseModelEntry) -> Any:
    """The entry's tokenizer, offline, with a pad token guaranteed."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(catalog.local_path(entry), local_files_only=True)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_model(catalog: Catalog, entry: BaseModelEntry, *, device: str, dtype: Any = None) -> Any:
    """The entry's causal LM on `device`, offline; fp32 on CPU, bf16 on CUDA unless told."""
    import torch
    from transformers import AutoModelForCausalLM

    _quiet()
    if dtype is None:
        dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
    model = AutoModelForCausalLM.from_pretrained(
        catalog.local_path(entry), local_files_only=True, dtype=dtype
    )
    return model.to(device)

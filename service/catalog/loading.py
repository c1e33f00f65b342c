"""Loading a base model into torch: the one place training and inference load from.

Imports torch and transformers only inside the functions, so `service.catalog` stays light.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase, PreTrainedTokenizerFast


def _quiet() -> None:
    # Progress bars from weight loading flood server logs and test output.
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # transformers: unannotated


def uses_bf16(device: str) -> bool:
    """The one bf16 rule: weights and autocast in bf16 on a CUDA device that supports it,
    fp32 everywhere else (CPUs, and GPUs older than Ampere)."""
    import torch

    return torch.device(device).type == "cuda" and torch.cuda.is_bf16_supported()


def load_tokenizer(model_dir: Path) -> PreTrainedTokenizerBase:
    """The model's tokenizer, offline, with a pad token guaranteed."""
    from transformers import AutoTokenizer

    _quiet()
    tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_fast_tokenizer(model_dir: Path) -> PreTrainedTokenizerFast:
    """The model's fast tokenizer (tokenizer.json), offline, without importing torch.

    For the API process (the data report): AutoTokenizer imports transformers' config
    machinery, which imports torch (transformers 5), while PreTrainedTokenizerFast does not.
    """
    from transformers import PreTrainedTokenizerFast

    _quiet()
    tokenizer: PreTrainedTokenizerFast = PreTrainedTokenizerFast.from_pretrained(
        model_dir, local_files_only=True
    )
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_model(
    model_dir: Path, *, device: str, fp32: bool = False, quantization: str | None = None
) -> PreTrainedModel:
    """The causal LM on `device`, offline, in the dtype `uses_bf16` picks; in fp32 whatever
    the device with `fp32` (full fine-tuning's master weights: bf16 weights would drop most
    optimizer updates, while its forward passes still run under bf16 autocast). With
    `quantization="nf4"`, its linear layers are loaded in 4 bits by bitsandbytes (QLoRA)."""
    import torch
    from transformers import AutoModelForCausalLM

    _quiet()
    dtype = torch.bfloat16 if uses_bf16(device) and not fp32 else torch.float32
    if quantization == "nf4":
        import importlib.util

        from transformers import BitsAndBytesConfig

        if importlib.util.find_spec("bitsandbytes") is None:
            raise RuntimeError(
                "the model's quantization nf4 needs bitsandbytes on the machine that trains "
                "(pip install 'bitsandbytes>=0.50')"
            )

        # QLoRA's recipe: NF4 with double-quantised block constants, computing in `dtype`.
        config = BitsAndBytesConfig(  # type: ignore[no-untyped-call]  # unannotated upstream
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=dtype,
        )
        # bitsandbytes quantises as the weights land on their device, hence the device map.
        quantized: PreTrainedModel = AutoModelForCausalLM.from_pretrained(
            model_dir,
            local_files_only=True,
            dtype=dtype,
            quantization_config=config,
            device_map={"": device},
        )
        return quantized
    model: PreTrainedModel = AutoModelForCausalLM.from_pretrained(
        model_dir, local_files_only=True, dtype=dtype
    )
    # transformers declares `to` through functools.wraps(nn.Module.to), whose signature the
    # type checker reads unbound (`self` first); the call is nn.Module.to's own.
    model.to(device)  # type: ignore[arg-type]
    return model

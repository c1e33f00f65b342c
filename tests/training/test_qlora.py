"""QLoRA's loading on the CPU: the emulator in 4-bit NF4 by bitsandbytes (whose CPU backend
does 4-bit), and a clear error where bitsandbytes is missing."""

from __future__ import annotations

import pytest

from tests.training.conftest import Emulator

pytest.importorskip("bitsandbytes")


def test_an_nf4_base_is_loaded_in_4_bits(emulator: Emulator) -> None:
    # What the recipe loads for an nf4 entry; tests/e2e/test_qlora.py trains and serves it.
    from service.catalog.loading import load_model

    quantized = load_model(emulator.model_dir, device="cpu", quantization="nf4")
    layer = quantized.model.layers[0].self_attn.q_proj
    assert type(layer).__name__ == "Linear4bit" and layer.weight.quant_type == "nf4"
    # Embeddings stay unquantized, as bitsandbytes leaves them.
    assert type(quantized.model.embed_tokens).__name__ == "Embedding"


def test_nf4_without_bitsandbytes_says_what_to_install(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    from service.catalog.loading import load_model

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "bitsandbytes" else real(name)
    )
    with pytest.raises(RuntimeError, match=r"needs bitsandbytes .*pip install"):
        load_model(emulator.model_dir, device="cpu", quantization="nf4")

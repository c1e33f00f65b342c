"""The zero adapter every base request goes through on vLLM: a delta of exactly 0.0."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from service.adapters.operations import SERVABLE_KEY
from service.inference.engines.vllm.zero_adapter import (
    ensure_zero_adapter,
    write_zero_adapter,
    zero_adapter_key,
)
from service.storage.local import LocalStore
from tests.inference.conftest import Emulator


def test_the_zero_adapter_leaves_the_models_logits_bit_for_bit(
    emulator: Emulator, tmp_path: Path
) -> None:
    from peft import PeftModel

    model_dir = emulator.catalog.local_path(emulator.entry)
    write_zero_adapter(model_dir, tmp_path / "zero")
    config = json.loads((tmp_path / "zero" / "adapter_config.json").read_text())
    # Every linear layer of a Llama block, so that no layer of any row goes without it.
    assert set(config["target_modules"]) == {
        "q_proj",
        "k_proj",
        "v_proj",
        "o_proj",
        "gate_proj",
        "up_proj",
        "down_proj",
    }
    assert config["r"] == 1
    ids = torch.tensor([emulator.tokenizer("The quick brown fox")["input_ids"]])
    base = emulator.model()
    with torch.no_grad():
        expected = base(ids).logits
        wrapped = PeftModel.from_pretrained(base, tmp_path / "zero")
        assert any("lora_A" in name for name, _ in wrapped.named_parameters())
        actual = wrapped(ids).logits
    assert torch.equal(actual, expected)


def test_the_zero_adapter_is_written_to_the_store_once(emulator: Emulator, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    model_dir = emulator.catalog.local_path(emulator.entry)
    key = ensure_zero_adapter(store, "whetstone-tiny", model_dir)
    assert store.exists(f"{key}/adapter_config.json")
    assert store.exists(f"{key}/adapter_model.safetensors")
    written = store.get_bytes(f"{key}/adapter_model.safetensors")
    assert ensure_zero_adapter(store, "whetstone-tiny", model_dir) == key
    assert store.get_bytes(f"{key}/adapter_model.safetensors") == written


def test_replicas_elsewhere_may_fetch_the_zero_adapter_by_its_key() -> None:
    for name in ("whetstone-tiny", "qwen2.5-0.5b-instruct", "../../etc", "Llama 3/8B"):
        key = zero_adapter_key(name)
        assert SERVABLE_KEY.fullmatch(key), key
    assert zero_adapter_key("qwen2.5") != zero_adapter_key("qwen2_5")
    assert not SERVABLE_KEY.fullmatch("_whetstone/zero-adapters/..")

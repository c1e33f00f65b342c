"""Batched multi-LoRA: a batch mixing adapters of different ranks and targets matches peft."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from service.inference.engines.builtin.adapter_slots import AdapterSlots
from service.inference.types import LocalAdapter
from tests.inference.conftest import Emulator

# Three adapters that differ in rank, targets and scaling rules, so that the stacks need
# padding, zero slots for untargeted layers and each adapter's own scaling.
VARIANTS: dict[str, dict[str, Any]] = {
    "r4-all": {"r": 4, "lora_alpha": 8, "target_modules": "all-linear"},
    "r8-qv-rslora": {
        "r": 8,
        "lora_alpha": 32,
        "target_modules": ["q_proj", "v_proj"],
        "use_rslora": True,
    },
    "r16-patterns": {
        "r": 16,
        "lora_alpha": 16,
        "target_modules": ["q_proj", "k_proj", "o_proj", "gate_proj", "down_proj"],
        "rank_pattern": {"k_proj": 2},
        "alpha_pattern": {"down_proj": 4},
    },
}
# Row i of every batch: None is the base model.
ROWS = [None, "r4-all", "r8-qv-rslora", None, "r16-patterns", "r4-all", "r16-patterns"]


@pytest.fixture(scope="module")
def variant_adapters(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The three adapters as PEFT directories, with random (non-zero) LoRA weights."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model_dir = emulator.catalog.local_path(emulator.entry)
    root = tmp_path_factory.mktemp("variants")
    paths = {}
    state = torch.random.get_rng_state()
    try:
        for seed, (name, options) in enumerate(VARIANTS.items(), start=10):
            torch.manual_seed(seed)
            base = AutoModelForCausalLM.from_pretrained(model_dir, local_files_only=True)
            model = get_peft_model(base, LoraConfig(init_lora_weights=False, **options))
            model.save_pretrained(root / name)
            paths[name] = root / name
    finally:
        torch.random.set_rng_state(state)
    return paths


@pytest.fixture(scope="module")
def both(emulator: Emulator, variant_adapters: dict[str, Path]) -> tuple[Any, AdapterSlots]:
    """peft's model with the three adapters, and our batched LoRA cache with the same three."""
    from peft import PeftModel

    names = list(VARIANTS)
    reference = PeftModel.from_pretrained(
        emulator.model(), str(variant_adapters[names[0]]), adapter_name=names[0]
    )
    for name in names[1:]:
        reference.load_adapter(str(variant_adapters[name]), adapter_name=name)
    reference.eval()
    ours = AdapterSlots(emulator.model(), capacity=len(names))
    for name in names:
        ours.acquire(LocalAdapter(key=name, path=variant_adapters[name]))
    return reference, ours


def slots_for(ours: AdapterSlots) -> list[int]:
    """The slot of every row of ROWS."""
    slot_of = {key: ours.acquire(LocalAdapter(key=key, path=Path())) for key in ours.loaded_keys()}
    for key in slot_of:
        ours.release(key)
    return [0 if name is None else slot_of[name] for name in ROWS]


def peft_names() -> list[str]:
    """ROWS as peft's mixed-batch adapter names."""
    return ["__base__" if name is None else name for name in ROWS]


def test_each_layer_matches_peft_for_a_mixed_batch(both: tuple[Any, AdapterSlots]) -> None:
    reference, ours = both
    ours.use(slots_for(ours))
    layers = ours.lora_layers()
    assert "model.layers.0.self_attn.q_proj" in layers  # targeted by all three
    assert "model.layers.0.mlp.up_proj" in layers  # targeted by one only
    generator = torch.Generator().manual_seed(0)
    peft_modules = dict(reference.base_model.model.named_modules())
    base_rows = [i for i, row in enumerate(ROWS) if row is None]
    with torch.inference_mode():
        for name, layer in layers.items():
            for tokens in (1, 3):  # decode and prefill take different (exact) paths
                x = torch.randn(len(ROWS), tokens, layer.base.in_features, generator=generator)
                expected = peft_modules[name](x, adapter_names=peft_names())
                got = layer(x)
                assert (got - expected).abs().max().item() < 1e-5, (name, tokens)
                assert torch.equal(got[base_rows], layer.base(x)[base_rows]), (name, tokens)


def test_whole_model_matches_peft_for_a_mixed_batch(
    both: tuple[Any, AdapterSlots], emulator: Emulator
) -> None:
    reference, ours = both
    ids = emulator.tokenizer("The quick brown fox jumps")["input_ids"]
    input_ids = torch.tensor([ids] * len(ROWS))
    with torch.inference_mode():
        expected = reference(input_ids=input_ids, adapter_names=peft_names()).logits
        ours.use(slots_for(ours))
        got = ours.base_model(input_ids=input_ids).logits
        ours.use([0] * len(ROWS))
        base = ours.base_model(input_ids=input_ids).logits
    assert (got - expected).abs().max().item() < 1e-5
    assert len({tuple(row[-1].tolist()) for row in got}) == len(set(ROWS))  # adapters matter
    base_rows = [i for i, row in enumerate(ROWS) if row is None]
    assert torch.equal(got[base_rows], base[base_rows])


def test_unloading_zeroes_the_slot_and_it_is_reused(
    emulator: Emulator, variant_adapters: dict[str, Path]
) -> None:
    cache = AdapterSlots(emulator.model(), capacity=3)
    small = LocalAdapter(key="small", path=variant_adapters["r4-all"])
    large = LocalAdapter(key="large", path=variant_adapters["r16-patterns"])
    small_slot = cache.acquire(small)
    large_slot = cache.acquire(large)
    cache.unload(small.key)
    for layer in cache.lora_layers().values():
        assert not layer.a[:, small_slot].any() and not layer.b[small_slot].any()
    assert cache.acquire(small) == small_slot and large_slot != small_slot

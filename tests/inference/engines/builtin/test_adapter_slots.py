"""Adapter slots: least recently used out, pinned adapters kept, the base model restored."""

from __future__ import annotations

from pathlib import Path

from service.inference.engines.builtin.adapter_slots import AdapterSlots
from service.inference.engines.builtin.lora_layers import LoraLinear
from tests.inference.conftest import Emulator
from tests.inference.engines.builtin.test_batching import local


def test_adapter_cache_evicts_the_least_recently_used_unpinned(
    emulator: Emulator, adapters: dict[str, Path]
) -> None:
    cache = AdapterSlots(emulator.model(), capacity=1)
    a, b = local(adapters, "a"), local(adapters, "b")
    cache.acquire(a)
    cache.acquire(b)  # `a` is still in use: the cache runs over capacity rather than evict it
    assert cache.loaded_keys() == [a.key, b.key]
    cache.release(a.key)
    assert cache.loaded_keys() == [b.key]
    cache.release(b.key)
    cache.unload(b.key)
    assert cache.loaded_keys() == []
    # Back to the plain base model: no LoRA layer is left in it.
    assert cache.lora_layers() == {}
    assert not any(isinstance(m, LoraLinear) for m in cache.base_model.modules())

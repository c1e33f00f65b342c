"""The adapter slots of one base model: which adapters are loaded, in which slot, LRU-evicted.

`AdapterSlots` (the engine thread only) keeps at most `capacity` adapters loaded into one base
model, least recently used first out. An adapter that running sequences use is pinned and never
evicted for room (the cache may then run over capacity for a while); a deleted model's adapter
is unloaded at once regardless.

Loading an adapter reads its files (adapter_reading.py) and writes its A and B weights into one
slot of the `LoraLinear` stacks that wrap the targeted layers of the base model
(lora_layers.py); unloading zeroes that slot. Slot 0 is always zeros: the base model's rows.
Before each forward pass the engine sets the row -> slot index (`AdapterSlots.use`), which
every LoRA layer reads.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from typing import TYPE_CHECKING

import torch

from service.inference.engines.builtin.adapter_reading import read_adapter
from service.inference.engines.builtin.lora_layers import BatchSlots, LoraLinear, SlotParameters
from service.inference.observer import NULL_OBSERVER, InferenceObserver
from service.inference.types import LocalAdapter

if TYPE_CHECKING:
    from transformers import PreTrainedModel

BASE_SLOT = 0  # the adapter slot of rows on the base model: zero LoRA weights


class AdapterSlots:
    """The adapters loaded into one base model, least recently used first. Engine thread only.

    Each loaded adapter owns a slot of the `LoraLinear` stacks (slot 0 is the base model).
    The LoRA layers are put in place on the first load and taken out again when the last
    adapter leaves, so with no adapter loaded the base model runs untouched.
    """

    def __init__(
        self,
        base_model: PreTrainedModel,
        capacity: int,
        *,
        observer: InferenceObserver = NULL_OBSERVER,
    ):
        self.base_model = base_model
        # Where the row -> slot index lives: with the input embeddings, where a forward starts.
        self.device = next(base_model.get_input_embeddings().parameters()).device
        self.capacity = max(1, capacity)
        self.observer = observer
        self.slots = BatchSlots()
        self._layers: dict[str, LoraLinear] = {}  # module name -> its installed LoRA layer
        # module name -> its installed wrapper, for adapters that target parameters (MoE)
        self._parameter_modules: dict[str, SlotParameters] = {}
        self._slot_of: OrderedDict[str, int] = OrderedDict()  # storage key -> slot
        self._free: list[int] = []
        self._slot_count = 1  # BASE_SLOT
        self._pins: Counter[str] = Counter()

    def loaded_keys(self) -> list[str]:
        """Storage keys of the loaded adapters, least recently used first."""
        return list(self._slot_of)

    def lora_layers(self) -> dict[str, LoraLinear]:
        """The LoRA layers now installed in the base model, by module name."""
        return dict(self._layers)

    def acquire(self, adapter: LocalAdapter) -> int:
        """Load `adapter` if needed, pin it, and return its slot."""
        slot = self._slot_of.get(adapter.key)
        if slot is None:
            self.observer.adapter_event("miss")
            slot = self._load(adapter)
            self.observer.adapter_event("load")
        else:
            self.observer.adapter_event("hit")
        self._slot_of.move_to_end(adapter.key)
        self._pins[adapter.key] += 1
        self._evict_for_room()
        return slot

    def release(self, key: str) -> None:
        """Unpin one use of `key` (a sequence that used it ended)."""
        if self._pins[key] > 0:
            self._pins[key] -= 1
        if self._pins[key] == 0:
            del self._pins[key]
        self._evict_for_room()

    def unload(self, key: str) -> None:
        """Unload `key` now, pinned or not (its model was deleted)."""
        slot = self._slot_of.pop(key, None)
        self._pins.pop(key, None)
        if slot is None:
            return
        if not self._slot_of:
            self._uninstall()
            return
        with torch.no_grad():
            for layer in self._layers.values():
                layer.clear(slot)
        for wrapper in self._parameter_modules.values():
            wrapper.clear(slot)
        self._free.append(slot)

    def use(self, row_slots: list[int]) -> None:
        """Route the next forward pass: row i goes through the adapter in `row_slots[i]`."""
        distinct = set(row_slots)
        if distinct == {BASE_SLOT} or not (self._layers or self._parameter_modules):
            self.slots.route(None, None)
            return
        index = torch.tensor(row_slots, dtype=torch.long, device=self.device)
        self.slots.route(index, row_slots[0] if len(distinct) == 1 else None)

    def _load(self, adapter: LocalAdapter) -> int:
        # Everything is checked before any slot changes.
        weights = read_adapter(adapter.path, self.base_model)
        slot = self._free.pop() if self._free else self._new_slot()
        with torch.no_grad():
            for name, (lora_a, lora_b) in weights.layers.items():
                layer = self._layers.get(name) or self._install(name)
                layer.write(slot, lora_a, lora_b)
            for name, deltas in weights.parameters.items():
                wrapper = self._parameter_modules.get(name) or self._install_parameters(name)
                wrapper.write(slot, deltas)
        self._slot_of[adapter.key] = slot
        return slot

    def _new_slot(self) -> int:
        for layer in self._layers.values():
            layer.add_slot()
        self._slot_count += 1
        return self._slot_count - 1

    def _install(self, name: str) -> LoraLinear:
        parent_name, _, child = name.rpartition(".")
        parent = self.base_model.get_submodule(parent_name)
        layer = LoraLinear(getattr(parent, child), self.slots, self._slot_count)
        setattr(parent, child, layer)
        self._layers[name] = layer
        return layer

    def _install_parameters(self, name: str) -> SlotParameters:
        parent_name, _, child = name.rpartition(".")
        parent = self.base_model.get_submodule(parent_name)
        wrapper = SlotParameters(getattr(parent, child), self.slots)
        setattr(parent, child, wrapper)
        self._parameter_modules[name] = wrapper
        return wrapper

    def _uninstall(self) -> None:
        for name, wrapper in [*self._layers.items(), *self._parameter_modules.items()]:
            parent_name, _, child = name.rpartition(".")
            setattr(self.base_model.get_submodule(parent_name), child, wrapper.base)
        self._layers.clear()
        self._parameter_modules.clear()
        self._free.clear()
        self._slot_count = 1
        self.slots.route(None, None)

    def _evict_for_room(self) -> None:
        for key in list(self._slot_of):
            if len(self._slot_of) <= self.capacity:
                return
            if self._pins[key] == 0:
                self.unload(key)
                self.observer.adapter_event("evict")

"""Batched multi-LoRA: every loaded adapter's weights stacked by slot in each LoRA layer.

`LoadedAdapters` (the engine thread only) keeps at most `capacity` adapters loaded into one base
model, least recently used first out. An adapter that running sequences use is pinned and never
evicted for room (the cache may then run over capacity for a while); a deleted model's adapter
is unloaded at once regardless.

Loading an adapter reads its PEFT files (adapter_config.json through peft's `LoraConfig`,
adapter_model.safetensors with safetensors) and writes its A and B weights into one slot of the
`LoraLinear` stacks that wrap the targeted `nn.Linear` modules of the base model; unloading
zeroes that slot. Slot 0 is always zeros: the base model's rows. Before each forward pass the
engine sets the row -> slot index (`LoadedAdapters.use`), which every `LoraLinear` reads.
"""

from __future__ import annotations

import math
import re
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from service.core.errors import ModelNotFoundError
from service.inference.observer import NULL_OBSERVER, InferenceObserver
from service.inference.types import LocalAdapter


class BatchSlots:
    """Which adapter slot each row of the coming forward pass uses; shared by every LoRA layer."""

    def __init__(self) -> None:
        self.index: torch.Tensor | None = None  # [rows] slot per row; None: every row is base
        self.single: int | None = None  # the one slot every row uses, when they all agree
        self._masks: dict[tuple[int, int, torch.dtype], torch.Tensor] = {}

    def route(self, index: torch.Tensor | None, single: int | None) -> None:
        """Set the routing of the next forward pass."""
        self.index, self.single = index, single
        self._masks.clear()

    def mask(self, slot_count: int, rank: int, dtype: torch.dtype) -> torch.Tensor:
        """[rows, slot_count * rank]: 1 on the columns of each row's own slot, else 0."""
        key = (slot_count, rank, dtype)
        if key not in self._masks:
            assert self.index is not None
            one_hot = F.one_hot(self.index, slot_count).to(dtype)
            self._masks[key] = (
                one_hot[:, :, None].expand(-1, -1, rank).reshape(-1, slot_count * rank)
            )
        return self._masks[key]


class LoraLinear(nn.Module):
    """A base `nn.Linear` plus the LoRA weights of every loaded adapter, stacked by slot.

    Hand-written rather than peft's `LoraLayer` because peft loops over the distinct adapters
    of a mixed batch in every layer; here a batch costs a fixed handful of tensor ops per layer
    whatever the number of adapters (the punica / S-LoRA "BGMV" shape). Slot 0 and any slot
    whose adapter does not target this layer hold zeros, so those rows get exactly `base(x)`.
    Ranks are padded with zeros to the largest loaded rank of this layer, and each adapter's
    scaling is folded into its B weights. No dropout: this module only serves.

    Two exact ways to the same sum, chosen by shape (both measured faster than the other on
    the CPU in their own case):
    - prefill (several tokens per row): gather each row's A and B by slot, two `torch.bmm`;
    - decode (one token per row): one matmul against every slot's A at once, zero the columns
      of other slots with a one-hot mask, one `addmm` against every slot's B. That costs
      `slots * rank` columns of compute but no weight copy, which wins for small ranks.
    """

    def __init__(self, base: nn.Linear, slots: BatchSlots, slot_count: int):
        super().__init__()
        self.base = base
        self.slots = slots
        weight = base.weight
        # A as [in, slot, rank] and B as [slot, rank, out]: both flatten to the [in, slots*rank]
        # and [slots*rank, out] matrices of the decode path without a copy.
        self.a = weight.new_zeros((base.in_features, slot_count, 0))
        self.b = weight.new_zeros((slot_count, 0, base.out_features))
        self.occupied: set[int] = set()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """base(x) plus each row's own adapter product."""
        index = self.slots.index
        if index is None or not self.occupied:
            return self.base(x)
        single = self.slots.single
        if single is not None:
            if single not in self.occupied:
                return self.base(x)
            return self.base(x) + (x @ self.a[:, single]) @ self.b[single]
        rows = index.shape[0]
        slot_count, rank = self.b.shape[0], self.b.shape[1]
        if x.shape[:-1].numel() == rows:  # decode: one token per row
            flat = x.reshape(rows, x.shape[-1])
            hidden = (flat @ self.a.reshape(flat.shape[1], -1)).mul_(
                self.slots.mask(slot_count, rank, x.dtype)
            )
            out = torch.addmm(self.base(flat), hidden, self.b.reshape(slot_count * rank, -1))
            return out.reshape(*x.shape[:-1], out.shape[-1])
        tokens = x.reshape(rows, -1, x.shape[-1])  # [rows, tokens, in]
        hidden = torch.bmm(tokens, self.a.index_select(1, index).transpose(0, 1))
        delta = torch.bmm(hidden, self.b.index_select(0, index))
        out = self.base(x)
        return out + delta.reshape(out.shape)

    def add_slot(self) -> None:
        """Append one empty slot."""
        self.a = torch.cat([self.a, self.a.new_zeros((self.a.shape[0], 1, self.a.shape[2]))], 1)
        self.b = torch.cat([self.b, self.b.new_zeros((1, *self.b.shape[1:]))])

    def write(self, slot: int, lora_a: torch.Tensor, lora_b: torch.Tensor) -> None:
        """Put one adapter's A [rank, in] and scaled B [out, rank] into `slot`."""
        rank = lora_a.shape[0]
        if rank > self.b.shape[1]:
            grow = rank - self.b.shape[1]
            self.a = F.pad(self.a, (0, grow))
            self.b = F.pad(self.b, (0, 0, 0, grow))
        self.clear(slot)
        self.a[:, slot, :rank] = lora_a.t().to(self.a)
        self.b[slot, :rank, :] = lora_b.t().to(self.b)
        self.occupied.add(slot)

    def clear(self, slot: int) -> None:
        """Zero `slot` so that its rows get the base output again."""
        self.a[:, slot].zero_()
        self.b[slot].zero_()
        self.occupied.discard(slot)


@dataclass(frozen=True)
class _AdapterWeights:
    """One adapter read from disk: per targeted module, A [rank, in] and scaled B [out, rank]."""

    layers: dict[str, tuple[torch.Tensor, torch.Tensor]]


_LORA_KEY = re.compile(r"base_model\.model\.(?P<module>.+)\.lora_(?P<part>[AB])\.weight")


class LoadedAdapters:
    """The adapters loaded into one base model, least recently used first. Engine thread only.

    Each loaded adapter owns a slot of the `LoraLinear` stacks (slot 0 is the base model).
    The LoRA layers are put in place on the first load and taken out again when the last
    adapter leaves, so with no adapter loaded the base model runs untouched.
    """

    def __init__(
        self, base_model: Any, capacity: int, *, observer: InferenceObserver = NULL_OBSERVER
    ):
        self.base_model = base_model
        self.capacity = max(1, capacity)
        self.observer = observer
        self.slots = BatchSlots()
        self._layers: dict[str, LoraLinear] = {}  # module name -> its installed LoRA layer
        self._slot_of: OrderedDict[str, int] = OrderedDict()  # storage key -> slot
        self._free: list[int] = []
        self._slot_count = 1  # slot 0: the base model
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
        self._free.append(slot)

    def use(self, row_slots: list[int]) -> None:
        """Route the next forward pass: row i goes through the adapter in `row_slots[i]`."""
        distinct = set(row_slots)
        if distinct == {0} or not self._layers:
            self.slots.route(None, None)
            return
        device = self.base_model.get_input_embeddings().weight.device
        index = torch.tensor(row_slots, dtype=torch.long, device=device)
        self.slots.route(index, row_slots[0] if len(distinct) == 1 else None)

    def _load(self, adapter: LocalAdapter) -> int:
        weights = self._read(adapter)  # everything is checked before any slot changes
        slot = self._free.pop() if self._free else self._new_slot()
        with torch.no_grad():
            for name, (lora_a, lora_b) in weights.layers.items():
                layer = self._layers.get(name) or self._install(name)
                layer.write(slot, lora_a, lora_b)
        self._slot_of[adapter.key] = slot
        return slot

    def _read(self, adapter: LocalAdapter) -> _AdapterWeights:
        from peft import LoraConfig
        from peft.utils.other import get_pattern_key
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        unloadable = "The model's adapter could not be loaded."
        try:
            config = LoraConfig.from_pretrained(str(adapter.path))
            tensors = load_file(adapter.path / "adapter_model.safetensors")
        except (OSError, ValueError, TypeError, SafetensorError) as exc:
            raise ModelNotFoundError(unloadable, param="model") from exc
        if config.use_dora or config.modules_to_save or config.lora_bias:
            raise ModelNotFoundError(
                "The model's adapter uses LoRA features this server does not serve.",
                param="model",
            )
        parts: dict[str, dict[str, torch.Tensor]] = {}
        for key, tensor in tensors.items():
            match = _LORA_KEY.fullmatch(key)
            if match is None:
                raise ModelNotFoundError(unloadable, param="model")
            parts.setdefault(match["module"], {})[match["part"]] = tensor
        modules = dict(self.base_model.named_modules())
        layers: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
        for name, pair in parts.items():
            base = modules.get(name)
            if isinstance(base, LoraLinear):
                base = base.base
            lora_a, lora_b = pair.get("A"), pair.get("B")
            if (
                not isinstance(base, nn.Linear)
                or lora_a is None
                or lora_b is None
                or lora_a.shape[1] != base.in_features
                or lora_b.shape[0] != base.out_features
                or lora_a.shape[0] != lora_b.shape[1]
            ):
                raise ModelNotFoundError(unloadable, param="model")
            # peft's own rules for a module's rank and alpha (patterns, rsLoRA).
            rank = config.rank_pattern.get(
                get_pattern_key(config.rank_pattern.keys(), name), config.r
            )
            alpha = config.alpha_pattern.get(
                get_pattern_key(config.alpha_pattern.keys(), name), config.lora_alpha
            )
            scaling = alpha / math.sqrt(rank) if config.use_rslora else alpha / rank
            weight = base.weight
            layers[name] = (
                lora_a.to(device=weight.device, dtype=weight.dtype),
                (lora_b.float() * scaling).to(device=weight.device, dtype=weight.dtype),
            )
        return _AdapterWeights(layers)

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

    def _uninstall(self) -> None:
        for name, layer in self._layers.items():
            parent_name, _, child = name.rpartition(".")
            setattr(self.base_model.get_submodule(parent_name), child, layer.base)
        self._layers.clear()
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

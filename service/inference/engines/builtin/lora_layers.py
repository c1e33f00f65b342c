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

`LoraLinear` wraps `nn.Linear` and transformers' `Conv1D` (GPT-2's layers, weights stored as
[in, out]; peft saves their LoRA weights in the same [rank, in] / [out, rank] shapes). Adapters that
target parameters rather than layers (peft's `target_parameters`, which `all-linear` uses for the
fused experts and routers of mixture-of-experts models) go through `SlotParameters`: each loaded
adapter keeps its own merged copy of the targeted parameters, and a mixed batch runs that module
once per distinct adapter on the tokens of its rows.
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

from service.core.errors import ModelLoadError
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

    def __init__(self, base: nn.Module, slots: BatchSlots, slot_count: int):
        super().__init__()
        self.base = base
        self.slots = slots
        features = linear_features(base)
        assert features is not None
        in_features, out_features = features
        weight = base.weight
        # A as [in, slot, rank] and B as [slot, rank, out]: both flatten to the [in, slots*rank]
        # and [slots*rank, out] matrices of the decode path without a copy.
        self.a = weight.new_zeros((in_features, slot_count, 0))
        self.b = weight.new_zeros((slot_count, 0, out_features))
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


def linear_features(module: nn.Module) -> tuple[int, int] | None:
    """(in, out) of a layer `LoraLinear` can wrap: `nn.Linear` or transformers' `Conv1D`."""
    from transformers.pytorch_utils import Conv1D

    if isinstance(module, nn.Linear):
        return module.in_features, module.out_features
    if isinstance(module, Conv1D):
        return module.weight.shape[0], module.weight.shape[1]
    return None


class SlotParameters(nn.Module):
    """A module some of whose parameters adapters change (MoE experts and routers), per slot.

    Each slot holds the merged parameters (base + LoRA delta) of its adapter, so an adapter
    costs one copy of the parameters it targets while it is loaded. A forward pass where every
    row uses the same slot runs the module once with that slot's parameters
    (`torch.func.functional_call`); a mixed batch runs it once per distinct slot on the tokens of
    that slot's rows and scatters the results back. Rows of other slots, and slot 0, get the
    module's own parameters. Every tensor argument and result whose first dimension counts the
    batch's rows or tokens is split and joined that way, which is how transformers calls experts
    and routers (`[tokens, hidden]` flattened row by row).
    """

    def __init__(self, base: nn.Module, slots: BatchSlots):
        super().__init__()
        self.base = base
        self.slots = slots
        self.merged: dict[int, dict[str, torch.Tensor]] = {}

    def __getattr__(self, name: str) -> Any:
        # Parent modules read attributes of the module they call (`num_experts`, `top_k`).
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self.base, name)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The module's output, each row through its own adapter's parameters."""
        index = self.slots.index
        if index is None or not self.merged:
            return self.base(*args, **kwargs)
        single = self.slots.single
        if single is not None:
            return self._call(single, args, kwargs)
        first = next(a for a in args if isinstance(a, torch.Tensor))
        rows = index.shape[0]
        per_row = first.shape[0] // rows
        row_of_item = torch.arange(first.shape[0], device=first.device) // per_row
        slot_of_item = index[row_of_item]
        output: Any = None
        for slot in slot_of_item.unique().tolist():
            items = (slot_of_item == slot).nonzero().squeeze(-1)
            part = self._call(
                slot, _select(args, items, first.shape[0]), _select(kwargs, items, first.shape[0])
            )
            output = _scatter(output, part, items, first.shape[0])
        return output

    def _call(self, slot: int, args: Any, kwargs: Any) -> Any:
        parameters = self.merged.get(slot)
        if parameters is None:
            return self.base(*args, **kwargs)
        return torch.func.functional_call(self.base, parameters, tuple(args), dict(kwargs))

    def write(self, slot: int, deltas: dict[str, torch.Tensor]) -> None:
        """Put one adapter's parameters (the module's own plus `deltas`) into `slot`."""
        own = dict(self.base.named_parameters(recurse=False))
        self.merged[slot] = {
            name: (own[name].float() + delta.float()).to(own[name].dtype)
            for name, delta in deltas.items()
        }

    def clear(self, slot: int) -> None:
        """Forget `slot`: its rows get the module's own parameters again."""
        self.merged.pop(slot, None)


def _select(values: Any, items: torch.Tensor, count: int) -> Any:
    """`values` (args or kwargs) with every tensor of `count` leading items cut to `items`."""
    if isinstance(values, dict):
        return {key: _select(value, items, count) for key, value in values.items()}
    if isinstance(values, tuple | list):
        return type(values)(_select(value, items, count) for value in values)
    if isinstance(values, torch.Tensor) and values.dim() > 0 and values.shape[0] == count:
        return values.index_select(0, items)
    return values


def _scatter(output: Any, part: Any, items: torch.Tensor, count: int) -> Any:
    """`part` (a slot's results for `items`) written into `output` (all items' results)."""
    if isinstance(part, tuple | list):
        previous = output if output is not None else [None] * len(part)
        return type(part)(
            _scatter(whole, piece, items, count)
            for whole, piece in zip(previous, part, strict=True)
        )
    if not isinstance(part, torch.Tensor) or part.dim() == 0:
        return part
    if output is None:
        output = part.new_zeros((count, *part.shape[1:]))
    output[items] = part
    return output


@dataclass(frozen=True)
class _AdapterWeights:
    """One adapter read from disk: per targeted layer, A [rank, in] and scaled B [out, rank];
    per module with targeted parameters, the delta of each parameter."""

    layers: dict[str, tuple[torch.Tensor, torch.Tensor]]
    parameters: dict[str, dict[str, torch.Tensor]]


_LORA_KEY = re.compile(r"base_model\.model\.(?P<module>.+)\.lora_(?P<part>[AB])\.weight")
_BASE_LAYER = ".base_layer"


def _unloadable(cause: str) -> ModelLoadError:
    return ModelLoadError(f"The model's adapter could not be loaded: {cause}.")


def _scaling(config: Any, key: str) -> float:
    """peft's scaling of the layer or parameter `key`: its rank and alpha patterns, rsLoRA."""
    from peft.utils.other import get_pattern_key

    rank = config.rank_pattern.get(get_pattern_key(config.rank_pattern.keys(), key), config.r)
    alpha = config.alpha_pattern.get(
        get_pattern_key(config.alpha_pattern.keys(), key), config.lora_alpha
    )
    return alpha / math.sqrt(rank) if config.use_rslora else alpha / rank


def _strip_base_layers(name: str) -> tuple[str, int]:
    """The module a peft key names, and how many nested wrappers deep (`.base_layer`s)."""
    depth = 0
    while name.endswith(_BASE_LAYER):
        name = name[: -len(_BASE_LAYER)]
        depth += 1
    return name, depth


def _targeted_parameters(owner: str, module: nn.Module, targets: Any) -> list[str]:
    """The parameters of `module` that peft's `target_parameters` matched, in registration
    order (the order peft wraps them in), as peft matches them: the full name or a suffix."""
    names = set(targets)
    return [
        parameter
        for parameter, _ in module.named_parameters(recurse=False)
        if f"{owner}.{parameter}" in names
        or any(f"{owner}.{parameter}".endswith(f".{target}") for target in names)
    ]


def _parameter_delta(
    parameter: torch.Tensor,
    lora_a: torch.Tensor,
    lora_b: torch.Tensor,
    scaling: float,
    *,
    transposed: bool,
) -> torch.Tensor | None:
    """The LoRA delta of a targeted parameter, as peft's `ParamWrapper.get_delta_weight` makes
    it: `B @ A` for a 2-D weight; per expert for a 3-D [experts, ., .] one, with A stacked as
    [experts * rank, in] and B as [out, rank * experts]. None when the shapes do not fit."""
    a, b = lora_a.float(), lora_b.float()
    if parameter.dim() == 2:
        delta = b @ a
    elif parameter.dim() == 3:
        experts = parameter.shape[0]
        if a.shape[0] % experts or b.shape[1] % experts:
            return None
        a = a.reshape(experts, -1, a.shape[-1])  # experts x rank x in
        b = b.reshape(b.shape[0], -1, experts)  # out x rank x experts
        # Experts stored [experts, out, in] (most) or [experts, in, out] (`is_transposed`).
        pattern = "ore,eri->eio" if transposed else "ore,eri->eoi"
        delta = torch.einsum(pattern, b, a)
    else:
        return None
    if delta.shape != parameter.shape:
        return None
    return delta * scaling


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
        # module name -> its installed wrapper, for adapters that target parameters (MoE)
        self._parameter_modules: dict[str, SlotParameters] = {}
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
        for wrapper in self._parameter_modules.values():
            wrapper.clear(slot)
        self._free.append(slot)

    def use(self, row_slots: list[int]) -> None:
        """Route the next forward pass: row i goes through the adapter in `row_slots[i]`."""
        distinct = set(row_slots)
        if distinct == {0} or not (self._layers or self._parameter_modules):
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
            for name, deltas in weights.parameters.items():
                wrapper = self._parameter_modules.get(name) or self._install_parameters(name)
                wrapper.write(slot, deltas)
        self._slot_of[adapter.key] = slot
        return slot

    def _read(self, adapter: LocalAdapter) -> _AdapterWeights:
        from peft import LoraConfig
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            config = LoraConfig.from_pretrained(str(adapter.path))
            tensors = load_file(adapter.path / "adapter_model.safetensors")
        except (OSError, ValueError, TypeError, SafetensorError) as exc:
            raise _unloadable(f"its files cannot be read ({type(exc).__name__})") from exc
        features = [
            name
            for name, used in (
                ("DoRA", config.use_dora),
                ("modules_to_save", config.modules_to_save),
                ("lora_bias", config.lora_bias),
            )
            if used
        ]
        if features:
            raise _unloadable(f"it uses LoRA features this server does not serve: {features}")
        parts: dict[str, dict[str, torch.Tensor]] = {}
        for key, tensor in tensors.items():
            match = _LORA_KEY.fullmatch(key)
            if match is None:
                raise _unloadable(f"its weight {key!r} is not a LoRA A or B matrix")
            parts.setdefault(match["module"], {})[match["part"]] = tensor
        modules = dict(self.base_model.named_modules())
        layers: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
        parameters: dict[str, dict[str, torch.Tensor]] = {}
        for name, pair in parts.items():
            lora_a, lora_b = pair.get("A"), pair.get("B")
            if lora_a is None or lora_b is None:
                raise _unloadable(f"{name} lacks its A or B matrix")
            owner, depth = _strip_base_layers(name)
            base = modules.get(owner)
            if isinstance(base, LoraLinear | SlotParameters):
                base = base.base
            if base is None:
                raise _unloadable(f"the base model has no module {owner}")
            # A layer peft adapted as a layer, or as its one 2-D weight: the same product.
            shape = linear_features(base) if depth == 0 else None
            if shape is not None:
                in_features, out_features = shape
                if (
                    lora_a.shape[1] != in_features
                    or lora_b.shape[0] != out_features
                    or lora_a.shape[0] != lora_b.shape[1]
                ):
                    raise _unloadable(f"the LoRA shapes of {name} do not fit the base model")
                weight = base.weight
                scaling = _scaling(config, owner)
                layers[name] = (
                    lora_a.to(device=weight.device, dtype=weight.dtype),
                    (lora_b.float() * scaling).to(device=weight.device, dtype=weight.dtype),
                )
                continue
            targeted = _targeted_parameters(owner, base, config.target_parameters or ())
            if depth >= len(targeted):
                raise _unloadable(
                    f"{owner} is a {type(base).__name__}, which this server cannot adapt"
                )
            # peft nests one wrapper per targeted parameter, the first registered innermost:
            # `m.lora_*` adapts the last, `m.base_layer.lora_*` the one before, and so on.
            parameter = targeted[len(targeted) - 1 - depth]
            own = getattr(base, parameter)
            scaling = _scaling(config, f"{owner}.{parameter}")
            delta = _parameter_delta(
                own, lora_a, lora_b, scaling, transposed=getattr(base, "is_transposed", False)
            )
            if delta is None:
                raise _unloadable(f"the LoRA shapes of {owner}.{parameter} do not fit it")
            parameters.setdefault(owner, {})[parameter] = delta.to(own.device)
        return _AdapterWeights(layers, parameters)

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

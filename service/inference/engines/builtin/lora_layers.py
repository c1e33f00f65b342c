"""Batched multi-LoRA layers: every loaded adapter's weights stacked by slot in each layer.

`LoraLinear` wraps `nn.Linear` and transformers' `Conv1D` (GPT-2's layers, weights stored as
[in, out]; peft saves their LoRA weights in the same [rank, in] / [out, rank] shapes). Adapters that
target parameters rather than layers (peft's `target_parameters`, which `all-linear` uses for the
fused experts and routers of mixture-of-experts models) go through `SlotParameters`: each loaded
adapter keeps its own merged copy of the targeted parameters, and a mixed batch runs that module
once per distinct adapter on the tokens of its rows. Slot 0 is always zeros: the base model's rows.
Which slot each row uses is `BatchSlots`, set before each forward pass (adapter_slots.py) and
read by every layer.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from transformers.pytorch_utils import Conv1D

# A layer `LoraLinear` can wrap.
LinearLayer = nn.Linear | Conv1D


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

    def __init__(self, base: LinearLayer, slots: BatchSlots, slot_count: int):
        super().__init__()
        self.base = base
        self.slots = slots
        in_features, out_features = linear_features(base)
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
            return self._base(x)
        single = self.slots.single
        if single is not None:
            if single not in self.occupied:
                return self._base(x)
            return self._base(x) + (x @ self.a[:, single]) @ self.b[single]
        rows = index.shape[0]
        slot_count, rank = self.b.shape[0], self.b.shape[1]
        if x.shape[:-1].numel() == rows:  # decode: one token per row
            flat = x.reshape(rows, x.shape[-1])
            hidden = (flat @ self.a.reshape(flat.shape[1], -1)).mul_(
                self.slots.mask(slot_count, rank, x.dtype)
            )
            out = torch.addmm(self._base(flat), hidden, self.b.reshape(slot_count * rank, -1))
            return out.reshape(*x.shape[:-1], out.shape[-1])
        tokens = x.reshape(rows, -1, x.shape[-1])  # [rows, tokens, in]
        hidden = torch.bmm(tokens, self.a.index_select(1, index).transpose(0, 1))
        delta = torch.bmm(hidden, self.b.index_select(0, index))
        out = self._base(x)
        return out + delta.reshape(out.shape)

    def _base(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.base(x)
        return out

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


def linear_features(layer: LinearLayer) -> tuple[int, int]:
    """(in, out) of a layer `LoraLinear` can wrap: `nn.Linear` or transformers' `Conv1D`."""
    if isinstance(layer, nn.Linear):
        return layer.in_features, layer.out_features
    return layer.weight.shape[0], layer.weight.shape[1]


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

    # The wrapped module's arguments and results are whatever transformers passes it.
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The module's output, each row through its own adapter's parameters."""
        index = self.slots.index
        if index is None or not self.merged:
            return self.base(*args, **kwargs)
        single = self.slots.single
        if single is not None:
            return self._call(single, args, kwargs)
        first = next(a for a in args if isinstance(a, torch.Tensor))
        count = first.shape[0]
        rows = index.shape[0]
        per_row = count // rows
        row_of_item = torch.arange(count, device=first.device) // per_row
        slot_of_item = index[row_of_item]
        output: object = None
        for slot in sorted(set(slot_of_item.tolist())):  # as Tensor.unique, which is untyped
            items = (slot_of_item == slot).nonzero().squeeze(-1)
            part = self._call(
                slot,
                tuple(_select(value, items, count) for value in args),
                {key: _select(value, items, count) for key, value in kwargs.items()},
            )
            output = _scatter(output, part, items, count)
        return output

    def _call(self, slot: int, args: tuple[object, ...], kwargs: dict[str, object]) -> object:
        parameters = self.merged.get(slot)
        if parameters is None:
            return self.base(*args, **kwargs)
        return torch.func.functional_call(self.base, parameters, args, kwargs)

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


def _select(value: object, items: torch.Tensor, count: int) -> object:
    """`value` (an argument) with every tensor of `count` leading items cut to `items`."""
    if isinstance(value, dict):
        return {key: _select(inner, items, count) for key, inner in value.items()}
    if isinstance(value, tuple | list):
        return type(value)(_select(inner, items, count) for inner in value)
    if isinstance(value, torch.Tensor) and value.dim() > 0 and value.shape[0] == count:
        return value.index_select(0, items)
    return value


def _scatter(output: object, part: object, items: torch.Tensor, count: int) -> object:
    """`part` (a slot's results for `items`) written into `output` (all items' results)."""
    if isinstance(part, tuple | list):
        previous = output if isinstance(output, tuple | list) else [None] * len(part)
        return type(part)(
            _scatter(whole, piece, items, count)
            for whole, piece in zip(previous, part, strict=True)
        )
    if not isinstance(part, torch.Tensor) or part.dim() == 0:
        return part
    whole = output if isinstance(output, torch.Tensor) else part.new_zeros((count, *part.shape[1:]))
    whole[items] = part
    return whole

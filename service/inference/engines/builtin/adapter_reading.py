"""Reading a PEFT LoRA adapter from local disk into the weights its adapter slot holds.

`read_adapter` reads adapter_config.json through peft's `LoraConfig` and
adapter_model.safetensors with safetensors, and checks every weight against the base model
before anything is written to it. It returns, per targeted layer, A [rank, in] and B [out, rank]
with the adapter's scaling folded into B; per module whose parameters peft targets
(`target_parameters`: the fused experts and routers of mixture-of-experts models), the delta of
each parameter.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from torch import nn
from transformers.pytorch_utils import Conv1D

from service.core.errors import ModelLoadError
from service.inference.engines.builtin.lora_layers import (
    LoraLinear,
    SlotParameters,
    linear_features,
)

if TYPE_CHECKING:
    from peft import LoraConfig


@dataclass(frozen=True)
class AdapterWeights:
    """One adapter read from disk: per targeted layer, A [rank, in] and scaled B [out, rank];
    per module with targeted parameters, the delta of each parameter."""

    layers: dict[str, tuple[torch.Tensor, torch.Tensor]]
    parameters: dict[str, dict[str, torch.Tensor]]


_LORA_KEY = re.compile(r"base_model\.model\.(?P<module>.+)\.lora_(?P<part>[AB])\.weight")
_BASE_LAYER = ".base_layer"


def read_adapter(path: Path, base_model: nn.Module) -> AdapterWeights:
    """The adapter in directory `path`, checked against `base_model`; a ModelLoadError when
    its files cannot be read or do not fit."""
    from peft import LoraConfig
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        config = LoraConfig.from_pretrained(str(path))
        tensors = load_file(path / "adapter_model.safetensors")
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
    modules = dict(base_model.named_modules())
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
        if depth == 0 and isinstance(base, nn.Linear | Conv1D):
            in_features, out_features = linear_features(base)
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
            raise _unloadable(f"{owner} is a {type(base).__name__}, which this server cannot adapt")
        # peft nests one wrapper per targeted parameter, the first registered innermost:
        # `m.lora_*` adapts the last, `m.base_layer.lora_*` the one before, and so on.
        parameter = targeted[len(targeted) - 1 - depth]
        own: torch.Tensor = getattr(base, parameter)
        scaling = _scaling(config, f"{owner}.{parameter}")
        transposed: bool = getattr(base, "is_transposed", False)
        delta = _parameter_delta(own, lora_a, lora_b, scaling, transposed=transposed)
        if delta is None:
            raise _unloadable(f"the LoRA shapes of {owner}.{parameter} do not fit it")
        parameters.setdefault(owner, {})[parameter] = delta.to(own.device)
    return AdapterWeights(layers, parameters)


def _unloadable(cause: str) -> ModelLoadError:
    return ModelLoadError(f"The model's adapter could not be loaded: {cause}.")


def _scaling(config: LoraConfig, key: str) -> float:
    """peft's scaling of the layer or parameter `key`: its rank and alpha patterns, rsLoRA."""
    from peft.utils.other import get_pattern_key

    rank_pattern: dict[str, int] = config.rank_pattern or {}
    alpha_pattern: dict[str, float] = config.alpha_pattern or {}
    rank = rank_pattern.get(get_pattern_key(list(rank_pattern), key), config.r)
    alpha = alpha_pattern.get(get_pattern_key(list(alpha_pattern), key), config.lora_alpha)
    return alpha / math.sqrt(rank) if config.use_rslora else alpha / rank


def _strip_base_layers(name: str) -> tuple[str, int]:
    """The module a peft key names, and how many nested wrappers deep (`.base_layer`s)."""
    depth = 0
    while name.endswith(_BASE_LAYER):
        name = name[: -len(_BASE_LAYER)]
        depth += 1
    return name, depth


def _targeted_parameters(owner: str, module: nn.Module, targets: Iterable[str]) -> list[str]:
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

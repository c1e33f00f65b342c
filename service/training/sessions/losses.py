"""Tinker's built-in losses, each a SUM over a datum's tokens (never a mean).

The definitions, the input names and the `loss_fn_config` keys are Tinker's own:
- tinker-docs.thinkingmachines.ai/tinker/losses (overview; "loss:sum" is the one metric),
  .../losses/ppo, .../losses/cispo, .../losses/dro give each formula as torch code, with
  `clip_low_threshold` / `clip_high_threshold` bounding the ratio itself (not 1 ± eps) and
  `beta` for DRO (loss_fn_config={"beta": 0.05} in the docs' example);
- the SDK 0.38 (tinker/types/loss_fn_type.py: the loss names; tinker/types/datum.py: the
  float32 inputs `weights`, `advantages`, `logprobs`, `clip_low_threshold`,
  `clip_high_threshold`, which may also come per token in `loss_fn_inputs`);
- issue 27: PPO clips at 0.8 / 1.2 by default (ε = 0.2, "currently fixed to 0.2 in Tinker"),
  CISPO at 0.0 / 4.0.
Tinker documents no default `beta` for DRO, so a DRO call without it is refused by name rather
than trained with a value we made up. The SDK's other names (`gspo`, `stable_reinforce`,
`custom`) and any unknown one are refused by name.

Each loss maps the datum's target log-probabilities (float32, with gradients) and its inputs to
per-token losses; the trainer sums them. torch only: the trainer validates shapes first.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import torch

from service.core.errors import InvalidRequestError

# The inputs every policy-gradient loss takes: sampled tokens, the sampler's log-probabilities
# of them, and their advantages.
_RL_INPUTS = ("target_tokens", "logprobs", "advantages")
# Per-token ratio bounds a client may send in loss_fn_inputs instead of loss_fn_config.
_THRESHOLD_INPUTS = ("clip_low_threshold", "clip_high_threshold")

TokenLoss = Callable[[torch.Tensor, Mapping[str, torch.Tensor], Mapping[str, float]], torch.Tensor]


@dataclass(frozen=True)
class LossDefinition:
    """One loss: the inputs it needs and may take, its config keys with their defaults (None:
    required), and its per-token loss."""

    name: str
    required_inputs: tuple[str, ...]
    token_loss: TokenLoss
    optional_inputs: tuple[str, ...] = ()
    config: Mapping[str, float | None] = field(default_factory=dict)


def _cross_entropy(
    logp: torch.Tensor, inputs: Mapping[str, torch.Tensor], config: Mapping[str, float]
) -> torch.Tensor:
    # docs/losses: loss = -(weights * target_logprobs).sum()
    return -(inputs["weights"] * logp)


def _importance_sampling(
    logp: torch.Tensor, inputs: Mapping[str, torch.Tensor], config: Mapping[str, float]
) -> torch.Tensor:
    # docs/losses: prob_ratio = exp(target_logprobs - sampling_logprobs);
    # loss = -(prob_ratio * advantages).sum()
    ratio = torch.exp(logp - inputs["logprobs"])
    return -(ratio * inputs["advantages"])


def _bound(
    name: str, inputs: Mapping[str, torch.Tensor], config: Mapping[str, float]
) -> torch.Tensor | float:
    # A per-token bound (loss_fn_inputs) wins over the call's (loss_fn_config).
    return inputs[name] if name in inputs else config[name]


def _clipped_ratio(
    ratio: torch.Tensor, inputs: Mapping[str, torch.Tensor], config: Mapping[str, float]
) -> torch.Tensor:
    low = _bound("clip_low_threshold", inputs, config)
    high = _bound("clip_high_threshold", inputs, config)
    low_tensor = torch.as_tensor(low, dtype=ratio.dtype, device=ratio.device)
    high_tensor = torch.as_tensor(high, dtype=ratio.dtype, device=ratio.device)
    return torch.minimum(torch.maximum(ratio, low_tensor), high_tensor)


def _ppo(
    logp: torch.Tensor, inputs: Mapping[str, torch.Tensor], config: Mapping[str, float]
) -> torch.Tensor:
    # docs/losses/ppo: clipped_ratio = clamp(prob_ratio, clip_low_threshold,
    # clip_high_threshold); loss = -min(prob_ratio * A, clipped_ratio * A).sum()
    advantages = inputs["advantages"]
    ratio = torch.exp(logp - inputs["logprobs"])
    clipped = _clipped_ratio(ratio, inputs, config)
    return -torch.minimum(ratio * advantages, clipped * advantages)


def _cispo(
    logp: torch.Tensor, inputs: Mapping[str, torch.Tensor], config: Mapping[str, float]
) -> torch.Tensor:
    # docs/losses/cispo: loss = -(clipped_ratio.detach() * target_logprobs * A).sum()
    ratio = torch.exp(logp - inputs["logprobs"])
    clipped = _clipped_ratio(ratio, inputs, config).detach()
    return -(clipped * logp * inputs["advantages"])


def _dro(
    logp: torch.Tensor, inputs: Mapping[str, torch.Tensor], config: Mapping[str, float]
) -> torch.Tensor:
    # docs/losses/dro: loss = -(target_logprobs * A
    #                           - 0.5 * beta * (target_logprobs - sampling_logprobs) ** 2).sum()
    quadratic = (logp - inputs["logprobs"]) ** 2
    return -(logp * inputs["advantages"] - 0.5 * config["beta"] * quadratic)


LOSSES: dict[str, LossDefinition] = {
    definition.name: definition
    for definition in (
        LossDefinition("cross_entropy", ("target_tokens", "weights"), _cross_entropy),
        LossDefinition("importance_sampling", _RL_INPUTS, _importance_sampling),
        LossDefinition(
            "ppo",
            _RL_INPUTS,
            _ppo,
            optional_inputs=_THRESHOLD_INPUTS,
            config={"clip_low_threshold": 0.8, "clip_high_threshold": 1.2},
        ),
        LossDefinition(
            "cispo",
            _RL_INPUTS,
            _cispo,
            optional_inputs=_THRESHOLD_INPUTS,
            config={"clip_low_threshold": 0.0, "clip_high_threshold": 4.0},
        ),
        LossDefinition("dro", _RL_INPUTS, _dro, config={"beta": None}),
    )
}


def resolve_loss(
    loss_fn: str, loss_fn_config: Mapping[str, float] | None
) -> tuple[LossDefinition, dict[str, float]]:
    """The loss named `loss_fn` and its full config (defaults filled in); InvalidRequestError
    naming an unknown loss, an unknown config key or a missing required one."""
    definition = LOSSES.get(loss_fn)
    if definition is None:
        raise InvalidRequestError(
            f"loss_fn {loss_fn!r} is not supported; supported: {', '.join(LOSSES)}",
            param="loss_fn",
        )
    given = dict(loss_fn_config or {})
    unknown = sorted(set(given) - set(definition.config))
    if unknown:
        accepted = ", ".join(definition.config) or "none"
        raise InvalidRequestError(
            f"loss_fn_config key(s) {', '.join(unknown)} are not supported by {loss_fn} "
            f"(it accepts: {accepted})",
            param="loss_fn_config",
        )
    config: dict[str, float] = {}
    for key, default in definition.config.items():
        value = given.get(key, default)
        if value is None:
            raise InvalidRequestError(
                f"{loss_fn} needs loss_fn_config[{key!r}]: Tinker documents no default for it",
                param="loss_fn_config",
            )
        config[key] = float(value)
    if not all(math.isfinite(value) for value in config.values()):
        raise InvalidRequestError(
            f"{loss_fn}'s loss_fn_config values must be finite numbers", param="loss_fn_config"
        )
    low, high = config.get("clip_low_threshold"), config.get("clip_high_threshold")
    if low is not None and high is not None and low > high:
        raise InvalidRequestError(
            f"{loss_fn}: clip_low_threshold ({low:g}) is above clip_high_threshold ({high:g})",
            param="loss_fn_config",
        )
    return definition, config

"""Hyperparameters of a LoRA job: checking what a client asked for, resolving "auto".

OpenAI's three (n_epochs, batch_size, learning_rate_multiplier), DPO's `beta`, and Whetstone's
LoRA extensions (lora_rank, lora_alpha, lora_dropout, lora_target_modules). Pure Python: the
Jobs API checks a request with it without importing torch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from service.catalog import BaseModelEntry
from service.core.errors import InvalidRequestError

HYPERPARAMETER_KEYS = (
    "n_epochs",
    "batch_size",
    "learning_rate_multiplier",
    "lora_rank",
    "lora_alpha",
    "lora_dropout",
    "lora_target_modules",
)
# DPO takes the supervised keys plus beta.
DPO_HYPERPARAMETER_KEYS = ("beta", *HYPERPARAMETER_KEYS)
# TRL's and the DPO paper's usual value.
DEFAULT_BETA = 0.1


@dataclass(frozen=True)
class TrainingDefaults:
    """How "auto" resolves for one family of base models."""

    # The effective learning rate is base_learning_rate * learning_rate_multiplier.
    base_learning_rate: float
    # Auto n_epochs gives small files at least this many example-passes (OpenAI's rule, below).
    min_target_examples: int
    max_default_epochs: int = 25


# The emulator starts from random weights, so it needs a high rate and many passes to show
# that it learned anything; 3e-3 for ~15 epochs of 20 examples reproduces a trained reply.
EMULATOR_DEFAULTS = TrainingDefaults(base_learning_rate=3e-3, min_target_examples=300)
# Pretrained causal LMs: the usual LoRA rate, and OpenAI's published epoch rule as is.
PRETRAINED_DEFAULTS = TrainingDefaults(base_learning_rate=2e-4, min_target_examples=100)

TARGET_EPOCHS = 3
MAX_TARGET_EXAMPLES = 25_000
BATCH_FRACTION = 0.002
MAX_BATCH_SIZE = 256


def training_defaults(entry: BaseModelEntry) -> TrainingDefaults:
    """The "auto" rules for a base model's family."""
    return EMULATOR_DEFAULTS if entry.emulator else PRETRAINED_DEFAULTS


def validate_hyperparameters(
    requested: Mapping[str, Any] | None,
    *,
    param_prefix: str = "method.supervised.hyperparameters",
    method: str = "supervised",
) -> None:
    """Refuse unknown keys and out-of-range values with a 400 naming the exact parameter."""
    keys = DPO_HYPERPARAMETER_KEYS if method == "dpo" else HYPERPARAMETER_KEYS
    if requested is None:
        return
    if not isinstance(requested, Mapping):
        raise InvalidRequestError(
            f"Invalid type for '{param_prefix}': expected an object.",
            param=param_prefix,
            code="invalid_type",
        )
    for key, value in requested.items():
        param = f"{param_prefix}.{key}"
        if key not in keys:
            raise InvalidRequestError(
                f"Unknown hyperparameter '{key}'. Supported: {', '.join(keys)}.",
                param=param,
                code="unknown_parameter",
            )
        problem = _CHECKS[key](value)
        if problem is not None:
            raise InvalidRequestError(
                f"Invalid value for '{key}': {problem}, got {value!r}.",
                param=param,
                code="invalid_value",
            )


def resolve_hyperparameters(
    requested: Mapping[str, Any] | None,
    *,
    n_examples: int,
    entry: BaseModelEntry,
    method: str = "supervised",
) -> dict[str, Any]:
    """All seven hyperparameters (eight for DPO) with every "auto" or absent one made concrete.

    - n_epochs: OpenAI's rule. 3 epochs; a small file gets ceil(min_target_examples /
      n_examples) epochs (at most 25) so that it is seen often enough; a huge file gets
      MAX_TARGET_EXAMPLES // n_examples (at least 1). min_target_examples is 100 for
      pretrained models and 300 for the randomly initialised emulator.
    - batch_size: about 0.2% of the examples, between 1 and 256.
    - learning_rate_multiplier: 1.0; the family's base rate (3e-3 for the emulator, 2e-4 for
      pretrained models) already suits LoRA.
    - LoRA keys: the catalog entry's defaults (the models file may set them per model).
    - beta (DPO only): 0.1. n_examples counts preference pairs, and the rules above apply.
    """
    requested = requested or {}
    defaults = training_defaults(entry)

    def given(key: str) -> Any:
        value = requested.get(key, "auto")
        return None if value == "auto" else value

    n_epochs = given("n_epochs")
    if n_epochs is None:
        n_epochs = TARGET_EPOCHS
        if n_examples * TARGET_EPOCHS < defaults.min_target_examples:
            n_epochs = min(
                defaults.max_default_epochs,
                math.ceil(defaults.min_target_examples / max(n_examples, 1)),
            )
        elif n_examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
            n_epochs = max(1, MAX_TARGET_EXAMPLES // n_examples)
    batch_size = given("batch_size")
    if batch_size is None:
        batch_size = min(MAX_BATCH_SIZE, max(1, round(n_examples * BATCH_FRACTION)))
    multiplier = given("learning_rate_multiplier")
    targets = given("lora_target_modules")
    if targets is None:
        targets = entry.lora.target_modules
    resolved: dict[str, Any] = {}
    if method == "dpo":
        beta = given("beta")
        resolved["beta"] = float(beta) if beta is not None else DEFAULT_BETA
    return resolved | {
        "n_epochs": int(n_epochs),
        "batch_size": int(batch_size),
        "learning_rate_multiplier": float(multiplier) if multiplier is not None else 1.0,
        "lora_rank": int(given("lora_rank") or entry.lora.rank),
        "lora_alpha": int(given("lora_alpha") or entry.lora.alpha),
        "lora_dropout": float(
            given("lora_dropout") if given("lora_dropout") is not None else entry.lora.dropout
        ),
        "lora_target_modules": targets if isinstance(targets, str) else list(targets),
    }


def learning_rate(hyperparameters: Mapping[str, Any], entry: BaseModelEntry) -> float:
    """The effective peak learning rate: the family's base rate times the multiplier."""
    base = training_defaults(entry).base_learning_rate
    return base * float(hyperparameters["learning_rate_multiplier"])


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _int_in(low: int, high: int, *, auto: bool = True) -> Any:
    expected = f"expected an integer from {low} to {high}" + (' or "auto"' if auto else "")

    def check(value: Any) -> str | None:
        if auto and value == "auto":
            return None
        return None if _is_int(value) and low <= value <= high else expected

    return check


def _check_multiplier(value: Any) -> str | None:
    if value == "auto" or (_is_number(value) and 0 < value <= 10):
        return None
    return 'expected a number greater than 0 and at most 10, or "auto"'


def _check_dropout(value: Any) -> str | None:
    if value == "auto" or (_is_number(value) and 0 <= value < 1):
        return None
    return 'expected a number from 0 up to (not including) 1, or "auto"'


def _check_beta(value: Any) -> str | None:
    if value == "auto" or (_is_number(value) and 0 < value <= 2):
        return None
    return 'expected a number greater than 0 and at most 2, or "auto"'


def _check_targets(value: Any) -> str | None:
    if value in ("auto", "all-linear"):
        return None
    if (
        isinstance(value, list)
        and value
        and all(isinstance(name, str) and name.strip() for name in value)
    ):
        return None
    return 'expected "all-linear" or a non-empty list of module names'


_CHECKS = {
    "beta": _check_beta,
    "n_epochs": _int_in(1, 50),
    "batch_size": _int_in(1, 256),
    "learning_rate_multiplier": _check_multiplier,
    "lora_rank": _int_in(1, 256),
    "lora_alpha": _int_in(1, 1024),
    "lora_dropout": _check_dropout,
    "lora_target_modules": _check_targets,
}

"""Hyperparameters of a LoRA job: checking what a client asked for, resolving "auto".

OpenAI's three (n_epochs, batch_size, learning_rate_multiplier), DPO's `beta`, reinforcement's
own (compute_multiplier, eval_interval, eval_samples, reasoning_effort) with Whetstone's GRPO
extensions, and Whetstone's LoRA extensions (lora_rank, lora_alpha, lora_dropout,
lora_target_modules) and `training_type` ("lora", the default, or "full": every parameter of the
model trained, supervised and DPO only). Pure Python: the Jobs API checks a request with it
without importing torch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
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
# Whetstone's extension: what a job trains. "lora" (the default) trains an adapter; "full"
# trains every parameter and saves a whole model (service/training/recipe.py).
TRAINING_TYPE_KEY = "training_type"
FULL_TRAINING = "full"
TRAINING_TYPES = ("lora", FULL_TRAINING)
LORA_KEYS = ("lora_rank", "lora_alpha", "lora_dropout", "lora_target_modules")
# DPO takes the supervised keys plus beta.
DPO_HYPERPARAMETER_KEYS = ("beta", *HYPERPARAMETER_KEYS)
# TRL's and the DPO paper's usual value.
DEFAULT_BETA = 0.1
# Reinforcement: OpenAI's four of its own, then Whetstone's GRPO extensions (TRL's GRPOConfig
# names where TRL has one: num_generations, beta, epsilon, temperature).
REINFORCEMENT_OPENAI_KEYS = ("compute_multiplier", "eval_interval", "eval_samples")
REINFORCEMENT_EXTENSION_KEYS = (
    "num_generations",
    "beta",
    "epsilon",
    "temperature",
    "max_completion_tokens",
)
REINFORCEMENT_HYPERPARAMETER_KEYS = (
    *HYPERPARAMETER_KEYS,
    *REINFORCEMENT_OPENAI_KEYS,
    "reasoning_effort",
    *REINFORCEMENT_EXTENSION_KEYS,
)
# Completions sampled per prompt at compute_multiplier 1 (auto); the group whose rewards are
# normalised against each other. compute_multiplier scales it, at least 2 (a group of one has
# no spread, so no advantage).
DEFAULT_NUM_GENERATIONS = 4
MAX_NUM_GENERATIONS = 64
# TRL's GRPOConfig defaults: no KL term, PPO's clip range, sampling at temperature 1.
DEFAULT_KL_BETA = 0.0
DEFAULT_EPSILON = 0.2
DEFAULT_TEMPERATURE = 1.0
DEFAULT_MAX_COMPLETION_TOKENS = 64
MAX_COMPLETION_TOKENS = 4096
# Periodic validation: about this many evaluations per job, on at most this many prompts each.
EVALUATIONS_PER_JOB = 10
DEFAULT_EVAL_SAMPLES = 16


@dataclass(frozen=True)
class TrainingDefaults:
    """How "auto" resolves for one family of base models."""

    # The effective learning rate is base_learning_rate * learning_rate_multiplier.
    base_learning_rate: float
    # Auto n_epochs gives small files at least this many example-passes (OpenAI's rule, below).
    min_target_examples: int
    max_default_epochs: int = 25
    # The base rate of full fine-tuning (every weight moves, not a low-rank update): lower.
    full_learning_rate: float = 1e-5


# The emulator starts from random weights, so it needs a high rate and many passes to show
# that it learned anything; 3e-3 for ~15 epochs of 20 examples reproduces a trained reply.
EMULATOR_DEFAULTS = TrainingDefaults(
    base_learning_rate=3e-3, min_target_examples=300, full_learning_rate=1e-3
)
# Pretrained causal LMs: the usual LoRA rate (and the usual full fine-tuning rate of 1-8B
# models), and OpenAI's published epoch rule as is.
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
    keys = METHOD_KEYS.get(method, HYPERPARAMETER_KEYS)
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
        problem = _METHOD_CHECKS.get(method, _CHECKS)[key](value)
        if problem is not None:
            raise InvalidRequestError(
                f"Invalid value for '{key}': {problem}, got {value!r}.",
                param=param,
                code="invalid_value",
            )
    if requested.get(TRAINING_TYPE_KEY) == FULL_TRAINING:
        for key in LORA_KEYS:
            # A LoRA setting on a job that trains no LoRA would be silently ignored.
            if requested.get(key) not in (None, "auto"):
                raise InvalidRequestError(
                    f"'{key}' applies to LoRA training; a job with training_type \"full\" "
                    "trains every parameter of the model (omit it).",
                    param=f"{param_prefix}.{key}",
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
    - Reinforcement (n_examples counts prompts; an optimizer step takes batch_size prompts and
      samples num_generations completions of each): compute_multiplier 1.0; num_generations
      round(4 * compute_multiplier), at least 2; beta (the KL coefficient) 0.0, epsilon 0.2,
      temperature 1.0, max_completion_tokens 64 (TRL's GRPOConfig defaults, but a shorter
      completion); eval_interval about a tenth of the steps; eval_samples 16 (at most the
      validation file's prompts); reasoning_effort echoed ("default").
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
    shared = {
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
    if requested.get(TRAINING_TYPE_KEY) == FULL_TRAINING:
        # No LoRA: its keys would describe nothing the job trains.
        shared = {key: value for key, value in shared.items() if key not in LORA_KEYS}
        shared[TRAINING_TYPE_KEY] = FULL_TRAINING
    elif TRAINING_TYPE_KEY in requested:
        shared[TRAINING_TYPE_KEY] = requested[TRAINING_TYPE_KEY]
    resolved |= shared
    if isinstance(requested.get(REFERENCE_FILE_KEY), str):
        resolved[REFERENCE_FILE_KEY] = requested[REFERENCE_FILE_KEY]
    if method == "reinforcement":
        batch = max(1, min(int(batch_size), n_examples))
        total_steps = int(n_epochs) * math.ceil(max(n_examples, 1) / batch)
        resolved |= _resolve_reinforcement(given, total_steps=total_steps)
    return resolved


def _resolve_reinforcement(given: Callable[[str], Any], *, total_steps: int) -> dict[str, Any]:
    """Reinforcement's own keys, made concrete."""
    multiplier = given("compute_multiplier")
    multiplier = float(multiplier) if multiplier is not None else 1.0
    generations = given("num_generations")
    if generations is None:
        generations = min(MAX_NUM_GENERATIONS, max(2, round(DEFAULT_NUM_GENERATIONS * multiplier)))

    def number(key: str, default: float) -> float:
        value = given(key)
        return float(value) if value is not None else default

    def integer(key: str, default: int) -> int:
        value = given(key)
        return int(value) if value is not None else default

    return {
        "compute_multiplier": multiplier,
        "eval_interval": integer("eval_interval", max(1, total_steps // EVALUATIONS_PER_JOB)),
        "eval_samples": integer("eval_samples", DEFAULT_EVAL_SAMPLES),
        "reasoning_effort": given("reasoning_effort") or "default",
        "num_generations": int(generations),
        "beta": number("beta", DEFAULT_KL_BETA),
        "epsilon": number("epsilon", DEFAULT_EPSILON),
        "temperature": number("temperature", DEFAULT_TEMPERATURE),
        "max_completion_tokens": integer("max_completion_tokens", DEFAULT_MAX_COMPLETION_TOKENS),
    }


def is_full_training(hyperparameters: Mapping[str, Any]) -> bool:
    """Whether a job with these hyperparameters (requested or resolved) trains every
    parameter of the model rather than a LoRA adapter."""
    return hyperparameters.get(TRAINING_TYPE_KEY) == FULL_TRAINING


def learning_rate(hyperparameters: Mapping[str, Any], entry: BaseModelEntry) -> float:
    """The effective peak learning rate: the family's base rate (its full fine-tuning rate for
    a full job) times the multiplier."""
    defaults = training_defaults(entry)
    full = is_full_training(hyperparameters)
    base = defaults.full_learning_rate if full else defaults.base_learning_rate
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


def _check_file_id(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return "expected a file id"
    return None


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


def _check_training_type(value: Any) -> str | None:
    if value in TRAINING_TYPES:
        return None
    return 'expected "lora" or "full"'


def _check_reinforcement_training_type(value: Any) -> str | None:
    if value == FULL_TRAINING:
        # GRPO samples from the policy with generate and takes its KL reference by disabling
        # the adapter; a full copy of the model per job is not supported yet.
        return 'reinforcement jobs train a LoRA adapter only, expected "lora"'
    return _check_training_type(value)


def _number_in(low: float, high: float, *, low_open: bool, what: str) -> Any:
    def check(value: Any) -> str | None:
        if value == "auto":
            return None
        above = value > low if low_open else value >= low
        return None if _is_number(value) and above and value <= high else what

    return check


def _check_reasoning_effort(value: Any) -> str | None:
    if value in ("default", "low", "medium", "high"):
        return None
    return 'expected one of "default", "low", "medium", "high"'


# Where reinforcement's checks differ from the others' (its beta is a KL coefficient, >= 0).
_REINFORCEMENT_CHECKS = {
    "compute_multiplier": _number_in(
        0, 10, low_open=True, what='expected a number greater than 0 and at most 10, or "auto"'
    ),
    "eval_interval": _int_in(1, 1_000_000),
    "eval_samples": _int_in(1, 10_000),
    "reasoning_effort": _check_reasoning_effort,
    "num_generations": _int_in(2, MAX_NUM_GENERATIONS),
    "beta": _number_in(0, 10, low_open=False, what='expected a number from 0 to 10, or "auto"'),
    "epsilon": _number_in(
        0, 1, low_open=True, what='expected a number greater than 0 and at most 1, or "auto"'
    ),
    "temperature": _number_in(
        0, 2, low_open=True, what='expected a number greater than 0 and at most 2, or "auto"'
    ),
    "max_completion_tokens": _int_in(1, MAX_COMPLETION_TOKENS),
    "training_type": _check_reinforcement_training_type,
}

_CHECKS = {
    "beta": _check_beta,
    "n_epochs": _int_in(1, 50),
    "batch_size": _int_in(1, 256),
    "learning_rate_multiplier": _check_multiplier,
    "lora_rank": _int_in(1, 256),
    "lora_alpha": _int_in(1, 1024),
    "lora_dropout": _check_dropout,
    "lora_target_modules": _check_targets,
    "reference_file": _check_file_id,
    "training_type": _check_training_type,
}
# Every key a method takes has its check here; reinforcement's override the shared ones.
_METHOD_CHECKS = {"reinforcement": {**_CHECKS, **_REINFORCEMENT_CHECKS}}


# Whetstone's extension of the methods that end with the forgetting check: the id of a file
# whose lines are the job's own reference set (service/training/forgetting.py).
REFERENCE_FILE_KEY = "reference_file"

METHOD_KEYS: dict[str, tuple[str, ...]] = {
    "supervised": (*HYPERPARAMETER_KEYS, REFERENCE_FILE_KEY, TRAINING_TYPE_KEY),
    "dpo": (*DPO_HYPERPARAMETER_KEYS, REFERENCE_FILE_KEY, TRAINING_TYPE_KEY),
    # Taken so that "full" is refused with its reason rather than as an unknown key.
    "reinforcement": (*REINFORCEMENT_HYPERPARAMETER_KEYS, TRAINING_TYPE_KEY),
}

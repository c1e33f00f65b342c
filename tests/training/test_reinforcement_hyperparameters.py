"""Reinforcement hyperparameters: OpenAI's keys and the GRPO extensions, checked and resolved."""

from __future__ import annotations

from typing import Any

import pytest

from service.core.errors import InvalidRequestError
from service.training.hyperparameters import resolve_hyperparameters, validate_hyperparameters
from tests.training.test_hyperparameters import EMULATOR

PREFIX = "method.reinforcement.hyperparameters"


def check(requested: dict[str, Any]) -> None:
    validate_hyperparameters(requested, param_prefix=PREFIX, method="reinforcement")


@pytest.mark.parametrize(
    "requested",
    [
        {"compute_multiplier": 2.5, "eval_interval": 3, "eval_samples": 8},
        {"reasoning_effort": "high", "n_epochs": 2, "batch_size": 4},
        {"num_generations": 8, "beta": 0.0, "epsilon": 0.3, "temperature": 0.7},
        {"max_completion_tokens": 128, "lora_rank": 8},
        {key: "auto" for key in ("compute_multiplier", "eval_interval", "eval_samples")},
    ],
)
def test_accepted_values(requested: dict[str, Any]) -> None:
    check(requested)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("compute_multiplier", 0),
        ("compute_multiplier", 11),
        ("eval_interval", 0),
        ("eval_samples", 1.5),
        ("reasoning_effort", "extreme"),
        ("num_generations", 1),
        ("beta", -0.1),
        ("epsilon", 0),
        ("temperature", 0),
        ("max_completion_tokens", 0),
        ("warmup", 3),
    ],
)
def test_out_of_range_values_name_the_parameter(key: str, value: Any) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        check({key: value})
    assert caught.value.param == f"{PREFIX}.{key}"


def test_the_grpo_extensions_belong_to_reinforcement_only() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        validate_hyperparameters({"num_generations": 4})
    assert caught.value.param == "method.supervised.hyperparameters.num_generations"


def test_auto_resolves_every_key_to_a_number() -> None:
    resolved = resolve_hyperparameters(
        {"n_epochs": 2, "batch_size": 5}, n_examples=50, entry=EMULATOR, method="reinforcement"
    )
    assert resolved["num_generations"] == 4 and resolved["compute_multiplier"] == 1.0
    assert (resolved["beta"], resolved["epsilon"], resolved["temperature"]) == (0.0, 0.2, 1.0)
    assert resolved["max_completion_tokens"] == 64
    assert resolved["eval_interval"] == 2  # a tenth of 2 epochs x 10 batches
    assert resolved["eval_samples"] == 16 and resolved["reasoning_effort"] == "default"
    assert "auto" not in resolved.values()


def test_compute_multiplier_scales_the_group_unless_it_is_given() -> None:
    def generations(requested: dict[str, Any]) -> int:
        resolved = resolve_hyperparameters(
            requested, n_examples=20, entry=EMULATOR, method="reinforcement"
        )
        return resolved["num_generations"]

    assert generations({"compute_multiplier": 2.0}) == 8
    assert generations({"compute_multiplier": 0.1}) == 2  # a group needs two to compare
    assert generations({"compute_multiplier": 2.0, "num_generations": 3}) == 3

"""DPO hyperparameters: beta's range, "auto" -> 0.1, and the supervised keys as for SFT."""

from __future__ import annotations

from typing import Any

import pytest

from service.core.errors import InvalidRequestError
from service.training.hyperparameters import (
    auto_keys,
    resolve_hyperparameters,
    validate_hyperparameters,
)
from tests.training.test_hyperparameters import EMULATOR

PREFIX = "method.dpo.hyperparameters"


@pytest.mark.parametrize(
    "requested",
    [
        {},
        dict.fromkeys(auto_keys("dpo"), "auto"),
        {"beta": 2},
        {"beta": 1e-6},
        {"beta": 0.1, "n_epochs": 2, "batch_size": 8, "learning_rate_multiplier": 0.5},
        {"beta": 0.5, "lora_rank": 8, "lora_alpha": 16, "lora_dropout": 0.05},
        {"lora_target_modules": ["q_proj", "v_proj"]},
    ],
)
def test_accepted_values(requested: dict[str, Any]) -> None:
    validate_hyperparameters(requested, param_prefix=PREFIX, method="dpo")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("beta", 0),
        ("beta", -0.1),
        ("beta", 2.01),
        ("beta", "0.1"),
        ("beta", True),
        ("beta", float("nan")),
        ("beta", float("inf")),
        ("beta", None),
        ("n_epochs", 0),
        ("batch_size", 257),
        ("learning_rate_multiplier", 0),
        ("lora_rank", 0),
        ("lora_dropout", 1.0),
        ("lora_target_modules", []),
    ],
)
def test_out_of_range_values_name_the_parameter(key: str, value: Any) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        validate_hyperparameters({key: value}, param_prefix=PREFIX, method="dpo")
    assert caught.value.param == f"{PREFIX}.{key}"
    assert caught.value.code == "invalid_value"


def test_beta_is_a_dpo_hyperparameter_only() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        validate_hyperparameters({"beta": 0.1})
    assert caught.value.param == "method.supervised.hyperparameters.beta"
    assert caught.value.code == "unknown_parameter"
    with pytest.raises(InvalidRequestError) as caught:
        validate_hyperparameters({"warmup": 3}, param_prefix=PREFIX, method="dpo")
    assert "beta" in caught.value.message


def test_auto_beta_is_one_tenth_and_everything_resolves_to_numbers() -> None:
    resolved = resolve_hyperparameters(
        {"beta": "auto"}, n_examples=20, entry=EMULATOR, method="dpo"
    )
    assert resolved == {
        "beta": 0.1,
        "n_epochs": 5,
        "batch_size": 1,
        "learning_rate_multiplier": 1.0,
        "early_stopping": {"patience": 10, "min_delta": 0.01},
        "lora_rank": 16,
        "lora_alpha": 16,
        "lora_dropout": 0.0,
        "lora_target_modules": "all-linear",
    }
    assert resolve_hyperparameters({}, n_examples=20, entry=EMULATOR, method="dpo")["beta"] == 0.1


def test_a_given_beta_is_kept_as_a_float() -> None:
    resolved = resolve_hyperparameters({"beta": 1}, n_examples=20, entry=EMULATOR, method="dpo")
    assert resolved["beta"] == 1.0 and isinstance(resolved["beta"], float)


def test_supervised_resolution_has_no_beta() -> None:
    assert "beta" not in resolve_hyperparameters({}, n_examples=20, entry=EMULATOR)

"""training_type: "full" is checked like every hyperparameter, and resolves without LoRA keys."""

from __future__ import annotations

import pytest

from service.catalog import EMULATOR_NAME, BaseModelEntry
from service.core.errors import InvalidRequestError
from service.training.hyperparameters import (
    is_full_training,
    learning_rate,
    resolve_hyperparameters,
    validate_hyperparameters,
)

EMULATOR = BaseModelEntry(name=EMULATOR_NAME, emulator=True)
PRETRAINED = BaseModelEntry(name="qwen", hub_id="Qwen/Qwen2.5-0.5B-Instruct")


@pytest.mark.parametrize("method", ["supervised", "dpo"])
@pytest.mark.parametrize("value", ["lora", "full"])
def test_lora_and_full_are_accepted(method: str, value: str) -> None:
    validate_hyperparameters(
        {"training_type": value},
        param_prefix=f"method.{method}.hyperparameters",
        method=method,
    )


@pytest.mark.parametrize("method", ["supervised", "dpo"])
@pytest.mark.parametrize("value", ["Full", "qlora", "auto", 1, None, True])
def test_other_values_are_a_400_naming_the_field(method: str, value: object) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        validate_hyperparameters(
            {"training_type": value},
            param_prefix=f"method.{method}.hyperparameters",
            method=method,
        )
    assert caught.value.param == f"method.{method}.hyperparameters.training_type"
    assert caught.value.code == "invalid_value"
    assert 'expected "lora" or "full"' in caught.value.message


def test_reinforcement_refuses_full_with_its_reason() -> None:
    prefix = "method.reinforcement.hyperparameters"
    validate_hyperparameters({"training_type": "lora"}, param_prefix=prefix, method="reinforcement")
    with pytest.raises(InvalidRequestError) as caught:
        validate_hyperparameters(
            {"training_type": "full"}, param_prefix=prefix, method="reinforcement"
        )
    assert caught.value.param == f"{prefix}.training_type"
    assert "reinforcement jobs train a LoRA adapter only" in caught.value.message


@pytest.mark.parametrize("key", ["lora_rank", "lora_alpha", "lora_dropout", "lora_target_modules"])
def test_a_lora_setting_on_a_full_job_is_refused_not_ignored(key: str) -> None:
    value = {"lora_rank": 8, "lora_alpha": 8, "lora_dropout": 0.1}.get(key, ["q_proj"])
    with pytest.raises(InvalidRequestError) as caught:
        validate_hyperparameters({"training_type": "full", key: value})
    assert caught.value.param == f"method.supervised.hyperparameters.{key}"
    validate_hyperparameters({"training_type": "full", key: "auto"})


def test_a_full_job_resolves_without_lora_keys_and_echoes_its_type() -> None:
    resolved = resolve_hyperparameters({"training_type": "full"}, n_examples=20, entry=EMULATOR)
    assert resolved == {
        "n_epochs": 5,
        "batch_size": 1,
        "learning_rate_multiplier": 1.0,
        "early_stopping": {"patience": 10, "min_delta": 0.01},
        "training_type": "full",
    }
    assert is_full_training(resolved)
    dpo = resolve_hyperparameters(
        {"training_type": "full", "beta": 0.2}, n_examples=20, entry=EMULATOR, method="dpo"
    )
    assert dpo["beta"] == 0.2 and dpo["training_type"] == "full" and "lora_rank" not in dpo


def test_a_lora_job_resolves_as_before() -> None:
    plain = resolve_hyperparameters({}, n_examples=20, entry=EMULATOR)
    assert "training_type" not in plain and not is_full_training(plain)
    explicit = resolve_hyperparameters({"training_type": "lora"}, n_examples=20, entry=EMULATOR)
    assert explicit == {**plain, "training_type": "lora"}


def test_full_training_uses_the_lower_full_fine_tuning_rate() -> None:
    full = {"learning_rate_multiplier": 2.0, "training_type": "full"}
    lora = {"learning_rate_multiplier": 2.0}
    assert learning_rate(full, PRETRAINED) == pytest.approx(2e-5)
    assert learning_rate(lora, PRETRAINED) == pytest.approx(4e-4)
    assert learning_rate(full, EMULATOR) == pytest.approx(2e-3)

"""Checking requested hyperparameters and resolving "auto"."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from service.catalog import BaseModelEntry, LoraDefaults
from service.core.errors import InvalidRequestError
from service.training.hyperparameters import (
    EarlyStopping,
    Method,
    auto_keys,
    check_devices,
    declared,
    job_devices,
    learning_rate,
    markdown_page,
    published,
    resolve,
    resolve_hyperparameters,
    validate_hyperparameters,
)
from tests.harness import REPO_ROOT

EMULATOR = BaseModelEntry(name="whetstone-tiny", emulator=True, lora=LoraDefaults(16, 16, 0.0))
HYPERPARAMETER_KEYS = auto_keys("supervised")
PRETRAINED = BaseModelEntry(
    name="qwen",
    hub_id="Qwen/Qwen2.5-0.5B-Instruct",
    lora=LoraDefaults(rank=8, alpha=16, dropout=0.05, target_modules=("q_proj", "v_proj")),
)


@pytest.mark.parametrize(
    "requested",
    [
        {},
        dict.fromkeys(HYPERPARAMETER_KEYS, "auto"),
        {"n_epochs": 1, "batch_size": 256, "learning_rate_multiplier": 10},
        {"n_epochs": 50, "batch_size": 1, "learning_rate_multiplier": 0.01},
        {"lora_rank": 256, "lora_alpha": 1024, "lora_dropout": 0.0},
        {"lora_rank": 1, "lora_alpha": 1, "lora_dropout": 0.99},
        {"lora_target_modules": "all-linear"},
        {"lora_target_modules": ["q_proj", "v_proj"]},
        {"early_stopping": True},
        {"early_stopping": False},
        {"early_stopping": {}},
        {"early_stopping": {"patience": 1, "min_delta": 0}},
        {"early_stopping": {"patience": 100_000, "min_delta": 10}},
    ],
)
def test_accepted_values(requested: dict[str, Any]) -> None:
    validate_hyperparameters(requested)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("n_epochs", 0),
        ("n_epochs", 51),
        ("n_epochs", 2.5),
        ("n_epochs", True),
        ("n_epochs", "3"),
        ("batch_size", 0),
        ("batch_size", 257),
        ("learning_rate_multiplier", 0),
        ("learning_rate_multiplier", -1.0),
        ("learning_rate_multiplier", 10.5),
        ("learning_rate_multiplier", float("nan")),
        ("lora_rank", 0),
        ("lora_rank", 257),
        ("lora_alpha", 0),
        ("lora_alpha", 1025),
        ("lora_dropout", 1.0),
        ("lora_dropout", -0.1),
        ("lora_target_modules", []),
        ("lora_target_modules", [""]),
        ("lora_target_modules", "q_proj"),
        ("early_stopping", "yes"),
        ("early_stopping", 1),
        ("early_stopping", {"patience": 0}),
        ("early_stopping", {"patience": 2.5}),
        ("early_stopping", {"patience": 100_001}),
        ("early_stopping", {"min_delta": -0.1}),
        ("early_stopping", {"min_delta": 10.5}),
        ("early_stopping", {"patience": 5, "metric": "loss"}),
    ],
)
def test_out_of_range_values_name_the_parameter(key: str, value: Any) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        validate_hyperparameters({key: value})
    assert caught.value.param == f"method.supervised.hyperparameters.{key}"
    assert caught.value.status_code == 400
    assert key in caught.value.message


def test_unknown_key_is_refused_with_the_callers_prefix() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        validate_hyperparameters({"n_epoch": 3}, param_prefix="hyperparameters")
    assert caught.value.param == "hyperparameters.n_epoch"
    assert caught.value.code == "unknown_parameter"
    assert "n_epoch" in caught.value.message


def test_auto_resolves_every_key_to_a_concrete_value() -> None:
    resolved = resolve_hyperparameters({}, n_examples=20, entry=EMULATOR)
    assert set(resolved) == set(HYPERPARAMETER_KEYS)
    assert "auto" not in resolved.values()
    assert resolved == resolve_hyperparameters(
        dict.fromkeys(HYPERPARAMETER_KEYS, "auto"), n_examples=20, entry=EMULATOR
    )
    assert (resolved["lora_rank"], resolved["lora_alpha"]) == (16, 16)
    assert resolved["lora_target_modules"] == "all-linear"


def test_requested_values_win_over_auto() -> None:
    requested = {
        "n_epochs": 2,
        "batch_size": 4,
        "learning_rate_multiplier": 0.5,
        "lora_rank": 4,
        "lora_alpha": 8,
        "lora_dropout": 0.1,
        "lora_target_modules": ["q_proj"],
        "early_stopping": {"patience": 3, "min_delta": 0.5},
    }
    assert resolve_hyperparameters(requested, n_examples=20, entry=EMULATOR) == requested


def test_small_files_get_more_epochs_and_large_files_fewer() -> None:
    def epochs(n: int, entry: BaseModelEntry = PRETRAINED) -> int:
        return resolve_hyperparameters({}, n_examples=n, entry=entry)["n_epochs"]

    assert epochs(10) == 10  # ceil(100 / 10): enough passes over a tiny file
    assert epochs(1_000) == 3  # OpenAI's usual three epochs
    assert epochs(100_000) == 1  # at most ~25k example-passes
    assert epochs(2) == 25  # capped
    assert epochs(20, EMULATOR) == epochs(20) == 5  # the emulator follows the same rule


def test_early_stopping_is_on_for_the_emulator_when_it_chooses_the_epochs() -> None:
    def stopping(requested: dict[str, Any], entry: BaseModelEntry = EMULATOR) -> Any:
        return resolve_hyperparameters(requested, n_examples=20, entry=entry)["early_stopping"]

    on = {"patience": 10, "min_delta": 0.01}
    assert stopping({}) == stopping({"n_epochs": "auto"}) == on
    # An explicit n_epochs asks for that many passes; real models keep OpenAI's rule.
    assert stopping({"n_epochs": 5}) is False
    assert stopping({}, PRETRAINED) is False
    # Asked for: `true` means the defaults, an object fills in what it leaves out.
    assert stopping({"early_stopping": True}, PRETRAINED) == on
    assert stopping({"early_stopping": {"patience": 3}}, PRETRAINED) == {
        "patience": 3,
        "min_delta": 0.01,
    }
    assert stopping({"early_stopping": False}) is False
    resolved = resolve({"early_stopping": {"min_delta": 0.2}}, n_examples=20, entry=PRETRAINED)
    assert resolved.early_stopping == EarlyStopping(patience=10, min_delta=0.2)
    assert resolve({}, n_examples=20, entry=PRETRAINED).early_stopping is None


def test_reinforcement_takes_no_early_stopping() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        validate_hyperparameters(
            {"early_stopping": True},
            method="reinforcement",
            param_prefix="method.reinforcement.hyperparameters",
        )
    assert caught.value.param == "method.reinforcement.hyperparameters.early_stopping"


def test_batch_size_grows_with_the_file_within_bounds() -> None:
    def batch(n: int) -> int:
        return resolve_hyperparameters({}, n_examples=n, entry=PRETRAINED)["batch_size"]

    assert batch(20) == 1
    assert batch(10_000) == 20
    assert batch(1_000_000) == 256


def test_lora_defaults_come_from_the_catalog_entry() -> None:
    resolved = resolve_hyperparameters({}, n_examples=500, entry=PRETRAINED)
    assert resolved["lora_rank"] == 8
    assert resolved["lora_dropout"] == 0.05
    assert resolved["lora_target_modules"] == ["q_proj", "v_proj"]


def test_learning_rate_is_the_family_rate_times_the_multiplier() -> None:
    resolved = resolve_hyperparameters(
        {"learning_rate_multiplier": 2}, n_examples=20, entry=PRETRAINED
    )
    assert learning_rate(resolved, PRETRAINED) == pytest.approx(4e-4)
    assert learning_rate(resolved, EMULATOR) > learning_rate(resolved, PRETRAINED)


# -- the published schema and the checks agree ---------------------------------------------------


def published_schemas() -> dict[str, dict[str, Any]]:
    """Each method's hyperparameters object as the exported spec publishes it."""
    from service.fine_tuning import schemas

    models = {
        "supervised": schemas.FineTuneSupervisedHyperparameters,
        "dpo": schemas.FineTuneDPOHyperparameters,
        "reinforcement": schemas.FineTuneReinforcementHyperparameters,
    }
    return {method: model.model_json_schema() for method, model in models.items()}


def schema_accepts(schema: dict[str, Any], key: str, value: Any) -> bool:
    return jsonschema.Draft202012Validator(schema).is_valid({key: value})


def check_accepts(method: str, key: str, value: Any) -> bool:
    try:
        validate_hyperparameters({key: value}, method=method, param_prefix="p")
    except InvalidRequestError:
        return False
    return True


def boundary_values(field: dict[str, Any]) -> list[Any]:
    """Values at and just past every bound the field's published schema states, and a few
    of the wrong type."""
    values: list[Any] = ["auto", None, True, "", "x", [], ["q_proj"], [" "], "all-linear"]
    branches = field.get("oneOf") or field.get("anyOf") or [field]
    for branch in branches:
        step = 1 if branch.get("type") == "integer" else 1e-6
        for bound in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if bound in branch:
                edge = branch[bound]
                values += [edge - step, edge, edge + step]
        if branch.get("type") == "integer":
            values.append(2.5)
        values += list(branch.get("enum", []))
    return values


@pytest.mark.parametrize("method", ["supervised", "dpo", "reinforcement"])
def test_the_published_schema_and_the_checks_agree(method: Method) -> None:
    schema = published_schemas()[method]
    assert set(schema["properties"]) == {spec.name for spec in published(method)}
    # Every declared key is published, except the ones a method takes only to refuse
    # their values with a reason (reinforcement's training_type "full", devices above 1).
    assert {spec.name for spec in declared(method)} - set(schema["properties"]) <= {
        "training_type",
        "devices",
    }
    for key, field in schema["properties"].items():
        for value in boundary_values(field):
            if value is None:
                continue  # an omitted optional field: the model drops it before the checks
            assert schema_accepts(schema, key, value) == check_accepts(method, key, value), (
                method,
                key,
                value,
            )


def published_bounds(field: dict[str, Any]) -> set[float]:
    """Every numeric bound anywhere in a field's schema."""
    bounds: set[float] = set()
    for branch in field.get("oneOf") or field.get("anyOf") or [field]:
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if key in branch:
                bounds.add(float(branch[key]))
    return bounds


@pytest.mark.parametrize("method", ["supervised", "dpo", "reinforcement"])
def test_every_declared_bound_is_published(method: Method) -> None:
    properties = published_schemas()[method]["properties"]
    for spec in published(method):
        if spec.kind in ("integer", "number"):
            assert published_bounds(properties[spec.name]) == {spec.low, spec.high}, spec.name


def test_the_docs_page_is_the_generated_one() -> None:
    committed = REPO_ROOT / "docs" / "hyperparameters.md"
    assert committed.read_text() == markdown_page(), (
        "docs/hyperparameters.md is stale: run "
        "`python -m service.training.hyperparameters > docs/hyperparameters.md`"
    )


# -- the resolved dataclass the recipe reads --------------------------------------------------


@pytest.mark.parametrize(
    ("method", "requested"),
    [
        ("supervised", {}),
        ("supervised", {"training_type": "full", "n_epochs": 2}),
        ("dpo", {"beta": 0.5, "reference_file": "file-abc"}),
        ("reinforcement", {"compute_multiplier": 2, "training_type": "lora"}),
    ],
)
def test_the_stored_form_resolves_to_the_same_run(
    method: Method, requested: dict[str, Any]
) -> None:
    # A resumed or re-read job resolves its stored values, not "auto" again.
    resolved = resolve(requested, n_examples=40, entry=PRETRAINED, method=method)
    again = resolve(resolved.as_dict(), n_examples=40, entry=PRETRAINED, method=method)
    assert again == resolved and again.as_dict() == resolved.as_dict()
    assert "auto" not in resolved.as_dict().values()


def test_the_resolved_values_are_typed() -> None:
    supervised = resolve({"learning_rate_multiplier": 2}, n_examples=20, entry=PRETRAINED)
    assert supervised.learning_rate_multiplier == 2.0
    assert supervised.lora is not None and supervised.lora.target_modules == ("q_proj", "v_proj")
    assert supervised.dpo_beta is None and supervised.reinforcement is None
    assert supervised.learning_rate(PRETRAINED) == pytest.approx(4e-4)
    full = resolve({"training_type": "full"}, n_examples=20, entry=PRETRAINED)
    assert full.full and full.lora is None
    assert full.learning_rate(PRETRAINED) < supervised.learning_rate(PRETRAINED)
    dpo = resolve({}, n_examples=20, entry=PRETRAINED, method="dpo")
    assert dpo.dpo_beta == 0.1
    grpo = resolve(
        {"compute_multiplier": 2}, n_examples=20, entry=PRETRAINED, method="reinforcement"
    ).reinforcement
    assert grpo is not None and grpo.num_generations == 8 and grpo.beta == 0.0


SHARDED_ENTRY = BaseModelEntry(name="big", path=REPO_ROOT, devices=2, max_devices=4)


def test_a_job_trains_on_its_models_devices_unless_it_asks() -> None:
    assert job_devices({}, SHARDED_ENTRY, "supervised") == 2
    assert job_devices({"devices": 4}, SHARDED_ENTRY, "dpo") == 4
    assert job_devices({"devices": 1}, SHARDED_ENTRY, "supervised") == 1
    # Reinforcement trains on one device whatever the entry says.
    assert job_devices({}, SHARDED_ENTRY, "reinforcement") == 1
    # Not resolved into the stored form: a job's echo shows devices only when it asked.
    assert "devices" not in resolve_hyperparameters({}, n_examples=20, entry=SHARDED_ENTRY)


def test_more_devices_than_the_model_allows_are_refused() -> None:
    check_devices({"devices": 4}, SHARDED_ENTRY, method="supervised", param="hyperparameters")
    with pytest.raises(InvalidRequestError) as refused:
        check_devices(
            {"devices": 5}, SHARDED_ENTRY, method="dpo", param="method.dpo.hyperparameters"
        )
    assert refused.value.param == "method.dpo.hyperparameters.devices"
    assert "at most 4 device(s)" in refused.value.message


def test_a_sharded_job_over_a_4_bit_base_is_refused() -> None:
    quantized = BaseModelEntry(name="q", path=REPO_ROOT, max_devices=2, quantization="nf4")
    check_devices({}, quantized, method="supervised", param="hyperparameters")
    with pytest.raises(InvalidRequestError) as refused:
        check_devices({"devices": 2}, quantized, method="supervised", param="hyperparameters")
    assert refused.value.param == "hyperparameters.devices"
    assert "QLoRA" in refused.value.message and "one device" in refused.value.message


def test_reinforcement_refuses_more_than_one_device_saying_why() -> None:
    validate_hyperparameters({"devices": 1}, method="reinforcement")
    with pytest.raises(InvalidRequestError) as refused:
        validate_hyperparameters(
            {"devices": 2},
            param_prefix="method.reinforcement.hyperparameters",
            method="reinforcement",
        )
    assert refused.value.param == "method.reinforcement.hyperparameters.devices"
    assert "reinforcement jobs train on one device" in refused.value.message

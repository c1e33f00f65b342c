"""The memory planner of LoRA, QLoRA and sharded jobs: arithmetic on configs alone, nothing
allocated. The configs are those of the published models (their config.json, as dicts)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from service.training.memory import (
    GIB,
    MAX_MICRO_BATCH_TOKENS,
    NF4_BYTES,
    InsufficientMemoryError,
    ModelShape,
    TrainingPlan,
    check_plan,
    gpus_needed,
    model_shape,
    plan_memory,
)
from tests.training.conftest import Emulator

LLAMA_3_8B = {
    "model_type": "llama",
    "hidden_size": 4096,
    "num_hidden_layers": 32,
    "intermediate_size": 14336,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "vocab_size": 128256,
    "tie_word_embeddings": False,
}
LLAMA_3_70B = {
    **LLAMA_3_8B,
    "hidden_size": 8192,
    "num_hidden_layers": 80,
    "intermediate_size": 28672,
    "num_attention_heads": 64,
}
QWEN_2_5_32B = {
    "model_type": "qwen2",
    "hidden_size": 5120,
    "num_hidden_layers": 64,
    "intermediate_size": 27648,
    "num_attention_heads": 40,
    "num_key_value_heads": 8,
    "vocab_size": 152064,
    "tie_word_embeddings": False,
}
H100 = 80 * 10**9  # an "80 GB" GPU, as sold
# One 4096-token sequence per device, the table's setting.
LONG = {"batch_size": 1, "sequence_length": 4096}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "scaling.md"
README = DOCS.parents[1] / "README.md"


@pytest.mark.parametrize(
    ("config", "published"),
    [(LLAMA_3_8B, 8_030_261_248), (LLAMA_3_70B, 70_553_706_496), (QWEN_2_5_32B, 32_763_876_352)],
    ids=["llama-3-8b", "llama-3-70b", "qwen2.5-32b"],
)
def test_the_parameter_count_from_the_config_matches_the_published_one(
    config: dict[str, object], published: int
) -> None:
    assert ModelShape.from_config(config).parameters() == published


def test_the_shape_of_the_emulator_counts_what_the_model_holds(emulator: Emulator) -> None:
    from service.training.memory import parameter_count

    shape = model_shape(emulator.model_dir)
    assert shape is not None
    assert shape.parameters() == parameter_count(emulator.model_dir)


def test_lora_counts_bf16_weights_and_sixteen_bytes_per_adapter_parameter() -> None:
    shape = ModelShape.from_config(LLAMA_3_8B)
    estimate = plan_memory(shape, TrainingPlan(lora_rank=16, **LONG))
    # all-linear rank 16 on Llama-3-8B: 16 x (in + out) of 7 projections x 32 layers.
    assert estimate.trained_parameters == 41_943_040
    assert estimate.weights == 8_030_261_248 * 2 + 41_943_040 * 4
    assert estimate.gradients == 41_943_040 * 4
    assert estimate.optimizer == 41_943_040 * 8


def test_nf4_holds_the_linear_layers_in_about_half_a_byte() -> None:
    shape = ModelShape.from_config(LLAMA_3_70B)
    lora = plan_memory(shape, TrainingPlan(**LONG))
    qlora = plan_memory(shape, TrainingPlan(quantization="nf4", **LONG))
    linear = 80 * shape.layer_linear_parameters()
    saved = linear * (2 - NF4_BYTES)
    assert lora.weights - qlora.weights == pytest.approx(saved, rel=1e-9)
    assert qlora.weights < 40 * GIB < 132 * GIB < lora.weights


def test_sharding_divides_the_state_and_adds_the_gathered_layers() -> None:
    shape = ModelShape.from_config(LLAMA_3_8B)
    one = plan_memory(shape, TrainingPlan(training_type="full", **LONG))
    four = plan_memory(shape, TrainingPlan(training_type="full", world_size=4, **LONG))
    assert one.weights == 8_030_261_248 * 4  # fp32 masters
    assert four.optimizer == -(-one.optimizer // 4)
    assert four.gradients == -(-one.gradients // 4)
    gathered = 2 * shape.layer_parameters() * 2  # two bf16 layers in flight
    assert four.weights == one.weights // 4 + gathered
    # Each device runs its share of the global batch: the same sequence, the same activations.
    assert four.activations == one.activations


def test_activation_checkpointing_keeps_only_each_layers_input() -> None:
    shape = ModelShape.from_config(LLAMA_3_8B)
    plain = plan_memory(shape, TrainingPlan(**LONG))
    checkpointed = plan_memory(shape, TrainingPlan(activation_checkpointing=True, **LONG))
    logits = 4096 * 128256 * (2 + 8)
    per_layer = shape.activation_values_per_token("all-linear") * 2 * 4096
    assert plain.activations == 32 * per_layer + logits
    assert checkpointed.activations == 32 * 4096 * 4096 * 2 + per_layer + logits
    assert checkpointed.activations < plain.activations / 4


def test_a_batch_is_split_at_the_micro_batch_cap() -> None:
    assert TrainingPlan(batch_size=64, sequence_length=1024).tokens_per_forward == (
        MAX_MICRO_BATCH_TOKENS
    )
    # One sequence longer than the cap is never split.
    assert TrainingPlan(batch_size=4, sequence_length=16384).tokens_per_forward == 16384
    # Sharded: a device's share of the global batch.
    assert TrainingPlan(batch_size=4, sequence_length=1024, world_size=4).tokens_per_forward == (
        1024
    )


def test_a_70b_lora_on_one_gpu_is_refused_with_every_figure() -> None:
    estimate = plan_memory(ModelShape.from_config(LLAMA_3_70B), TrainingPlan(**LONG))
    with pytest.raises(InsufficientMemoryError) as caught:
        check_plan(estimate, available=H100, device="cuda:0")
    message = caught.value.message
    assert caught.value.code == "insufficient_memory"
    assert "70,553,706,496 parameters" in message and "cuda:0 has 74.51 GiB" in message
    for part in ("weights", "gradients", "optimizer", "activations", "margin"):
        assert part in message
    assert '"activation_checkpointing": true' in message and "NF4" in message


def test_without_activations_only_the_state_is_checked() -> None:
    estimate = plan_memory(ModelShape.from_config(LLAMA_3_8B), TrainingPlan(batch_size=64))
    available = estimate.total - estimate.activations
    check_plan(estimate, available=available, device="cuda:0", with_activations=False)
    with pytest.raises(InsufficientMemoryError):
        check_plan(estimate, available=available, device="cuda:0")
    with pytest.raises(InsufficientMemoryError):
        check_plan(estimate, available=available - 1, device="cuda:0", with_activations=False)


# The rows of docs/scaling.md's table, as the planner computes them: what, model, plan, GPUs.
TABLE = {
    "32B LoRA": (QWEN_2_5_32B, TrainingPlan(activation_checkpointing=True, **LONG)),
    "70B LoRA": (LLAMA_3_70B, TrainingPlan(activation_checkpointing=True, **LONG)),
    "70B QLoRA": (
        LLAMA_3_70B,
        TrainingPlan(quantization="nf4", activation_checkpointing=True, **LONG),
    ),
    "8B full": (
        LLAMA_3_8B,
        TrainingPlan(training_type="full", activation_checkpointing=True, **LONG),
    ),
    "8B full, no checkpointing": (LLAMA_3_8B, TrainingPlan(training_type="full", **LONG)),
}


def planned_rows() -> dict[str, tuple[int, float]]:
    """Each row's GPUs of 80 GB and GiB per GPU, from the planner."""
    rows = {}
    for name, (config, plan) in TABLE.items():
        shape = ModelShape.from_config(config)
        gpus = gpus_needed(shape, plan, device_bytes=H100)
        assert gpus is not None
        estimate = plan_memory(shape, dataclasses.replace(plan, world_size=gpus))
        rows[name] = (gpus, round(estimate.total / GIB, 1))
    return rows


@pytest.mark.parametrize("page", [DOCS, README], ids=["scaling", "readme"])
def test_the_documented_gpu_table_is_the_planners(page: Path) -> None:
    documented = {}
    for match in re.finditer(
        r"^\| (?P<name>[^|]+?) \| [^|]+ \| (?P<gpus>\d+) x 80 GB \| (?P<gib>[\d.]+) GiB \|",
        page.read_text(),
        re.MULTILINE,
    ):
        documented[match["name"]] = (int(match["gpus"]), float(match["gib"]))
    assert documented == planned_rows()
    assert documented["70B QLoRA"][0] == 1

"""The session trainer: Tinker's LoRA layers and alpha, its seeded init, exact resume from a
saved state, and a sampler adapter that peft and the builtin engine load."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

from service.catalog import BaseModelEntry, Catalog
from service.core.errors import InvalidRequestError
from service.inference.engines.builtin.adapter_reading import read_adapter
from service.training.sessions import AdamSpec, LoraSpec
from service.training.sessions.trainer import SessionTrainer, lora_targets
from tests.architectures import build_tiny_model, tiny_config
from tests.training.conftest import Emulator
from tests.training.sessions.conftest import supervised_datum

CPU = torch.device("cpu")
ATTENTION = {"q_proj", "k_proj", "v_proj", "o_proj"}
MLP = {"gate_proj", "up_proj", "down_proj"}
LAYERS = 4  # the emulator's decoder layers


def create(catalog: Catalog, **lora: object) -> SessionTrainer:
    spec = LoraSpec(**{"rank": 4, "seed": 0, **lora})  # type: ignore[arg-type]
    return SessionTrainer.create(
        catalog=catalog, base_model="whetstone-tiny", lora=spec, device=CPU
    )


def adapted_modules(trainer: SessionTrainer) -> set[str]:
    """The names (in the base model) of the modules peft put a LoRA on."""
    names = set()
    for name, module in trainer.model.named_modules():
        if hasattr(module, "lora_A") and "default" in module.lora_A:
            names.add(name.removeprefix("base_model.model."))
    return names


def expected_modules(*, attn: bool, mlp: bool, unembed: bool) -> set[str]:
    names = set()
    for layer in range(LAYERS):
        if attn:
            names |= {f"model.layers.{layer}.self_attn.{leaf}" for leaf in ATTENTION}
        if mlp:
            names |= {f"model.layers.{layer}.mlp.{leaf}" for leaf in MLP}
    if unembed:
        names.add("lm_head")
    return names


@pytest.mark.parametrize(
    ("attn", "mlp", "unembed"),
    [(True, True, True), (True, False, False), (False, True, False), (False, False, True)],
)
def test_the_layer_flags_choose_which_modules_carry_lora(
    catalog: Catalog, tmp_path: Path, attn: bool, mlp: bool, unembed: bool
) -> None:
    trainer = create(catalog, rank=8, train_attn=attn, train_mlp=mlp, train_unembed=unembed)
    assert adapted_modules(trainer) == expected_modules(attn=attn, mlp=mlp, unembed=unembed)
    trainer.save_sampler_adapter(tmp_path)
    config = json.loads((tmp_path / "adapter_config.json").read_text())
    # Tinker's alpha is 32 whatever the rank.
    assert (config["r"], config["lora_alpha"]) == (8, 32)
    assert config["base_model_name_or_path"] == "whetstone-tiny"


def test_a_lora_that_selects_no_layer_is_refused(catalog: Catalog) -> None:
    with pytest.raises(InvalidRequestError, match="train_mlp, train_attn and train_unembed"):
        create(catalog, train_attn=False, train_mlp=False, train_unembed=False)


def test_the_seed_draws_the_init(catalog: Catalog) -> None:
    def lora_a(trainer: SessionTrainer) -> torch.Tensor:
        weight: torch.Tensor = trainer.model.state_dict()[
            "base_model.model.model.layers.0.self_attn.q_proj.lora_A.default.weight"
        ]
        return weight

    first, again, other = create(catalog, seed=5), create(catalog, seed=5), create(catalog, seed=6)
    assert torch.equal(lora_a(first), lora_a(again))
    assert not torch.equal(lora_a(first), lora_a(other))


def test_a_saved_state_resumes_to_the_same_next_losses(catalog: Catalog, tmp_path: Path) -> None:
    data = [supervised_datum(list(range(30, 60)), prompt_length=8)]
    adam = AdamSpec(learning_rate=5e-3, weight_decay=0.01, grad_clip_norm=1.0)

    def step(trainer: SessionTrainer) -> float:
        loss = trainer.forward_backward(data, "cross_entropy").metrics["loss:sum"]
        trainer.optim_step(adam)
        return loss

    original = create(catalog, seed=1)
    first_losses = [step(original) for _ in range(3)]
    original.save_state(tmp_path, with_optimizer=True)
    continued = [step(original) for _ in range(2)]

    resumed = create(catalog, seed=2)  # another init: everything must come from the state
    resumed.load_state(tmp_path, with_optimizer=True)
    assert [step(resumed) for _ in range(2)] == continued
    assert first_losses[0] > first_losses[-1] > continued[-1]

    weights_only = create(catalog, seed=2)
    weights_only.load_state(tmp_path, with_optimizer=False)
    # The weights alone (load_state without the optimizer): the same next loss.
    assert step(weights_only) == continued[0]
    assert SessionTrainer.saved_lora(tmp_path) == LoraSpec(rank=4, seed=1)


def test_a_state_of_another_rank_is_refused(catalog: Catalog, tmp_path: Path) -> None:
    create(catalog, rank=8).save_state(tmp_path, with_optimizer=False)
    with pytest.raises(InvalidRequestError, match="another rank"):
        create(catalog, rank=4).load_state(tmp_path, with_optimizer=False)
    with pytest.raises(InvalidRequestError, match="no optimizer state"):
        create(catalog, rank=8).load_state(tmp_path, with_optimizer=True)


def test_the_sampler_adapter_loads_in_peft_and_the_builtin_engine(
    catalog: Catalog, emulator: Emulator, tmp_path: Path
) -> None:
    trainer = create(catalog)
    data = [supervised_datum(list(range(200, 240)))]
    for _ in range(2):
        trainer.forward_backward(data, "cross_entropy")
        trainer.optim_step(AdamSpec(learning_rate=1e-2))
    trainer.save_sampler_adapter(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir() if path.suffix != ".md") == [
        "adapter_config.json",
        "adapter_model.safetensors",
    ]

    base = AutoModelForCausalLM.from_pretrained(emulator.model_dir, dtype=torch.float32)
    engine_weights = read_adapter(tmp_path, base)
    # The unembedding's LoRA (train_unembed, Tinker's default) is one the engine serves.
    assert "lm_head" in engine_weights.layers
    assert len(engine_weights.layers) == len(expected_modules(attn=True, mlp=True, unembed=True))

    served = PeftModel.from_pretrained(base, str(tmp_path))
    tokens = torch.tensor([data[0].tokens])
    with torch.no_grad():
        expected = trainer.model(input_ids=tokens).logits
        assert torch.allclose(served(input_ids=tokens).logits, expected, atol=1e-5)
    np.testing.assert_allclose(
        trainer.forward_backward(data, "cross_entropy", forward_only=True).outputs[0]["logprobs"],
        torch.log_softmax(expected[0], -1)
        .gather(-1, torch.as_tensor(data[0].loss_fn_inputs["target_tokens"])[:, None])[:, 0]
        .numpy(),
        rtol=1e-5,
        atol=1e-5,
    )


@pytest.mark.parametrize(
    ("model_type", "attention", "mlp", "expert_weights"),
    [
        ("gpt2", {"c_attn", "c_proj"}, {"c_fc", "c_proj"}, set()),  # Conv1D layers
        ("opt", {"q_proj", "k_proj", "v_proj", "out_proj"}, {"fc1", "fc2"}, set()),  # no `mlp.`
        ("qwen3_moe", ATTENTION, set(), {"gate_up_proj", "down_proj"}),  # fused experts
    ],
)
def test_the_flags_select_the_same_parts_of_other_architectures(
    emulator: Emulator,
    model_type: str,
    attention: set[str],
    mlp: set[str],
    expert_weights: set[str],
) -> None:
    tokenizer = AutoTokenizer.from_pretrained(emulator.model_dir)
    model = AutoModelForCausalLM.from_config(tiny_config(model_type, tokenizer))  # type: ignore[no-untyped-call]

    def leaves(**flags: bool) -> tuple[set[str], set[str]]:
        targets = lora_targets(model, LoraSpec(rank=2, **flags))
        leaf = {name.rpartition(".")[2] for name in targets.modules}
        return leaf, {name.rpartition(".")[2] for name in targets.parameters}

    assert leaves(train_attn=True, train_mlp=False, train_unembed=False) == (attention, set())
    assert leaves(train_attn=False, train_mlp=True, train_unembed=False) == (mlp, expert_weights)
    assert leaves(train_attn=False, train_mlp=False, train_unembed=True) == ({"lm_head"}, set())


def test_a_mixture_of_experts_session_trains_its_experts_and_resumes(
    emulator: Emulator, tmp_path: Path
) -> None:
    model_dir = build_tiny_model("qwen3_moe", emulator.model_dir, tmp_path / "tiny-moe")
    catalog = Catalog(
        {"tiny-moe": BaseModelEntry(name="tiny-moe", path=model_dir)}, {}, tmp_path / "models"
    )
    data = [supervised_datum(list(range(30, 50)))]

    def step(trainer: SessionTrainer) -> float:
        loss = trainer.forward_backward(data, "cross_entropy").metrics["loss:sum"]
        trainer.optim_step(AdamSpec(learning_rate=1e-2))
        return loss

    spec = LoraSpec(rank=2, seed=0)
    original = SessionTrainer.create(catalog=catalog, base_model="tiny-moe", lora=spec, device=CPU)
    first = [step(original) for _ in range(2)]
    original.save_state(tmp_path / "state", with_optimizer=True)
    continued = step(original)
    resumed = SessionTrainer.create(catalog=catalog, base_model="tiny-moe", lora=spec, device=CPU)
    resumed.load_state(tmp_path / "state", with_optimizer=True)
    assert step(resumed) == continued < first[0]

    base = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    served = read_adapter(tmp_path / "state", base)
    assert {name.rpartition(".")[2] for name in served.parameters} == {"experts"}
    assert "lm_head" in served.layers

"""Full fine-tuning on the emulator: every weight moves, a whole model is saved, and a paused run
resumed from its checkpoint (weights and optimizer state) ends exactly where an uninterrupted one
does. DPO trains the same way, its reference computed from the starting weights."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from service.catalog.loading import load_model
from service.training.contract import ResumeState, TrainingOutcome
from service.training.recipe import run_training
from tests.training.conftest import PROMPTS, SENTENCE, Emulator, RecordingReporter, write_chat_file
from tests.training.test_dpo import write_preference_file
from tests.training.test_recipe import make_spec

# 20 examples in batches of 5: 4 steps an epoch, 8 in all; a checkpoint at steps 4 and 8.
FULL = {"training_type": "full", "n_epochs": 2, "batch_size": 5}


def model_tensors(directory: Path) -> dict[str, torch.Tensor]:
    tensors: dict[str, torch.Tensor] = {}
    for shard in sorted(directory.glob("*.safetensors")):
        tensors.update(load_file(str(shard)))
    return tensors


@pytest.fixture(scope="module")
def train_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_chat_file(tmp_path_factory.mktemp("files") / "train.jsonl", PROMPTS)


@pytest.fixture(scope="module")
def full_run(
    emulator: Emulator, train_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[TrainingOutcome, RecordingReporter]:
    reporter = RecordingReporter()
    spec = make_spec(emulator, tmp_path_factory.mktemp("full"), train_file, hyperparameters=FULL)
    return run_training(spec, reporter), reporter


def test_a_full_run_changes_every_weight_and_saves_a_whole_model(
    full_run: tuple[TrainingOutcome, RecordingReporter], emulator: Emulator
) -> None:
    outcome, reporter = full_run
    assert outcome.status == "succeeded" and outcome.adapter_dir is None
    assert outcome.model_dir is not None
    names = {path.name for path in outcome.model_dir.iterdir()}
    assert {"config.json", "tokenizer.json", "tokenizer_config.json"} <= names
    assert any(name.endswith(".safetensors") for name in names)
    assert "adapter_config.json" not in names
    before = load_model(emulator.model_dir, device="cpu").state_dict()
    after = model_tensors(outcome.model_dir)
    assert after.keys() <= before.keys() and len(after) > 10
    unchanged = [name for name, tensor in after.items() if torch.equal(tensor, before[name])]
    assert unchanged == []
    assert reporter.started_calls[0]["hyperparameters"]["training_type"] == "full"
    assert "lora_rank" not in reporter.started_calls[0]["hyperparameters"]


def test_the_saved_model_loads_as_a_plain_causal_lm_with_its_tokenizer(
    full_run: tuple[TrainingOutcome, RecordingReporter],
) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    outcome, reporter = full_run
    assert outcome.model_dir is not None
    tokenizer = AutoTokenizer.from_pretrained(outcome.model_dir)
    model = AutoModelForCausalLM.from_pretrained(outcome.model_dir).eval()
    inputs = tokenizer.apply_chat_template(
        [{"role": "user", "content": PROMPTS[3]}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    output = model.generate(**inputs, max_new_tokens=24, do_sample=False)
    reply = tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
    assert reply == SENTENCE
    assert reporter.steps[-1]["train_loss"] < reporter.steps[0]["train_loss"] - 1.0
    # The forgetting check compares with the starting model measured before the first step.
    (check,) = [message for _, message in reporter.events if message.startswith("Forgetting")]
    assert "for the starting model" in check


def test_checkpoints_hold_the_whole_model_and_the_optimizer_state(
    full_run: tuple[TrainingOutcome, RecordingReporter],
) -> None:
    _, reporter = full_run
    assert [c["step"] for c in reporter.checkpoints] == [4, 8]
    for checkpoint in reporter.checkpoints:
        directory = checkpoint["checkpoint_dir"]
        assert (directory / "model" / "config.json").is_file()
        assert not (directory / "adapter").exists()
        state = torch.load(directory / "state" / "training_state.pt", weights_only=True)
        moments = state["optimizer"]["state"]
        # AdamW's two moments for every parameter of the model, none for a LoRA.
        assert len(moments) == len(list(load_model(directory / "model", device="cpu").parameters()))
        assert {"exp_avg", "exp_avg_sq"} <= moments[0].keys()
        assert state["reference_base_loss"] > 0


def test_a_paused_full_run_resumes_to_the_same_model(
    full_run: tuple[TrainingOutcome, RecordingReporter],
    emulator: Emulator,
    train_file: Path,
    tmp_path: Path,
) -> None:
    reference, _ = full_run
    paused = run_training(
        make_spec(emulator, tmp_path / "a", train_file, hyperparameters=FULL),
        RecordingReporter(controls={3: "pause"}),
    )
    assert paused.status == "paused" and paused.step == 3 and paused.checkpoint_dir is not None
    # The optimizer's moments come back from the checkpoint, not from zero.
    saved = torch.load(paused.checkpoint_dir / "state" / "training_state.pt", weights_only=True)
    assert saved["optimizer"]["state"][0]["step"] == 3
    resumed = run_training(
        make_spec(emulator, tmp_path / "b", train_file, hyperparameters=FULL),
        RecordingReporter(),
        ResumeState(step=3, checkpoint_dir=paused.checkpoint_dir),
    )
    assert resumed.status == "succeeded" and resumed.step == reference.step
    assert reference.model_dir is not None and resumed.model_dir is not None
    expected, got = model_tensors(reference.model_dir), model_tensors(resumed.model_dir)
    assert expected.keys() == got.keys()
    for name in expected:
        assert torch.equal(expected[name], got[name]), name


def test_a_full_dpo_run_trains_the_whole_model(emulator: Emulator, tmp_path: Path) -> None:
    pairs = write_preference_file(tmp_path / "pairs.jsonl", PROMPTS[:8])
    reporter = RecordingReporter()
    outcome = run_training(
        make_spec(
            emulator,
            tmp_path / "work",
            pairs,
            method="dpo",
            hyperparameters={"training_type": "full", "n_epochs": 2, "batch_size": 4, "beta": 0.1},
        ),
        reporter,
    )
    assert outcome.status == "succeeded" and outcome.model_dir is not None
    first, last = reporter.steps[0], reporter.steps[-1]
    # The first step's policy is the reference itself: zero rewards, loss log 2.
    assert first["train_rewards_margins"] == pytest.approx(0.0, abs=1e-4)
    assert first["train_loss"] == pytest.approx(0.6931, abs=1e-3)
    assert last["train_rewards_margins"] > 0

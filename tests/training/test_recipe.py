"""The LoRA recipe on the emulator model: it learns, it is deterministic, it pauses and resumes."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors.torch import load_file

from service.datasets.errors import DatasetError
from service.training.contract import ResumeState, TrainingOutcome, TrainingSpec
from service.training.recipe import run_training
from tests.training.conftest import PROMPTS, SENTENCE, Emulator, RecordingReporter, write_chat_file

# A short run with dropout, so that restoring the RNG on resume matters; 7 batches per epoch.
SHORT = {"n_epochs": 2, "batch_size": 3, "lora_dropout": 0.1}


def make_spec(
    emulator: Emulator, work_dir: Path, training_file: Path, **changes: Any
) -> TrainingSpec:
    work_dir.mkdir(parents=True, exist_ok=True)
    spec = TrainingSpec(
        job_id="ftjob-test",
        base_model=emulator.entry,
        model_dir=emulator.model_dir,
        training_file=training_file,
        validation_file=None,
        hyperparameters={},
        seed=7,
        device="cpu",
        work_dir=work_dir,
    )
    return dataclasses.replace(spec, **changes)


def adapter_tensors(directory: Path) -> dict[str, torch.Tensor]:
    return load_file(str(directory / "adapter_model.safetensors"))


def assert_same_adapter(left: Path, right: Path) -> None:
    a, b = adapter_tensors(left), adapter_tensors(right)
    assert a.keys() == b.keys()
    for name in a:
        assert torch.equal(a[name], b[name]), name


@pytest.fixture(scope="module")
def train_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_chat_file(tmp_path_factory.mktemp("files") / "train.jsonl", PROMPTS)


@pytest.fixture(scope="module")
def default_run(
    emulator: Emulator, train_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[TrainingOutcome, RecordingReporter]:
    """20 examples, one reply, every hyperparameter left to "auto": on the emulator, 5 epochs
    of batch 1 with early stopping on the smoothed training loss."""
    reporter = RecordingReporter()
    spec = make_spec(emulator, tmp_path_factory.mktemp("default"), train_file)
    return run_training(spec, reporter), reporter


@pytest.fixture(scope="module")
def short_run(
    emulator: Emulator, train_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[TrainingOutcome, RecordingReporter]:
    """The uninterrupted reference for determinism and resume equivalence."""
    reporter = RecordingReporter()
    spec = make_spec(emulator, tmp_path_factory.mktemp("short"), train_file, hyperparameters=SHORT)
    return run_training(spec, reporter), reporter


def greedy_reply(emulator: Emulator, adapter_dir: Path, prompt: str) -> str:
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(emulator.model_dir)
    base = AutoModelForCausalLM.from_pretrained(emulator.model_dir)
    model = PeftModel.from_pretrained(base, adapter_dir).eval()
    inputs = tokenizer.apply_chat_template(
        [{"role": "user", "content": prompt}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    output = model.generate(**inputs, max_new_tokens=24, do_sample=False)
    return tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)


def test_defaults_teach_the_emulator_the_trained_reply(
    default_run: tuple[TrainingOutcome, RecordingReporter], emulator: Emulator
) -> None:
    outcome, _ = default_run
    assert outcome.status == "succeeded"
    assert outcome.adapter_dir is not None
    assert greedy_reply(emulator, outcome.adapter_dir, PROMPTS[3]) == SENTENCE


def test_loss_falls_and_accuracy_rises(
    default_run: tuple[TrainingOutcome, RecordingReporter],
) -> None:
    _, reporter = default_run
    first, last = reporter.steps[0], reporter.steps[-1]
    assert last["train_loss"] < first["train_loss"] - 1.0
    assert last["train_mean_token_accuracy"] > first["train_mean_token_accuracy"]
    assert [row["step"] for row in reporter.steps] == list(range(1, last["total_steps"] + 1))


def test_started_reports_resolved_hyperparameters(
    default_run: tuple[TrainingOutcome, RecordingReporter],
) -> None:
    outcome, reporter = default_run
    (started,) = reporter.started_calls
    assert "auto" not in started["hyperparameters"].values()
    assert started["n_examples"] == 20
    hp = started["hyperparameters"]
    assert started["total_steps"] == hp["n_epochs"] * -(-20 // hp["batch_size"]) == 100
    # The loss stalls well before the plan ends; the run says where and why.
    assert outcome.step < started["total_steps"]
    assert any(
        message.startswith(f"Stopped early at step {outcome.step} of 100: the smoothed training")
        for _, message in reporter.events
    )


def test_a_checkpoint_every_epoch_holds_adapter_and_state(
    default_run: tuple[TrainingOutcome, RecordingReporter],
) -> None:
    outcome, reporter = default_run
    per_epoch = 20  # batch 1
    # One per epoch trained, and one at the step where the run stopped early.
    expected = list(range(per_epoch, outcome.step + 1, per_epoch))
    if outcome.step % per_epoch:
        expected.append(outcome.step)
    assert [c["step"] for c in reporter.checkpoints] == expected
    assert [c["epoch"] for c in reporter.checkpoints] == [step // per_epoch for step in expected]
    for checkpoint in reporter.checkpoints:
        directory = checkpoint["checkpoint_dir"]
        assert directory.name == f"step-{checkpoint['step']}"
        assert (directory / "adapter" / "adapter_config.json").is_file()
        assert (directory / "adapter" / "adapter_model.safetensors").is_file()
        assert (directory / "state" / "training_state.pt").is_file()
        assert {"step", "train_loss", "train_mean_token_accuracy"} <= checkpoint["metrics"].keys()
    assert reporter.checkpoints[-1]["step"] == outcome.step


def test_trained_tokens_count_every_non_padding_token_of_every_epoch(
    short_run: tuple[TrainingOutcome, RecordingReporter], emulator: Emulator, train_file: Path
) -> None:
    from transformers import AutoTokenizer

    from service.datasets.loading import load_examples

    outcome, reporter = short_run
    tokenizer = AutoTokenizer.from_pretrained(emulator.model_dir)
    _, report = load_examples(train_file, tokenizer, context_length=1024)
    n_epochs = reporter.started_calls[0]["hyperparameters"]["n_epochs"]
    assert outcome.trained_tokens == report.n_tokens * n_epochs


def test_adapter_config_names_the_base_model(
    default_run: tuple[TrainingOutcome, RecordingReporter],
) -> None:
    outcome, _ = default_run
    assert outcome.adapter_dir is not None
    config = json.loads((outcome.adapter_dir / "adapter_config.json").read_text())
    assert config["base_model_name_or_path"] == "whetstone-tiny"
    assert config["r"] == 16


def test_same_seed_gives_identical_adapter_bytes(
    short_run: tuple[TrainingOutcome, RecordingReporter],
    emulator: Emulator,
    train_file: Path,
    tmp_path: Path,
) -> None:
    reference, _ = short_run
    spec = make_spec(emulator, tmp_path / "again", train_file, hyperparameters=SHORT)
    again = run_training(spec, RecordingReporter())
    assert reference.adapter_dir is not None and again.adapter_dir is not None
    assert_same_adapter(reference.adapter_dir, again.adapter_dir)
    assert (reference.adapter_dir / "adapter_model.safetensors").read_bytes() == (
        again.adapter_dir / "adapter_model.safetensors"
    ).read_bytes()
    other_seed = run_training(
        dataclasses.replace(spec, seed=8, work_dir=tmp_path / "other"), RecordingReporter()
    )
    assert other_seed.adapter_dir is not None
    assert not torch.equal(
        adapter_tensors(other_seed.adapter_dir)[
            "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"
        ],
        adapter_tensors(again.adapter_dir)[
            "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"
        ],
    )


def test_pauses_mid_epoch_and_at_an_epoch_end_resume_to_the_uninterrupted_adapter(
    short_run: tuple[TrainingOutcome, RecordingReporter],
    emulator: Emulator,
    train_file: Path,
    tmp_path: Path,
) -> None:
    # One run paused twice, mid-epoch (step 5) and at an epoch's end (step 7), and resumed
    # each time from that checkpoint: each resume is checked, in one run instead of two.
    reference, reference_reporter = short_run
    spec = make_spec(emulator, tmp_path / "work", train_file, hyperparameters=SHORT)
    steps: list[dict[str, object]] = []
    resume: ResumeState | None = None
    for pause_at in (5, 7):
        reporter = RecordingReporter(controls={pause_at: "pause"})
        paused = run_training(spec, reporter, resume)
        assert (paused.status, paused.step) == ("paused", pause_at)
        assert paused.checkpoint_dir is not None
        assert (paused.checkpoint_dir / "adapter" / "adapter_model.safetensors").is_file()
        assert (paused.checkpoint_dir / "state" / "training_state.pt").is_file()
        assert reporter.steps[0]["step"] == (resume.step + 1 if resume else 1)
        steps += reporter.steps
        resume = ResumeState(step=paused.step, checkpoint_dir=paused.checkpoint_dir)

    last = RecordingReporter()
    resumed = run_training(spec, last, resume)
    assert resumed.status == "succeeded"
    assert last.steps[0]["step"] == 7 + 1
    assert steps + last.steps == reference_reporter.steps
    assert resumed.trained_tokens == reference.trained_tokens
    assert reference.adapter_dir is not None and resumed.adapter_dir is not None
    assert_same_adapter(reference.adapter_dir, resumed.adapter_dir)


def test_cancel_stops_at_once(emulator: Emulator, train_file: Path, tmp_path: Path) -> None:
    reporter = RecordingReporter(controls={3: "cancel"})
    outcome = run_training(make_spec(emulator, tmp_path, train_file), reporter)
    assert (outcome.status, outcome.step) == ("cancelled", 3)
    assert len(reporter.steps) == 3 and reporter.polls == 3
    assert outcome.adapter_dir is None
    assert not (tmp_path / "adapter").exists()


def test_validation_file_adds_valid_metrics(
    emulator: Emulator, train_file: Path, tmp_path: Path
) -> None:
    valid_file = write_chat_file(tmp_path / "valid.jsonl", ["Hi!", "What now?", "Why?"])
    reporter = RecordingReporter()
    spec = make_spec(
        emulator,
        tmp_path / "work",
        train_file,
        validation_file=valid_file,
        hyperparameters={"n_epochs": 2, "batch_size": 4},
    )
    outcome = run_training(spec, reporter)
    with_valid = [row for row in reporter.steps if "valid_loss" in row]
    assert with_valid and with_valid[-1]["step"] == outcome.step
    assert all(0 <= row["valid_mean_token_accuracy"] <= 1 for row in with_valid)
    # OpenAI's last metrics event carries the full validation loss, and only the last one.
    assert [row["step"] for row in reporter.steps if "full_valid_loss" in row] == [outcome.step]
    last_full = reporter.checkpoints[-1]["metrics"]["full_valid_loss"]
    assert reporter.steps[-1]["full_valid_loss"] == last_full
    for checkpoint in reporter.checkpoints:
        assert {"full_valid_loss", "full_valid_mean_token_accuracy"} <= checkpoint["metrics"].keys()
    assert {"train_loss", "full_valid_loss", "full_valid_mean_token_accuracy"} <= (
        outcome.metrics.keys()
    )
    assert (
        reporter.checkpoints[1]["metrics"]["full_valid_loss"]
        < (reporter.checkpoints[0]["metrics"]["full_valid_loss"])
    )


def test_truncated_examples_are_reported_as_warnings(emulator: Emulator, tmp_path: Path) -> None:
    long_prompt = "Tell me everything about " + "the sea and the sky " * 20
    train = write_chat_file(tmp_path / "train.jsonl", [*PROMPTS[:9], long_prompt])
    entry = dataclasses.replace(emulator.entry, context_length=64)
    reporter = RecordingReporter()
    spec = make_spec(
        emulator, tmp_path / "work", train, base_model=entry, hyperparameters={"n_epochs": 1}
    )
    outcome = run_training(spec, reporter)
    assert outcome.status == "succeeded"
    assert (
        "warn",
        "Example on line 10 has no trained tokens within the first 64 tokens and was skipped",
    ) in reporter.events
    assert ("warn", "Example on line 10 was truncated to 64 tokens") in reporter.events
    assert reporter.started_calls[0]["n_examples"] == 9


def test_a_broken_training_file_raises_a_dataset_error(emulator: Emulator, tmp_path: Path) -> None:
    train = tmp_path / "train.jsonl"
    train.write_text('{"messages": [{"role": "user", "content": "hi"}]}\n')
    with pytest.raises(DatasetError) as caught:
        run_training(make_spec(emulator, tmp_path / "work", train), RecordingReporter())
    assert caught.value.line == 1


def test_a_continued_run_starts_from_the_given_adapter(
    default_run: tuple[TrainingOutcome, RecordingReporter],
    emulator: Emulator,
    tmp_path: Path,
) -> None:
    trained, reporter = default_run
    assert trained.adapter_dir is not None
    shape = {
        key: reporter.started_calls[0]["hyperparameters"][key]
        for key in ("lora_rank", "lora_alpha", "lora_target_modules")
    }
    # Another reply, one short epoch at a learning rate too small to move anything: what the
    # continued adapter says is what it started from.
    other = write_chat_file(tmp_path / "other.jsonl", PROMPTS, reply="Something else entirely.")
    hyperparameters = {**shape, "n_epochs": 1, "learning_rate_multiplier": 1e-9}
    continued = run_training(
        make_spec(
            emulator,
            tmp_path / "continued",
            other,
            hyperparameters=hyperparameters,
            initial_adapter_dir=trained.adapter_dir,
        ),
        RecordingReporter(),
    )
    fresh = run_training(
        make_spec(emulator, tmp_path / "fresh", other, hyperparameters=hyperparameters),
        RecordingReporter(),
    )
    assert continued.adapter_dir is not None and fresh.adapter_dir is not None
    assert greedy_reply(emulator, continued.adapter_dir, PROMPTS[3]) == SENTENCE
    assert greedy_reply(emulator, fresh.adapter_dir, PROMPTS[3]) != SENTENCE

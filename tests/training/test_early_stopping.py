"""Early stopping in the recipe: a stalled run ends before its plan, says so, and stays whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.training.contract import ResumeState
from service.training.early_stopping import EarlyStopper
from service.training.hyperparameters import EarlyStopping
from service.training.recipe import run_training
from tests.training.conftest import PROMPTS, Emulator, RecordingReporter, write_chat_file
from tests.training.test_recipe import assert_same_adapter, make_spec

# 20 examples in batches of 4: 5 steps an epoch, 50 planned; validation every 5 steps.
PLANNED = {"n_epochs": 10, "batch_size": 4}
STALLS = {"patience": 5, "min_delta": 0.05}


@pytest.fixture(scope="module")
def train_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_chat_file(tmp_path_factory.mktemp("files") / "train.jsonl", PROMPTS)


def test_a_stalled_validation_loss_stops_the_run_with_an_event(
    emulator: Emulator, train_file: Path, tmp_path: Path
) -> None:
    valid_file = write_chat_file(tmp_path / "valid.jsonl", ["Hi!", "What now?", "Why?"])
    reporter = RecordingReporter()
    spec = make_spec(
        emulator,
        tmp_path / "work",
        train_file,
        validation_file=valid_file,
        hyperparameters={**PLANNED, "early_stopping": STALLS},
    )
    outcome = run_training(spec, reporter)
    assert outcome.status == "succeeded"
    assert reporter.started_calls[0]["total_steps"] == 50
    assert 0 < outcome.step < 50
    (stopped,) = [message for _, message in reporter.events if message.startswith("Stopped")]
    assert stopped.startswith(f"Stopped early at step {outcome.step} of 50: the validation loss")
    # Every trained step reported, the last one as OpenAI's last (its own total, the full
    # validation loss), and a checkpoint of the final step.
    assert [row["step"] for row in reporter.steps] == list(range(1, outcome.step + 1))
    last = reporter.steps[-1]
    assert last["total_steps"] == outcome.step
    assert "full_valid_loss" in last and "reference_loss_ratio" in last
    assert all(row["total_steps"] == 50 for row in reporter.steps[:-1])
    assert reporter.checkpoints[-1]["step"] == outcome.step
    assert (reporter.checkpoints[-1]["checkpoint_dir"] / "adapter").is_dir()


def test_without_early_stopping_the_run_trains_its_whole_plan(
    emulator: Emulator, train_file: Path, tmp_path: Path
) -> None:
    # The same stall rule stops at once when on (min_delta above any possible gain).
    eager = {"patience": 1, "min_delta": 10}
    stopped = run_training(
        make_spec(
            emulator,
            tmp_path / "on",
            train_file,
            hyperparameters={"n_epochs": 2, "batch_size": 4, "early_stopping": eager},
        ),
        RecordingReporter(),
    )
    assert stopped.step == 2
    reporter = RecordingReporter()
    full = run_training(
        make_spec(
            emulator,
            tmp_path / "off",
            train_file,
            hyperparameters={"n_epochs": 2, "batch_size": 4, "early_stopping": False},
        ),
        reporter,
    )
    assert full.step == 10
    assert not [message for _, message in reporter.events if message.startswith("Stopped")]


def test_a_resumed_run_stops_where_the_uninterrupted_one_does(
    emulator: Emulator, train_file: Path, tmp_path: Path
) -> None:
    hyperparameters = {"n_epochs": 10, "batch_size": 4, "early_stopping": {"patience": 3}}
    reference_reporter = RecordingReporter()
    reference = run_training(
        make_spec(emulator, tmp_path / "whole", train_file, hyperparameters=hyperparameters),
        reference_reporter,
    )
    assert reference.step < 50
    spec = make_spec(emulator, tmp_path / "paused", train_file, hyperparameters=hyperparameters)
    first = RecordingReporter(controls={reference.step - 2: "pause"})
    paused = run_training(spec, first)
    assert paused.checkpoint_dir is not None
    second = RecordingReporter()
    resumed = run_training(
        spec, second, ResumeState(step=paused.step, checkpoint_dir=paused.checkpoint_dir)
    )
    assert (resumed.step, resumed.trained_tokens) == (reference.step, reference.trained_tokens)
    assert first.steps + second.steps == reference_reporter.steps
    assert reference.adapter_dir is not None and resumed.adapter_dir is not None
    assert_same_adapter(reference.adapter_dir, resumed.adapter_dir)


def test_the_rule_waits_patience_steps_after_the_best_loss() -> None:
    stopper = EarlyStopper(EarlyStopping(patience=3, min_delta=0.1), on_validation=True)
    losses = [1.0, 0.5, 0.45, 0.44, 0.6, 0.43]
    decisions = [stopper.check(step, loss) for step, loss in enumerate(losses, 1)]
    # Step 2 is the last improvement by 0.1 or more; step 5 is three steps later.
    assert decisions == [False, False, False, False, True, True]
    assert "did not improve by 0.1 for 3 steps (best 0.5000 at step 2)" in stopper.message(5, 9)

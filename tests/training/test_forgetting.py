"""The forgetting check at the end of a run: both reference losses in a final event, in the last
metrics and the outcome; a warning when over-training on a narrow task raises the general loss."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from service.catalog.emulator import _CORPUS, REFERENCE_CORPUS
from service.training.contract import TrainingOutcome, TrainingSpec
from service.training.forgetting import METRIC_KEYS, ForgettingCheck
from service.training.recipe import run_training
from tests.training.conftest import PROMPTS, Emulator, RecordingReporter, write_chat_file

NARROW_REPLY = "zq zq zq zq zq zq zq zq"
# Many steps at a high learning rate on one nonsense reply: the adapter forgets the rest.
OVER_TRAIN = {"n_epochs": 12, "batch_size": 2, "learning_rate_multiplier": 8.0}
GENTLE = {"n_epochs": 1, "batch_size": 4, "learning_rate_multiplier": 0.1}


def spec_for(
    emulator: Emulator, tmp_path: Path, training_file: Path, **changes: object
) -> TrainingSpec:
    """A supervised run of the emulator."""
    spec = TrainingSpec(
        job_id="ftjob-forget",
        base_model=emulator.entry,
        model_dir=emulator.model_dir,
        training_file=training_file,
        validation_file=None,
        hyperparameters=GENTLE,
        seed=11,
        device="cpu",
        work_dir=tmp_path / "work",
    )
    return dataclasses.replace(spec, **changes)  # type: ignore[arg-type]


def check_of(outcome: TrainingOutcome, reporter: RecordingReporter) -> ForgettingCheck:
    """The check as the final event, the last metrics and the outcome each report it."""
    last = reporter.steps[-1]
    assert set(METRIC_KEYS) <= set(last) and set(METRIC_KEYS) <= set(outcome.metrics)
    check = ForgettingCheck.from_metrics(last)
    assert check is not None and check == ForgettingCheck.from_metrics(outcome.metrics)
    assert not any(set(METRIC_KEYS) & set(step) for step in reporter.steps[:-1])
    assert (("info", check.message())) in reporter.events
    assert f"{check.base_loss:.4f}" in check.message()
    assert f"{check.tuned_loss:.4f}" in check.message()
    return check


def test_the_reference_text_is_held_out_of_the_emulators_corpus() -> None:
    held_out = [line for line in REFERENCE_CORPUS.splitlines() if line]
    assert len(held_out) >= 10
    assert not any(line in _CORPUS for line in held_out)


def test_over_training_on_a_narrow_task_raises_the_general_loss(
    emulator: Emulator, tmp_path: Path
) -> None:
    narrow = write_chat_file(tmp_path / "narrow.jsonl", PROMPTS[:10], reply=NARROW_REPLY)
    reporter = RecordingReporter()
    spec = spec_for(emulator, tmp_path, narrow, hyperparameters=OVER_TRAIN)
    outcome = run_training(spec, reporter)
    assert outcome.status == "succeeded"
    check = check_of(outcome, reporter)
    assert check.tuned_loss > check.base_loss * spec.forgetting_threshold_ratio
    warnings = [message for level, message in reporter.events if level == "warn"]
    assert warnings == [check.warning(spec.forgetting_threshold_ratio)]
    assert warnings[0].startswith("General ability may have regressed")
    # The final event comes last, after training and every checkpoint.
    assert reporter.events[-2:] == [("info", check.message()), ("warn", warnings[0])]


def test_a_gentle_run_reports_without_warning_and_a_reference_file_is_used(
    emulator: Emulator, tmp_path: Path
) -> None:
    train = write_chat_file(tmp_path / "train.jsonl", PROMPTS[:8])
    gentle = RecordingReporter()
    outcome = run_training(spec_for(emulator, tmp_path / "a", train), gentle)
    default = check_of(outcome, gentle)
    assert default.ratio < 1.1 and not [e for e in gentle.events if e[0] == "warn"]

    reference = tmp_path / "reference.jsonl"
    lines = [
        {"text": "Numbers: 0 1 2 3 4 5 6 7 8 9 10 20 30 42 100"},
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello"},
            ]
        },
        {"prompt": "Once upon a time", "completion": " there was a robot."},
    ]
    reference.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    own = RecordingReporter()
    spec = spec_for(emulator, tmp_path / "b", train, reference_file=reference)
    other = check_of(run_training(spec, own), own)
    assert other.base_loss != pytest.approx(default.base_loss)


def test_a_broken_reference_file_falls_back_to_the_shipped_text(
    emulator: Emulator, tmp_path: Path
) -> None:
    train = write_chat_file(tmp_path / "train.jsonl", PROMPTS[:4])
    broken = tmp_path / "broken.jsonl"
    broken.write_text("not json\n")
    reporter = RecordingReporter()
    spec = spec_for(emulator, tmp_path, train, reference_file=broken)
    check_of(run_training(spec, reporter), reporter)
    assert any(
        level == "warn" and "reference file cannot be read" in message
        for level, message in reporter.events
    )

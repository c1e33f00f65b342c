"""Activation checkpointing (the `activation_checkpointing` extension): the decoder layers are
recomputed in the backward pass, and the run's losses do not change."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import torch

from service.training.contract import TrainingOutcome
from service.training.recipe import run_training
from tests.training.conftest import PROMPTS, Emulator, RecordingReporter, write_chat_file
from tests.training.test_recipe import make_spec

# One epoch of 5 steps; dropout, so that the recomputed forward must replay the same masks.
LORA = {"n_epochs": 1, "batch_size": 4, "lora_dropout": 0.1}
FULL = {"n_epochs": 1, "batch_size": 4, "training_type": "full"}


@contextmanager
def decoder_layer_calls() -> Iterator[list[int]]:
    """Count the calls, under grad, of the attention inside every Llama decoder layer while the
    block runs: the layer's own hooks stay outside the checkpoint, its insides rerun (a
    pre-hook: the recomputation stops once it has what the backward pass needs)."""
    from transformers.models.llama.modeling_llama import LlamaAttention

    calls = [0]

    def count(module: torch.nn.Module, _args: object) -> None:
        if isinstance(module, LlamaAttention) and torch.is_grad_enabled():
            calls[0] += 1

    handle = torch.nn.modules.module.register_module_forward_pre_hook(count)
    try:
        yield calls
    finally:
        handle.remove()


def run(
    emulator: Emulator, tmp_path: Path, hyperparameters: dict[str, object]
) -> tuple[TrainingOutcome, RecordingReporter, int]:
    """Train; the outcome, the reporter and the decoder layers' forward calls under grad."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    train = write_chat_file(tmp_path / "train.jsonl", PROMPTS)
    reporter = RecordingReporter()
    spec = make_spec(emulator, tmp_path / "work", train, hyperparameters=hyperparameters)
    with decoder_layer_calls() as calls:
        outcome = run_training(spec, reporter)
    return outcome, reporter, calls[0]


@pytest.mark.parametrize("hyperparameters", [LORA, FULL], ids=["lora", "full"])
def test_checkpointing_recomputes_the_layers_and_keeps_every_loss(
    emulator: Emulator, tmp_path: Path, hyperparameters: dict[str, object]
) -> None:
    plain, plain_reporter, plain_calls = run(emulator, tmp_path / "plain", hyperparameters)
    checkpointed, reporter, calls = run(
        emulator, tmp_path / "checkpointed", {**hyperparameters, "activation_checkpointing": True}
    )
    assert plain.status == checkpointed.status == "succeeded"
    assert reporter.started_calls[0]["hyperparameters"]["activation_checkpointing"] is True
    # Every layer's forward runs again in the backward pass: twice the calls under grad.
    assert calls == 2 * plain_calls > 0
    losses = [step["train_loss"] for step in plain_reporter.steps]
    checkpointed_losses = [step["train_loss"] for step in reporter.steps]
    assert len(losses) == 5
    # The recomputation replays the same fp32 CPU kernels on the same inputs, with the RNG
    # state restored for dropout: the weights after each step, hence every loss, agree to
    # float32 rounding (summation order in the backward pass may differ in the last bits).
    assert checkpointed_losses == pytest.approx(losses, rel=1e-5)

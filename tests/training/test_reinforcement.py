"""Reinforcement fine-tuning: the GRPO loss against TRL's, and the GRPO recipe on the emulator
(it learns what the grader rewards, it resumes exactly, its KL reference is the starting model,
a failing grader costs reward, not the job)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import types
from collections import defaultdict
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest
import torch

from service.graders.model_sampler import ChatRequest, ModelSamplingError
from service.training.contract import GraderModel, ResumeState, TrainingOutcome, TrainingSpec
from service.training.grader_models import LocalModelSampler
from service.training.hyperparameters import resolve_hyperparameters
from service.training.recipe import run_training
from service.training.reinforcement import group_advantages, grpo_loss
from tests.training.conftest import PROMPTS, Emulator, RecordingReporter
from tests.training.test_recipe import assert_same_adapter, make_spec

TOLERANCE = 1e-6
YES_GRADER = {
    "type": "string_check",
    "name": "says yes",
    "input": "{{sample.output_text}}",
    "reference": "{{item.answer}}",
    "operation": "eq",
}

# -- the loss against TRL's --------------------------------------------------------------------


class _Accelerator:
    """What GRPOTrainer._compute_loss asks of accelerate on one process."""

    device = torch.device("cpu")
    num_processes = 1
    sync_gradients = True

    def gather(self, value: torch.Tensor) -> torch.Tensor:
        return value

    def gather_for_metrics(self, value: torch.Tensor) -> torch.Tensor:
        return value

    def reduce(self, value: torch.Tensor, reduction: str = "sum") -> torch.Tensor:
        return value


def trl_grpo_trainer(*, beta: float, epsilon: float, per_token_logps: torch.Tensor) -> Any:
    """A GRPOTrainer with only the attributes its loss reads: loss_type "grpo", token-level
    importance sampling, no entropy masking or bonus, no vLLM; the model's per-token
    log-probabilities are the given tensor (what its forward pass would compute)."""
    from trl import GRPOTrainer

    trainer = object.__new__(GRPOTrainer)  # no model loading, datasets or accelerate state
    attributes = {
        "accelerator": _Accelerator(),
        "aux_loss_enabled": False,
        "top_entropy_quantile": 1.0,
        "off_policy_mask_threshold": None,
        "importance_sampling_level": "token",
        "beta": beta,
        "args": types.SimpleNamespace(use_bias_correction_kl=False, delta=None),
        "loss_type": "grpo",
        "epsilon_low": epsilon,
        "epsilon_high": epsilon,
        "use_vllm": False,
        "vllm_importance_sampling_correction": False,
        "current_gradient_accumulation_steps": 1,
        "_entropy_bonus_enabled": False,
        "_metrics": {"train": defaultdict(list), "eval": defaultdict(list)},
        "model": types.SimpleNamespace(training=True),
        "_get_per_token_logps_and_entropies": lambda *args, **kwargs: (
            per_token_logps,
            torch.zeros_like(per_token_logps),
            None,
        ),
    }
    for name, value in attributes.items():
        object.__setattr__(trainer, name, value)
    return trainer


@pytest.mark.parametrize(("beta", "epsilon"), [(0.0, 0.2), (0.04, 0.2), (0.5, 0.05)])
def test_loss_and_gradients_match_trl(beta: float, epsilon: float) -> None:
    generator = torch.Generator().manual_seed(int(beta * 100) + 1)
    rows, width = 8, 7
    mask = torch.zeros((rows, width), dtype=torch.long)
    for row in range(rows):  # completions of 2 to 7 tokens
        mask[row, : 2 + row % 6] = 1

    def logps(scale: float = 3.0) -> torch.Tensor:
        return -scale * torch.rand((rows, width), generator=generator, dtype=torch.float64)

    ours_logps = logps().requires_grad_()
    theirs_logps = ours_logps.detach().clone().requires_grad_()
    # An older policy a little off the current one, so that clipping acts on some tokens.
    old = (ours_logps.detach() + 0.3 * torch.randn((rows, width), generator=generator)).double()
    reference = logps()
    advantages = torch.randn(rows, generator=generator, dtype=torch.float64)

    ours = grpo_loss(
        ours_logps,
        old,
        advantages,
        mask,
        epsilon=epsilon,
        beta=beta,
        ref_per_token_logps=reference,
    )
    ours_loss = ours.losses.mean()
    ours_loss.backward()

    trainer = trl_grpo_trainer(beta=beta, epsilon=epsilon, per_token_logps=theirs_logps)
    inputs = {
        "prompt_ids": torch.ones((rows, 3), dtype=torch.long),
        "prompt_mask": torch.ones((rows, 3), dtype=torch.long),
        "completion_ids": torch.ones((rows, width), dtype=torch.long),
        "completion_mask": mask,
        "advantages": advantages,
        "old_per_token_logps": old,
        "ref_per_token_logps": reference,
    }
    theirs_loss = trainer._compute_loss(trainer.model, inputs)
    theirs_loss.backward()

    assert abs(ours_loss.item() - theirs_loss.item()) <= TOLERANCE
    assert ours_logps.grad is not None and theirs_logps.grad is not None
    assert (ours_logps.grad - theirs_logps.grad).abs().max().item() <= TOLERANCE
    assert ours_logps.grad.abs().max().item() > 1e-3  # a real gradient, not two zeros


def test_advantages_are_trls_group_normalised_rewards() -> None:
    from trl.trainer.utils import nanstd

    rewards = torch.tensor([1.0, 0.0, 0.0, 0.0, 0.5, 0.5, 0.5, 0.5, 0.2, 0.9, 0.1, 0.4])
    grouped = rewards.view(-1, 4)
    mean = grouped.mean(dim=1).repeat_interleave(4)
    std = nanstd(grouped, dim=1).repeat_interleave(4)
    expected = (rewards - mean) / (std + 1e-4)

    assert torch.allclose(group_advantages(rewards, 4), expected, atol=1e-6)
    assert torch.equal(group_advantages(rewards, 4)[4:8], torch.zeros(4))  # equal rewards


# -- the recipe on the emulator ----------------------------------------------------------------


def write_lines(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


@pytest.fixture(scope="module")
def yes_sometimes(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SFT adapter that answers "yes" to about a quarter of samples, "no" otherwise."""
    root = tmp_path_factory.mktemp("sft")
    lines = [
        {"messages": [{"role": "user", "content": p}, {"role": "assistant", "content": reply}]}
        for p in PROMPTS
        for reply in ("yes", "no", "no", "no")
    ]
    hyperparameters = resolve_hyperparameters(
        {"n_epochs": 3, "batch_size": 8}, n_examples=len(lines), entry=emulator.entry
    )
    spec = make_spec(
        emulator,
        root / "work",
        write_lines(root / "sft.jsonl", lines),
        hyperparameters=hyperparameters,
    )
    outcome = run_training(spec, RecordingReporter())
    assert outcome.adapter_dir is not None
    return outcome.adapter_dir


def rft_spec(
    emulator: Emulator,
    work_dir: Path,
    start: Path,
    *,
    grader: dict[str, Any] = YES_GRADER,
    **requested: Any,
) -> TrainingSpec:
    prompts = [{"messages": [{"role": "user", "content": p}], "answer": "yes"} for p in PROMPTS]
    data = write_lines(work_dir.parent / f"{work_dir.name}.jsonl", prompts)
    hyperparameters = resolve_hyperparameters(
        {"n_epochs": 3, "batch_size": 4, "max_completion_tokens": 8, **requested},
        n_examples=len(prompts),
        entry=emulator.entry,
        method="reinforcement",
    )
    return make_spec(
        emulator,
        work_dir,
        data,
        validation_file=data,
        hyperparameters=hyperparameters,
        method="reinforcement",
        grader=grader,
        initial_adapter_dir=start,
    )


def test_rft_makes_the_rewarded_reply_the_greedy_one_and_resumes_exactly(
    emulator: Emulator, yes_sometimes: Path, tmp_path: Path
) -> None:
    reporter = RecordingReporter()
    spec = rft_spec(emulator, tmp_path / "whole", yes_sometimes, eval_samples=20, eval_interval=5)
    whole = run_training(spec, reporter)

    first, last = reporter.steps[0], reporter.steps[-1]
    # Sampled: "yes" about a quarter of the time at first, nearly always at the end; greedy
    # (the validation reward, every eval_interval steps): "yes" on at least 90% of prompts.
    assert first["train_reward_mean"] < 0.6 <= last["train_reward_mean"]
    assert [step["step"] for step in reporter.steps if "valid_reward_mean" in step] == [5, 10, 15]
    assert whole.metrics["full_valid_reward_mean"] >= 0.9
    assert {"train_reward_std", "train_completion_length", "train_grader_errors"} <= set(first)
    assert reporter.started_calls[0]["hyperparameters"]["num_generations"] == 4

    paused_reporter = RecordingReporter(controls={4: "pause"})
    paused = run_training(
        rft_spec(emulator, tmp_path / "paused", yes_sometimes, eval_samples=20, eval_interval=5),
        paused_reporter,
    )
    assert paused.status == "paused" and paused.checkpoint_dir is not None
    resumed = run_training(
        rft_spec(emulator, tmp_path / "resumed", yes_sometimes, eval_samples=20, eval_interval=5),
        RecordingReporter(),
        ResumeState(step=paused.step, checkpoint_dir=paused.checkpoint_dir),
    )
    _assert_succeeded(whole)
    _assert_succeeded(resumed)
    assert_same_adapter(whole.adapter_dir, resumed.adapter_dir)  # type: ignore[arg-type]


def _assert_succeeded(outcome: TrainingOutcome) -> None:
    assert outcome.status == "succeeded" and outcome.adapter_dir is not None


def test_the_kl_reference_is_the_starting_adapter(
    emulator: Emulator, yes_sometimes: Path, tmp_path: Path
) -> None:
    reporter = RecordingReporter()
    outcome = run_training(
        rft_spec(emulator, tmp_path / "kl", yes_sometimes, n_epochs=1, beta=0.1), reporter
    )
    kl = [step["train_kl"] for step in reporter.steps]
    # The first step samples from the starting adapter itself: KL to it is zero (to the base
    # model it would not be); then the policy moves away from it.
    assert kl[0] <= 1e-6
    assert max(kl[1:]) > 1e-4
    assert outcome.adapter_dir is not None
    saved = list(outcome.adapter_dir.iterdir())
    assert not any(path.is_dir() for path in saved)  # the reference adapter is not saved


def test_a_grader_that_fails_on_samples_counts_them_as_reward_0(
    emulator: Emulator, yes_sometimes: Path, tmp_path: Path
) -> None:
    broken = {**YES_GRADER, "reference": "{{item.missing_key}}"}
    reporter = RecordingReporter()
    outcome = run_training(
        rft_spec(emulator, tmp_path / "broken", yes_sometimes, n_epochs=1, grader=broken),
        reporter,
    )
    assert outcome.status == "succeeded"
    assert all(step["train_reward_mean"] == 0.0 for step in reporter.steps)
    assert reporter.steps[0]["train_grader_errors"] == 16  # 4 prompts x 4 completions
    warnings = [message for level, message in reporter.events if level == "warn"]
    assert len(warnings) == 5
    assert "invalid_variable_error" in warnings[0] and "reward 0" in warnings[0]


def test_model_graders_sample_their_model_inside_the_worker(
    emulator: Emulator, yes_sometimes: Path, tmp_path: Path
) -> None:
    """A score_model grader on the random emulator: the worker loads and samples it (its
    replies are no number, so each sample is a parse error at reward 0, never a server error)."""
    judge = {
        "type": "score_model",
        "name": "judge",
        "model": "whetstone-tiny",
        "input": [{"role": "user", "content": "Score 0 to 1: {{sample.output_text}}"}],
        "sampling_params": {"max_completions_tokens": 4, "temperature": 0},
    }
    spec = rft_spec(emulator, tmp_path / "judge", yes_sometimes, n_epochs=1, grader=judge)
    spec = dataclasses.replace(
        spec,
        validation_file=None,
        grader_models={
            "whetstone-tiny": GraderModel(emulator.model_dir, None, emulator.entry.context_length)
        },
    )
    reporter = RecordingReporter()
    outcome = run_training(spec, reporter)
    assert outcome.status == "succeeded"
    warnings = [message for level, message in reporter.events if level == "warn"]
    assert warnings and all("model_grader_parse_error" in message for message in warnings)
    assert not any("model_grader_server_error" in message for message in warnings)


def test_a_missing_grader_model_is_a_grader_error_not_a_crash() -> None:
    sampler = LocalModelSampler({}, device=torch.device("cpu"), autocast=nullcontext)
    request = ChatRequest(model="gone", messages=[{"role": "user", "content": "hi"}], max_tokens=4)
    with pytest.raises(ModelSamplingError):
        asyncio.run(sampler.chat(request))

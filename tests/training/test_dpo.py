"""DPO: the loss against TRL's, and the DPO recipe on the emulator (it learns the preference,
it is deterministic, it pauses and resumes exactly, its reference is the starting model)."""

from __future__ import annotations

import dataclasses
import json
import types
from collections import defaultdict
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest
import torch

from service.datasets.preference import load_preference_pairs
from service.training.contract import ResumeState, TrainingOutcome, TrainingSpec
from service.training.dpo import DPOObjective, ScoredPair, dpo_loss
from service.training.hyperparameters import resolve
from service.training.objective import Batching
from service.training.recipe import run_training
from tests.training.conftest import PROMPTS, SENTENCE, Emulator, RecordingReporter, write_chat_file
from tests.training.test_hyperparameters import EMULATOR
from tests.training.test_recipe import adapter_tensors, assert_same_adapter, make_spec

REJECTED = "I do not know."
# A short run with dropout, so that restoring the RNG on resume matters; 5 batches per epoch.
SHORT = {"n_epochs": 3, "batch_size": 4, "lora_dropout": 0.1, "beta": 0.1}
TOLERANCE = 1e-6


def write_preference_file(path: Path, prompts: list[str]) -> Path:
    """One pair per prompt: SENTENCE preferred over REJECTED."""
    lines = [
        json.dumps(
            {
                "input": {"messages": [{"role": "user", "content": prompt}]},
                "preferred_output": [{"role": "assistant", "content": SENTENCE}],
                "non_preferred_output": [{"role": "assistant", "content": REJECTED}],
            }
        )
        for prompt in prompts
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


# -- the loss against TRL's --------------------------------------------------------------------


class _Accelerator:
    """What DPOTrainer._compute_loss asks of accelerate on one process; keeps what it gathers."""

    device = torch.device("cpu")

    def __init__(self) -> None:
        self.gathered: list[torch.Tensor] = []

    def gather_for_metrics(self, value: Any) -> Any:
        return value

    def gather(self, value: torch.Tensor) -> torch.Tensor:
        self.gathered.append(value)
        return value

    def unwrap_model(self, model: Any) -> Any:
        return model


def trl_trainer(beta: float, model: Any) -> Any:
    """A DPOTrainer with only the attributes its loss reads: sigmoid loss, reverse KL, no
    weighting, reference log-probs precomputed (they come with the batch), as ours are."""
    from trl import DPOTrainer

    trainer = object.__new__(DPOTrainer)  # no model loading, datasets or accelerate state
    attributes = {
        "accelerator": _Accelerator(),
        "aux_loss_enabled": False,
        "ld_alpha": None,
        "precompute_ref_logps": True,
        "f_divergence_type": "reverse_kl",
        "loss_types": ["sigmoid"],
        "loss_weights": [1.0],
        "beta": beta,
        "label_smoothing": 0.0,
        "use_weighting": False,
        "_metrics": {"train": defaultdict(list), "eval": defaultdict(list)},
        "_total_train_tokens": 0,
        "_tp_size": 1,
        "model": model,
    }
    for name, value in attributes.items():
        object.__setattr__(trainer, name, value)
    return trainer


class _PerTokenModel:
    """Stands for TRL's fused LM head: returns the given per-token policy log-probabilities at
    the positions whose label is trained (zero elsewhere), as the head does."""

    training = True

    def __init__(self, per_token: torch.Tensor):
        self.per_token = per_token

    def __call__(self, **kwargs: Any) -> Any:
        mask = kwargs["labels"][:, 1:] != -100
        log_probs = self.per_token * mask
        zeros = torch.zeros_like(log_probs)
        return types.SimpleNamespace(
            log_probs=log_probs, entropy=zeros, mean_logits=zeros, is_top1=torch.zeros_like(mask)
        )


@pytest.mark.parametrize("beta", [0.1, 0.5, 2.0])
def test_loss_rewards_and_gradients_match_trl(beta: float) -> None:
    generator = torch.Generator().manual_seed(int(beta * 10))
    pairs, width = 5, 9
    completion_mask = torch.zeros((2 * pairs, width), dtype=torch.long)
    for row in range(2 * pairs):  # a prompt of 2 to 4 tokens, then the reply
        start = 2 + row % 3
        completion_mask[row, start : width - row % 2] = 1
    reference = -20 * torch.rand((2, pairs), generator=generator, dtype=torch.float64)

    def leaf() -> torch.Tensor:
        values = -3 * torch.rand((2 * pairs, width - 1), generator=generator, dtype=torch.float64)
        return values.requires_grad_()

    ours_tokens = leaf()
    theirs_tokens = ours_tokens.detach().clone().requires_grad_()

    mask = completion_mask[:, 1:].bool()
    summed = (ours_tokens * mask).sum(dim=1)
    ours = dpo_loss(summed[:pairs], summed[pairs:], reference[0], reference[1], beta=beta)
    ours_loss = ours.losses.mean()
    ours_loss.backward()

    trainer = trl_trainer(beta, _PerTokenModel(theirs_tokens))
    inputs = {
        "input_ids": torch.ones((2 * pairs, width), dtype=torch.long),
        "attention_mask": torch.ones((2 * pairs, width), dtype=torch.long),
        "completion_mask": completion_mask,
        "ref_chosen_logps": reference[0],
        "ref_rejected_logps": reference[1],
    }
    theirs_loss = trainer._compute_loss(trainer.model, inputs, return_outputs=False)
    theirs_loss.backward()
    chosen_rewards, rejected_rewards = trainer.accelerator.gathered[:2]
    logged = trainer._metrics["train"]

    assert abs(ours_loss.item() - theirs_loss.item()) <= TOLERANCE
    assert torch.allclose(ours.chosen_rewards, chosen_rewards, rtol=0, atol=TOLERANCE)
    assert torch.allclose(ours.rejected_rewards, rejected_rewards, rtol=0, atol=TOLERANCE)
    assert ours_tokens.grad is not None and theirs_tokens.grad is not None
    assert (ours_tokens.grad - theirs_tokens.grad).abs().max().item() <= TOLERANCE
    assert ours_tokens.grad.abs().max().item() > 1e-3  # a real gradient, not two zeros
    margins = ours.chosen_rewards - ours.rejected_rewards
    assert abs(margins.mean().item() - logged["rewards/margins"][0]) <= TOLERANCE
    assert abs((margins > 0).double().mean().item() - logged["rewards/accuracies"][0]) <= 1e-6


def test_the_objective_matches_trl_on_the_emulator(emulator: Emulator, tmp_path: Path) -> None:
    """Our whole objective (tokens, masks, summed log-probs, loss) against TRL's loss computed
    from the same model through TRL's own fused LM head.

    TRL's head computes in float32 whatever the model's dtype, so this comparison is at float32
    precision (summed log-probs near -100 carry ~1e-5 of rounding, rewards ~1e-6); the exact
    comparison of the loss itself is the float64 plain-tensor test above.
    """
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl.trainer.utils import add_fused_lm_head

    tokenizer = AutoTokenizer.from_pretrained(emulator.model_dir)
    path = write_preference_file(tmp_path / "pairs.jsonl", PROMPTS[:4])
    pairs, _ = load_preference_pairs(path, tokenizer, context_length=1024)
    batching = Batching(tokenizer.pad_token_id, torch.device("cpu"), nullcontext)
    beta = 0.3

    def model() -> Any:
        torch.manual_seed(0)
        base = AutoModelForCausalLM.from_pretrained(emulator.model_dir)
        add_fused_lm_head(base, outputs=("log_probs", "entropy", "mean_logits", "is_top1"))
        peft = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules="all-linear"))
        with torch.no_grad():  # B != 0, so the LoRA changes the log-probs and has gradients
            for name, param in peft.named_parameters():
                if "lora_B" in name:
                    param.normal_(0, 0.02)
        return peft.train()

    def lora_grads(peft: Any) -> dict[str, torch.Tensor]:
        return {n: p.grad.clone() for n, p in peft.named_parameters() if p.grad is not None}

    ours_model = model()
    hyperparameters = resolve({"beta": beta}, n_examples=len(pairs), entry=EMULATOR, method="dpo")
    objective = DPOObjective(hyperparameters, batching)
    # References a few nats off the policy, both ways, so that rewards and the loss are of the
    # usual size and of both signs.
    with torch.no_grad():
        chosen, rejected, _ = objective._logps(ours_model, pairs)
    offsets = [(2.0, -1.0), (-3.0, 1.5), (0.5, 4.0), (-1.0, -2.0)]
    reference = [
        (c + dc, r + dr)
        for c, r, (dc, dr) in zip(chosen.tolist(), rejected.tolist(), offsets, strict=True)
    ]
    scored = [ScoredPair(p, c, r) for p, (c, r) in zip(pairs, reference, strict=True)]
    part = objective.loss(ours_model, scored)
    (part.loss / len(scored)).backward()
    ours_metrics = objective.metrics(part.sums, scored)

    theirs_model = model()
    rows = [p.chosen for p in pairs] + [p.rejected for p in pairs]
    input_ids, attention_mask, labels = batching.collate(rows)
    inputs = {
        "input_ids": input_ids,
        "attention_mask": attention_mask,
        "completion_mask": (labels != -100).long(),
        "ref_chosen_logps": torch.tensor([c for c, _ in reference]),
        "ref_rejected_logps": torch.tensor([r for _, r in reference]),
    }
    trainer = trl_trainer(beta, theirs_model)
    theirs_loss = trainer._compute_loss(theirs_model, inputs, return_outputs=False)
    theirs_loss.backward()
    logged = trainer._metrics["train"]

    assert part.loss.item() / len(scored) == pytest.approx(theirs_loss.item(), abs=TOLERANCE)
    assert 0.3 < theirs_loss.item() < 3  # neither saturated nor trivial
    for ours_key, theirs_key in [
        ("rewards_chosen", "rewards/chosen"),
        ("rewards_rejected", "rewards/rejected"),
        ("rewards_margins", "rewards/margins"),
        ("rewards_accuracies", "rewards/accuracies"),
        ("logps_chosen", "logps/chosen"),
        ("logps_rejected", "logps/rejected"),
        ("mean_token_accuracy", "mean_token_accuracy"),
    ]:
        assert ours_metrics[ours_key] == pytest.approx(logged[theirs_key][0], abs=1e-5), ours_key
    assert 0 < ours_metrics["rewards_accuracies"] < 1
    ours_grads, theirs_grads = lora_grads(ours_model), lora_grads(theirs_model)
    assert ours_grads.keys() == theirs_grads.keys() and ours_grads
    scale = max(grad.abs().max().item() for grad in theirs_grads.values())
    worst = max((ours_grads[n] - theirs_grads[n]).abs().max().item() for n in ours_grads)
    assert scale > 1e-2 and worst <= 5e-6  # about 6e-7 seen, float32 rounding


# -- the recipe on the emulator ----------------------------------------------------------------


@pytest.fixture(scope="module")
def pairs_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_preference_file(tmp_path_factory.mktemp("files") / "pairs.jsonl", PROMPTS)


@pytest.fixture(scope="module")
def valid_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    prompts = ["Hi!", "What now?", "Why?", "Tell me a joke."]
    return write_preference_file(tmp_path_factory.mktemp("valid") / "valid.jsonl", prompts)


def dpo_spec(
    emulator: Emulator, work_dir: Path, training_file: Path, **changes: Any
) -> TrainingSpec:
    return make_spec(
        emulator, work_dir, training_file, **{"method": "dpo", "hyperparameters": SHORT, **changes}
    )


@pytest.fixture(scope="module")
def dpo_run(
    emulator: Emulator, pairs_file: Path, valid_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[TrainingOutcome, RecordingReporter]:
    """The uninterrupted reference: 20 pairs, 3 epochs of 5 steps, a held-out validation file."""
    reporter = RecordingReporter()
    spec = dpo_spec(
        emulator, tmp_path_factory.mktemp("dpo"), pairs_file, validation_file=valid_file
    )
    return run_training(spec, reporter), reporter


DPO_KEYS = {
    "train_loss",
    "train_rewards_chosen",
    "train_rewards_rejected",
    "train_rewards_margins",
    "train_rewards_accuracies",
    "train_logps_chosen",
    "train_logps_rejected",
    "train_mean_token_accuracy",
}


def test_dpo_raises_the_margin_and_accuracy(
    dpo_run: tuple[TrainingOutcome, RecordingReporter],
) -> None:
    outcome, reporter = dpo_run
    assert outcome.status == "succeeded" and outcome.step == 15
    first, last = reporter.steps[0], reporter.steps[-1]
    assert first.keys() >= DPO_KEYS
    # Step 1 runs the starting model, which is the reference: no reward yet, loss log 2.
    assert abs(first["train_rewards_margins"]) < 1e-4
    assert first["train_loss"] == pytest.approx(0.6931, abs=1e-3)
    assert last["train_rewards_margins"] > 1.0 and last["train_rewards_accuracies"] == 1.0
    assert last["train_loss"] < 0.4
    assert last["train_rewards_chosen"] > 0 > last["train_rewards_rejected"]
    assert last["train_logps_chosen"] > first["train_logps_chosen"]
    # Held out: prompts never trained on prefer the preferred reply too.
    final = reporter.checkpoints[-1]["metrics"]
    assert final["full_valid_rewards_accuracies"] == 1.0
    assert final["full_valid_rewards_margins"] > 1.0
    assert {"valid_loss", "valid_rewards_margins"} <= last.keys()
    assert {"train_loss", "train_rewards_margins", "full_valid_rewards_margins"} <= (
        outcome.metrics.keys()
    )


def test_started_reports_beta_and_numbers(
    dpo_run: tuple[TrainingOutcome, RecordingReporter],
) -> None:
    _, reporter = dpo_run
    (started,) = reporter.started_calls
    hp = started["hyperparameters"]
    assert hp["beta"] == 0.1 and hp["n_epochs"] == 3 and hp["batch_size"] == 4
    assert started["n_examples"] == 20 and started["total_steps"] == 15


def test_trained_tokens_count_both_replies(
    dpo_run: tuple[TrainingOutcome, RecordingReporter], emulator: Emulator, pairs_file: Path
) -> None:
    from transformers import AutoTokenizer

    outcome, _ = dpo_run
    tokenizer = AutoTokenizer.from_pretrained(emulator.model_dir)
    _, report = load_preference_pairs(pairs_file, tokenizer, context_length=1024)
    assert outcome.trained_tokens == report.n_tokens * 3


def test_checkpoints_hold_the_reference_log_probs(
    dpo_run: tuple[TrainingOutcome, RecordingReporter],
) -> None:
    _, reporter = dpo_run
    states = [
        torch.load(c["checkpoint_dir"] / "state" / "training_state.pt", weights_only=True)
        for c in reporter.checkpoints
    ]
    assert [c["step"] for c in reporter.checkpoints] == [5, 10, 15]
    first = states[0]["objective"]["reference"]
    assert first["train"].shape == (20, 2) and first["valid"].shape == (4, 2)
    for state in states[1:]:  # computed once, never from a trained adapter
        assert torch.equal(state["objective"]["reference"]["train"], first["train"])
    assert {"train_rewards_margins", "full_valid_rewards_margins"} <= (
        reporter.checkpoints[0]["metrics"].keys()
    )


def test_pauses_mid_epoch_and_at_an_epoch_end_resume_to_the_uninterrupted_adapter(
    dpo_run: tuple[TrainingOutcome, RecordingReporter],
    emulator: Emulator,
    pairs_file: Path,
    valid_file: Path,
    tmp_path: Path,
) -> None:
    # One run paused twice, mid-epoch (step 3) and at an epoch's end (step 10), and resumed
    # each time from that checkpoint: each resume is checked, in one run instead of two.
    reference, reference_reporter = dpo_run
    spec = dpo_spec(emulator, tmp_path / "work", pairs_file, validation_file=valid_file)
    steps: list[dict[str, object]] = []
    resume: ResumeState | None = None
    for pause_at in (3, 10):
        reporter = RecordingReporter(controls={pause_at: "pause"})
        paused = run_training(spec, reporter, resume)
        assert (paused.status, paused.step) == ("paused", pause_at)
        assert paused.checkpoint_dir is not None
        assert reporter.steps[0]["step"] == (resume.step + 1 if resume else 1)
        steps += reporter.steps
        resume = ResumeState(step=paused.step, checkpoint_dir=paused.checkpoint_dir)

    last = RecordingReporter()
    resumed = run_training(spec, last, resume)
    assert resumed.status == "succeeded"
    assert steps + last.steps == reference_reporter.steps
    assert resumed.trained_tokens == reference.trained_tokens
    assert reference.adapter_dir is not None and resumed.adapter_dir is not None
    assert_same_adapter(reference.adapter_dir, resumed.adapter_dir)
    assert (reference.adapter_dir / "adapter_model.safetensors").read_bytes() == (
        resumed.adapter_dir / "adapter_model.safetensors"
    ).read_bytes()


def test_the_reference_of_a_continued_job_is_its_starting_adapter(
    emulator: Emulator, pairs_file: Path, tmp_path: Path
) -> None:
    # A supervised adapter first (the SFT step of OpenAI's SFT-then-DPO flow).
    chat = write_chat_file(tmp_path / "chat.jsonl", PROMPTS)
    sft = run_training(
        make_spec(
            emulator, tmp_path / "sft", chat, hyperparameters={"n_epochs": 2, "batch_size": 4}
        ),
        RecordingReporter(),
    )
    assert sft.adapter_dir is not None
    fresh, continued = RecordingReporter(), RecordingReporter()
    # No dropout: with a trained adapter, dropout would make the policy differ from its own
    # (dropout-free) reference at the first step.
    one_epoch = {**SHORT, "n_epochs": 1, "lora_dropout": 0.0}
    run_training(
        dpo_spec(emulator, tmp_path / "fresh", pairs_file, hyperparameters=one_epoch), fresh
    )
    outcome = run_training(
        dpo_spec(
            emulator,
            tmp_path / "continued",
            pairs_file,
            hyperparameters=one_epoch,
            initial_adapter_dir=sft.adapter_dir,
        ),
        continued,
    )
    assert outcome.status == "succeeded"
    # The first step scores the starting adapter against itself: no reward, although its
    # log-probs are far from the base model's (which a base-model reference would compare to).
    start = continued.steps[0]
    assert abs(start["train_rewards_chosen"]) < 1e-4 and abs(start["train_rewards_margins"]) < 1e-4
    assert start["train_logps_chosen"] > fresh.steps[0]["train_logps_chosen"] + 10
    before = adapter_tensors(sft.adapter_dir)
    after = adapter_tensors(outcome.adapter_dir) if outcome.adapter_dir else {}
    assert before.keys() == after.keys()
    assert any(not torch.equal(before[name], after[name]) for name in before)


def test_a_chat_file_in_a_dpo_run_names_its_line(emulator: Emulator, tmp_path: Path) -> None:
    from service.datasets.errors import DatasetError

    chat = write_chat_file(tmp_path / "chat.jsonl", PROMPTS[:3])
    with pytest.raises(DatasetError) as caught:
        run_training(dpo_spec(emulator, tmp_path / "work", chat), RecordingReporter())
    assert caught.value.line == 1 and "DPO method" in caught.value.message


def test_another_seed_gives_another_adapter(
    dpo_run: tuple[TrainingOutcome, RecordingReporter],
    emulator: Emulator,
    pairs_file: Path,
    valid_file: Path,
    tmp_path: Path,
) -> None:
    reference, _ = dpo_run
    spec = dpo_spec(emulator, tmp_path / "other", pairs_file, validation_file=valid_file)
    other = run_training(dataclasses.replace(spec, seed=8), RecordingReporter())
    assert reference.adapter_dir is not None and other.adapter_dir is not None
    assert (reference.adapter_dir / "adapter_model.safetensors").read_bytes() != (
        other.adapter_dir / "adapter_model.safetensors"
    ).read_bytes()


def test_a_supervised_checkpoint_from_before_objectives_still_resumes(
    emulator: Emulator, tmp_path: Path
) -> None:
    # Checkpoints written before the loop was shared have no "objective" entry.
    chat = write_chat_file(tmp_path / "chat.jsonl", PROMPTS)
    hyperparameters = {"n_epochs": 2, "batch_size": 10}
    reference = run_training(
        make_spec(emulator, tmp_path / "reference", chat, hyperparameters=hyperparameters),
        RecordingReporter(),
    )
    spec = make_spec(emulator, tmp_path / "work", chat, hyperparameters=hyperparameters)
    paused = run_training(spec, RecordingReporter(controls={1: "pause"}))
    assert paused.checkpoint_dir is not None
    state_file = paused.checkpoint_dir / "state" / "training_state.pt"
    state = torch.load(state_file, weights_only=True)
    assert state.pop("objective") == {}
    torch.save(state, state_file)
    resumed = run_training(spec, RecordingReporter(), ResumeState(1, paused.checkpoint_dir))
    assert reference.adapter_dir is not None and resumed.adapter_dir is not None
    assert_same_adapter(reference.adapter_dir, resumed.adapter_dir)


def test_a_dpo_run_stops_early_on_its_validation_loss(
    emulator: Emulator, pairs_file: Path, valid_file: Path, tmp_path: Path
) -> None:
    # A min_delta above any possible gain: the run stops at the first check past patience.
    reporter = RecordingReporter()
    hyperparameters = {**SHORT, "early_stopping": {"patience": 1, "min_delta": 10}}
    outcome = run_training(
        dpo_spec(
            emulator,
            tmp_path,
            pairs_file,
            validation_file=valid_file,
            hyperparameters=hyperparameters,
        ),
        reporter,
    )
    planned = reporter.started_calls[0]["total_steps"]
    assert outcome.status == "succeeded" and outcome.step < planned
    (stopped,) = [message for _, message in reporter.events if message.startswith("Stopped")]
    assert stopped.startswith(f"Stopped early at step {outcome.step} of {planned}: the validation")
    assert reporter.steps[-1]["total_steps"] == outcome.step
    assert "full_valid_loss" in reporter.steps[-1]
    assert reporter.checkpoints[-1]["step"] == outcome.step

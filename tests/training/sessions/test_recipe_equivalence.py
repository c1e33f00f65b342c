"""cross_entropy steps in a session equal our own supervised recipe's steps on the same data.

Same examples (encoded by the recipe's own loader), same LoRA (rank, alpha 32, the layers
"all-linear" picks, i.e. Tinker's train_attn + train_mlp without train_unembed, started from
the same weights), same AdamW settings (torch's betas and eps, no weight decay, the recipe's
gradient clipping at 1.0, its peak learning rate: a 2-step run stays at the peak). The token
weighting is the one real difference: the recipe MEANS its loss over the batch's trained tokens,
Tinker SUMS `weights * -logprob`. So each datum's weights are 1 / (trained tokens in the batch)
on its trained tokens: Tinker's loss:sum is then the recipe's mean train_loss, and the gradients
are the same. Tolerance: 1e-4 relative on each step's loss; each tensor of the final adapters
within 1e-3 of its norm (float32 sums in another order, and Adam's m / sqrt(v) turns a
near-zero gradient's rounding into a whole step, so single entries may differ by up to lr).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from service.catalog import Catalog
from service.catalog.loading import load_tokenizer
from service.datasets.loading import load_examples
from service.datasets.tokenize import IGNORE_INDEX
from service.training.contract import TrainingSpec
from service.training.hyperparameters import resolve
from service.training.recipe import MAX_GRAD_NORM, run_training
from service.training.sessions import AdamSpec, LoraSpec, TrainingDatum
from service.training.sessions.trainer import SessionTrainer
from tests.training.conftest import PROMPTS, Emulator, RecordingReporter, write_chat_file

EXAMPLES = 8
HYPERPARAMETERS = {
    "n_epochs": 2,
    "batch_size": EXAMPLES,  # one batch per epoch: the batch's order does not matter
    "lora_rank": 4,
    "lora_alpha": 32,
    "lora_dropout": 0.0,
    "early_stopping": False,
    "learning_rate_multiplier": 2.0,
}


def tinker_batch(emulator: Emulator, train_file: Path) -> list[TrainingDatum]:
    """The recipe's examples as Tinker data, weighted 1 / (the batch's trained tokens)."""
    examples, _report = load_examples(
        train_file, load_tokenizer(emulator.model_dir), context_length=emulator.entry.context_length
    )
    assert len(examples) == EXAMPLES
    trained = sum(
        sum(label != IGNORE_INDEX for label in example.labels[1:]) for example in examples
    )
    data = []
    for example in examples:
        input_ids = np.asarray(example.input_ids, dtype=np.int64)
        labels = np.asarray(example.labels, dtype=np.int64)
        mask = labels[1:] != IGNORE_INDEX
        data.append(
            TrainingDatum(
                tokens=input_ids[:-1].tolist(),
                loss_fn_inputs={
                    "target_tokens": np.where(mask, labels[1:], input_ids[1:]),
                    "weights": mask.astype(np.float32) / trained,
                },
            )
        )
    return data


def test_cross_entropy_steps_equal_the_supervised_recipe(
    catalog: Catalog, emulator: Emulator, tmp_path: Path
) -> None:
    train_file = write_chat_file(tmp_path / "train.jsonl", PROMPTS[:EXAMPLES])
    session = SessionTrainer.create(
        catalog=catalog,
        base_model="whetstone-tiny",
        lora=LoraSpec(rank=4, seed=11, train_unembed=False),
        device=torch.device("cpu"),
    )
    start = tmp_path / "start"
    session.save_sampler_adapter(start)

    reporter = RecordingReporter()
    outcome = run_training(
        TrainingSpec(
            job_id="ftjob-equivalence",
            base_model=emulator.entry,
            model_dir=emulator.model_dir,
            training_file=train_file,
            validation_file=None,
            hyperparameters=HYPERPARAMETERS,
            seed=11,
            device="cpu",
            work_dir=tmp_path / "work",
            initial_adapter_dir=start,
        ),
        reporter,
    )
    recipe_losses = [step["train_loss"] for step in reporter.steps]
    assert outcome.status == "succeeded" and len(recipe_losses) == 2

    peak = resolve(HYPERPARAMETERS, n_examples=EXAMPLES, entry=emulator.entry).learning_rate(
        emulator.entry
    )
    adam = AdamSpec(
        learning_rate=peak,
        beta1=0.9,
        beta2=0.999,
        eps=1e-8,
        weight_decay=0.0,
        grad_clip_norm=MAX_GRAD_NORM,
    )
    data = tinker_batch(emulator, train_file)
    session_losses = []
    for _ in range(2):
        session_losses.append(session.forward_backward(data, "cross_entropy").metrics["loss:sum"])
        session.optim_step(adam)

    assert session_losses == pytest.approx(recipe_losses, rel=1e-4)
    assert session_losses[1] < session_losses[0]
    session.save_sampler_adapter(tmp_path / "end")
    ours = load_file(tmp_path / "end" / "adapter_model.safetensors")
    assert outcome.adapter_dir is not None
    theirs = load_file(outcome.adapter_dir / "adapter_model.safetensors")
    assert ours.keys() == theirs.keys()
    for name, tensor in theirs.items():
        assert torch.linalg.norm(ours[name] - tensor) <= 1e-3 * torch.linalg.norm(tensor), name

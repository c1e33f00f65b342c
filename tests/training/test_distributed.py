"""2-rank FSDP2 on gloo against one process: the same losses, the same artifact.

The ranks are forked from the test process (torch is imported, no process group exists in
it), each runs the recipe with its RankContext, and writes what its reporter saw to a file.

Tolerance: a step's loss is a sum over the global batch. On two ranks each rank sums its half,
and gloo adds the two halves; one process adds the same float32 terms in another order, and
the gradients (summed by FSDP2's reduce-scatter across ranks) likewise. Float32 summation in
another order differs in the last bits (about 1e-7 relative per addition), and AdamW carries
such differences from step to step, so the losses agree to 1e-4 relative over a few steps
rather than exactly; a wrong split, normaliser or gradient sum is off by far more (a halved
gradient changes the second step's loss in the second decimal). The saved weights agree to
1e-4 absolute: AdamW divides by the root of the squared-gradient average, which magnifies a
last-bit difference of a near-zero gradient into a small one of the update.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import pickle
import socket
from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors.torch import load_file

from service.training.contract import RankContext, ResumeState, TrainingSpec
from service.training.recipe import run_training
from tests.training.conftest import PROMPTS, Emulator, RecordingReporter, write_chat_file
from tests.training.test_dpo import write_preference_file

# 8 examples, global batch 4: two steps an epoch, 2 epochs; an end-of-epoch checkpoint at 2.
HYPERPARAMETERS: dict[str, object] = {"n_epochs": 2, "batch_size": 4, "early_stopping": False}
RELATIVE_TOLERANCE = 1e-4
WORLD_SIZE = 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _spec(emulator: Emulator, train_file: Path, work_dir: Path, **changes: Any) -> TrainingSpec:
    work_dir.mkdir(parents=True, exist_ok=True)
    spec = TrainingSpec(
        job_id="ftjob-sharded",
        base_model=emulator.entry,
        model_dir=emulator.model_dir,
        training_file=train_file,
        validation_file=None,
        hyperparameters=HYPERPARAMETERS,
        seed=11,
        device="cpu",
        work_dir=work_dir,
    )
    return dataclasses.replace(spec, **changes)


def _rank_main(
    spec: TrainingSpec, rank: RankContext, resume: ResumeState | None, result: Path
) -> None:
    from service.training.distributed import process_group

    torch.set_num_threads(1)
    reporter = RecordingReporter()
    with process_group(rank):
        outcome = run_training(dataclasses.replace(spec, rank=rank), reporter, resume)
    result.write_bytes(pickle.dumps((outcome, reporter.steps, reporter.checkpoints)))


def run_ranks(
    spec: TrainingSpec, results: Path, resume: ResumeState | None = None
) -> list[tuple[Any, list[dict[str, Any]], list[dict[str, Any]]]]:
    """Run `spec` as WORLD_SIZE forked ranks; each rank's (outcome, steps, checkpoints)."""
    context = multiprocessing.get_context("fork")
    port = _free_port()
    processes = []
    for index in range(WORLD_SIZE):
        rank = RankContext(index, WORLD_SIZE, index, "127.0.0.1", port, "gloo")
        process = context.Process(
            target=_rank_main, args=(spec, rank, resume, results / f"rank{index}.pickle")
        )
        process.start()
        processes.append(process)
    for process in processes:
        process.join(300)
        assert process.exitcode == 0, f"a rank exited with {process.exitcode}"
    return [
        pickle.loads((results / f"rank{index}.pickle").read_bytes()) for index in range(WORLD_SIZE)
    ]


@pytest.fixture(scope="module")
def train_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_chat_file(tmp_path_factory.mktemp("files") / "train.jsonl", PROMPTS[:8])


def _losses(steps: list[dict[str, Any]]) -> list[float]:
    return [step["train_loss"] for step in steps]


@pytest.fixture(scope="module")
def preference_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_preference_file(tmp_path_factory.mktemp("files") / "pairs.jsonl", PROMPTS[:8])


@pytest.mark.parametrize(
    ("method", "training_type"),
    [("supervised", "lora"), ("supervised", "full"), ("dpo", "lora")],
    ids=["lora", "full", "dpo"],
)
def test_two_ranks_train_as_one_process_does(
    method: str,
    training_type: str,
    emulator: Emulator,
    train_file: Path,
    preference_file: Path,
    tmp_path: Path,
) -> None:
    hyperparameters = {**HYPERPARAMETERS, "training_type": training_type}
    common: dict[str, Any] = {"hyperparameters": hyperparameters, "method": method}
    if method == "dpo":
        common["training_file"] = preference_file
    single_reporter = RecordingReporter()
    single = run_training(
        _spec(emulator, train_file, tmp_path / "single", **common), single_reporter
    )
    ranks = run_ranks(_spec(emulator, train_file, tmp_path / "gang", **common), tmp_path)
    (outcome, steps, checkpoints), (_, rank1_steps, rank1_checkpoints) = ranks
    # Rank 0 reports every step once, for the whole global batch; rank 1 reports nothing.
    assert [step["step"] for step in steps] == [1, 2, 3, 4]
    assert rank1_steps == [] and rank1_checkpoints == []
    assert _losses(steps) == pytest.approx(_losses(single_reporter.steps), rel=RELATIVE_TOLERANCE)
    assert outcome.trained_tokens == single.trained_tokens
    assert [c["step"] for c in checkpoints] == [2, 4]
    # The artifact is a single-device run's: the same files, the same tensors.
    if training_type == "lora":
        assert outcome.adapter_dir is not None and single.adapter_dir is not None
        ours = load_file(str(outcome.adapter_dir / "adapter_model.safetensors"))
        theirs = load_file(str(single.adapter_dir / "adapter_model.safetensors"))
    else:
        assert outcome.model_dir is not None and single.model_dir is not None
        assert sorted(p.name for p in outcome.model_dir.iterdir()) == sorted(
            p.name for p in single.model_dir.iterdir()
        )
        ours = load_file(str(outcome.model_dir / "model.safetensors"))
        theirs = load_file(str(single.model_dir / "model.safetensors"))
    assert ours.keys() == theirs.keys()
    for name in ours:
        torch.testing.assert_close(ours[name], theirs[name], rtol=1e-3, atol=1e-4)

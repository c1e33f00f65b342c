"""Sharded training: tokens/s of a 2-rank FSDP2 job (gloo, 2 CPU processes) against the same
job in 1 process, in one run.

Both train the same LoRA (or, with --full, the whole model) on the emulator, on the same chat
data, with the same global batch, epochs and seed. On a 2-core CPU two ranks share the cores
that one process had to itself, so the ratio measures FSDP2's overhead (all-gathers,
reduce-scatters, the batch split, evaluation on every rank), not a speed-up: a speed-up needs
a device per rank. Run: .venv/bin/python bench/distributed_training.py [--examples N] [--full]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import pickle
import random
import socket
import tempfile
import time
from pathlib import Path

import torch

from service.catalog import EMULATOR_NAME, Catalog
from service.training.contract import RankContext, TrainingOutcome, TrainingSpec
from service.training.recipe import run_training

WORLD_SIZE = 2
WORDS = ("the", "stone", "sharpens", "every", "blade", "while", "sea", "is", "deep", "blue")


class Quiet:
    """A reporter that keeps the last step's metrics."""

    def __init__(self) -> None:
        self.last: dict[str, float] = {}

    def event(self, message: str, *, level: str = "info") -> None:
        """Ignored."""

    def started(self, **_: object) -> None:
        """Ignored."""

    def metrics(self, data: dict[str, float]) -> None:
        """The latest step's."""
        self.last = dict(data)

    def checkpoint(self, **_: object) -> None:
        """Ignored."""

    def control(self) -> str:
        """Never stops."""
        return "continue"


def write_data(path: Path, n_examples: int) -> None:
    """Chats whose replies vary from a few words to about sixty."""
    rng = random.Random(0)
    lines = []
    for index in range(n_examples):
        reply = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 60)))
        messages = [
            {"role": "user", "content": f"Say something ({index})."},
            {"role": "assistant", "content": reply},
        ]
        lines.append(json.dumps({"messages": messages}))
    path.write_text("\n".join(lines) + "\n")


def _rank(spec: TrainingSpec, rank: RankContext, result: Path) -> None:
    from service.training.distributed import process_group

    torch.set_num_threads(1)
    reporter = Quiet()
    with process_group(rank):
        started = time.perf_counter()
        outcome = run_training(dataclasses.replace(spec, rank=rank), reporter)
        seconds = time.perf_counter() - started
    result.write_bytes(pickle.dumps((outcome, seconds, reporter.last)))


def run_two_ranks(spec: TrainingSpec, results: Path) -> tuple[TrainingOutcome, float, dict]:
    context = multiprocessing.get_context("fork")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    processes = []
    for index in range(WORLD_SIZE):
        rank = RankContext(index, WORLD_SIZE, index, "127.0.0.1", port, "gloo")
        process = context.Process(target=_rank, args=(spec, rank, results / f"{index}.pickle"))
        process.start()
        processes.append(process)
    for process in processes:
        process.join()
        assert process.exitcode == 0
    return pickle.loads((results / "0.pickle").read_bytes())


def main() -> None:
    """Run both, print tokens/s, the ratio and the final losses."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--full", action="store_true", help="full fine-tuning instead of LoRA")
    args = parser.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        catalog = Catalog.load(data_dir=root / "data", models_file=None)
        entry = catalog.resolve(EMULATOR_NAME)
        train = root / "train.jsonl"
        write_data(train, args.examples)
        hyperparameters: dict[str, object] = {
            "n_epochs": args.epochs,
            "batch_size": args.batch_size,
            "early_stopping": False,
        }
        if args.full:
            hyperparameters["training_type"] = "full"
        spec = TrainingSpec(
            job_id="ftjob-bench",
            base_model=entry,
            model_dir=catalog.local_path(entry),
            training_file=train,
            validation_file=None,
            hyperparameters=hyperparameters,
            seed=1,
            device="cpu",
            work_dir=root / "single",
        )
        single_reporter = Quiet()
        started = time.perf_counter()
        single = run_training(spec, single_reporter)
        single_seconds = time.perf_counter() - started
        (root / "gang").mkdir()
        sharded, sharded_seconds, sharded_last = run_two_ranks(
            dataclasses.replace(spec, work_dir=root / "gang"), root
        )
    single_rate = single.trained_tokens / single_seconds
    sharded_rate = sharded.trained_tokens / sharded_seconds
    kind = "full" if args.full else "LoRA"
    print(f"{kind}, {args.examples} examples, {args.epochs} epochs, global batch {args.batch_size}")
    print(f"1 process: {single_rate:8.0f} tokens/s ({single.step} steps, {single_seconds:.1f} s)")
    print(
        f"2 ranks:   {sharded_rate:8.0f} tokens/s ({sharded.step} steps, {sharded_seconds:.1f} s)"
    )
    print(f"ratio 2 ranks / 1 process: {sharded_rate / single_rate:.2f}x")
    print(
        f"final training loss: {single_reporter.last.get('train_loss', float('nan')):.4f} vs "
        f"{sharded_last.get('train_loss', float('nan')):.4f}"
    )
    print(
        "On a CPU the two ranks share the cores one process had: this ratio measures FSDP2's "
        "overhead, not a speed-up."
    )


if __name__ == "__main__":
    main()

"""Job turnaround: create -> `succeeded` of the README's 20-example job, new defaults vs old.

Starts real `whetstone serve` processes (SQLite, local disk, one CPU slot), uploads 20 chat
examples and creates jobs with the official SDK, polling every 50 ms. Two flows run in the same
run, interleaved: the default flow (no hyperparameters, as the README sends it) and, as the
baseline, the old defaults spelt out (`n_epochs` 15, batch 1, no early stopping: what "auto"
resolved to on the emulator before early stopping). Each server runs two jobs: its first
(which starts the workers' forkserver, importing torch) and its second (forked from it). It
prints both, the ratio, and where the time goes: the job's milestones (validation and claim,
worker start and model load up to the first step, the steps, the end: checkpoint, forgetting
check, uploads, results file), from the job's events and the 50 ms polls; and the bare recipe
in this process on the same file and resolved hyperparameters with a reporter that records
nothing, its setup and its steps timed apart. On a shared machine compare the best of each.

    .venv/bin/python bench/job_turnaround.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import openai

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.catalog import Catalog
from service.training.contract import TrainingSpec
from tests.harness import ServerProcess

BASE = "gpt-4o-mini-2024-07-18"
SENTENCE = "The owl flies at midnight."
SEED = 11


def training_file() -> bytes:
    """20 chat examples answered with one sentence."""
    return "\n".join(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": f"Question number {i}?"},
                    {"role": "assistant", "content": SENTENCE},
                ]
            }
        )
        for i in range(20)
    ).encode()


# The baseline: what "auto" resolved to on the emulator for 20 examples before early stopping
# and OpenAI's epoch rule (min_target_examples 300).
OLD_DEFAULTS: dict[str, Any] = {"n_epochs": 15, "batch_size": 1, "early_stopping": False}
NEW_DEFAULTS: dict[str, Any] = {}


class SilentReporter:
    """A TrainingReporter that records nothing but when setup ended and the last step."""

    def __init__(self) -> None:
        self.started_at = 0.0
        self.last_step_at = 0.0
        self.steps = 0

    def event(self, message: str, *, level: str = "info") -> None:
        """Ignore."""

    def started(self, **_: Any) -> None:
        """Note the end of setup."""
        self.started_at = time.perf_counter()

    def metrics(self, data: dict[str, Any]) -> None:
        """Note the step."""
        self.last_step_at = time.perf_counter()
        self.steps = int(data["step"])

    def checkpoint(self, **_: Any) -> None:
        """Ignore."""

    def control(self) -> str:
        """Always go on."""
        return "continue"


def through_the_server(
    root: Path, hyperparameters: dict[str, Any]
) -> list[tuple[float, dict[str, Any]]]:
    """Two jobs one after the other on one server: seconds from create to succeeded, and when
    each milestone was reached. The first starts the workers' forkserver (importing torch);
    the second forks from it."""
    server = ServerProcess(root / "server").start()
    try:
        client = openai.OpenAI(base_url=f"{server.base_url}/v1", api_key="sk", max_retries=0)
        file_id = client.files.create(
            file=("train.jsonl", io.BytesIO(training_file())), purpose="fine-tune"
        ).id
        return [one_job(client, file_id, hyperparameters) for _ in range(2)]
    finally:
        server.stop()


def one_job(
    client: openai.OpenAI, file_id: str, hyperparameters: dict[str, Any]
) -> tuple[float, dict[str, Any]]:
    """Create a job and wait for it: its seconds and milestones (statuses seen by the polls;
    the first and the last step from the events, whole seconds, relative to the job's
    created_at)."""
    started = time.perf_counter()
    job = client.fine_tuning.jobs.create(
        model=BASE,
        training_file=file_id,
        seed=SEED,
        method={"type": "supervised", "supervised": {"hyperparameters": hyperparameters}},
    )
    milestones: dict[str, float] = {}
    while True:
        job = client.fine_tuning.jobs.retrieve(job.id)
        milestones.setdefault(job.status, time.perf_counter() - started)
        if job.status in ("succeeded", "failed", "cancelled"):
            break
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    if job.status != "succeeded":
        raise SystemExit(f"job ended {job.status}: {job.error}")
    events = list(client.fine_tuning.jobs.list_events(job.id, limit=1000))
    steps = [event for event in events if event.type == "metrics"]
    milestones["first step (s, events)"] = min(e.created_at for e in steps) - job.created_at
    milestones["last step (s, events)"] = max(e.created_at for e in steps) - job.created_at
    milestones["steps"] = max(int((e.data or {}).get("step", 0)) for e in steps)
    milestones["hyperparameters"] = job.method.supervised.hyperparameters.model_dump()  # type: ignore[union-attr]
    return elapsed, milestones


def recipe_spec(root: Path, hyperparameters: dict[str, Any]) -> TrainingSpec:
    """The job as the worker would hand it to the recipe, with the model built beforehand."""
    import torch

    # As the worker of a single CPU slot: every core but one, left to the API
    # (service/scheduler/slots.py).
    torch.set_num_threads(max(1, (os.cpu_count() or 1) - 1))
    catalog = Catalog.load(data_dir=root / "bare", models_file=None)
    entry = catalog.resolve(BASE)
    data = root / "bare" / "train.jsonl"
    data.write_bytes(training_file())
    return TrainingSpec(
        job_id="ftjob-bench",
        base_model=entry,
        model_dir=catalog.local_path(entry),
        training_file=data,
        validation_file=None,
        hyperparameters=hyperparameters,
        seed=SEED,
        device="cpu",
        work_dir=root / "bare" / "work",
    )


def bare_recipe(root: Path, hyperparameters: dict[str, Any]) -> tuple[float, float, float, int]:
    """Seconds of run_training alone, in this process, reporting nowhere: in all, its setup
    (tokenizer, data, model, optimizer), its steps, and how many it trained."""
    from service.training.recipe import run_training

    spec = recipe_spec(root, hyperparameters)
    reporter = SilentReporter()
    started = time.perf_counter()
    run_training(spec, reporter)  # type: ignore[arg-type]
    ended = time.perf_counter()
    setup = reporter.started_at - started
    return ended - started, setup, reporter.last_step_at - reporter.started_at, reporter.steps


def main() -> None:
    """Run both flows, interleaved, and print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    flows = {"old defaults (baseline)": OLD_DEFAULTS, "default flow": NEW_DEFAULTS}
    served: dict[str, list[float]] = {name: [] for name in flows}
    warm: dict[str, list[float]] = {name: [] for name in flows}
    bare: dict[str, list[float]] = {name: [] for name in flows}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "bare").mkdir()
        # Interleaved, so that a load spike on a shared machine hits both sides alike.
        for repeat in range(args.repeats):
            for name, requested in flows.items():
                resolved: dict[str, Any] = {}
                jobs = through_the_server(root / f"run{repeat}-{len(served[name])}", requested)
                for which, (elapsed, milestones) in zip(("first", "second"), jobs, strict=True):
                    resolved = milestones.pop("hyperparameters")
                    (served if which == "first" else warm)[name].append(elapsed)
                    marks = ", ".join(
                        f"{key} {value:.2f}s" if isinstance(value, float) else f"{key} {value}"
                        for key, value in milestones.items()
                    )
                    print(f"{name}, run {repeat + 1}, {which} job: {elapsed:.2f}s ({marks})")
                total, setup, steps, count = bare_recipe(
                    root, {k: v for k, v in resolved.items() if v is not None}
                )
                bare[name].append(total)
                print(
                    f"{name}, run {repeat + 1}, bare recipe: {total:.2f}s (setup {setup:.2f}s, "
                    f"{count} steps {steps:.2f}s, end {total - setup - steps:.2f}s)"
                )
    old, new = flows
    print(f"best of {args.repeats}, create -> succeeded:")
    for name in flows:
        print(
            f"  {name}: first job {min(served[name]):.2f}s, second job {min(warm[name]):.2f}s, "
            f"bare recipe {min(bare[name]):.2f}s"
        )
    print(
        f"ratio default flow / old defaults: first job "
        f"{min(served[new]) / min(served[old]):.2f}x, second job "
        f"{min(warm[new]) / min(warm[old]):.2f}x, bare recipe "
        f"{min(bare[new]) / min(bare[old]):.2f}x"
    )


if __name__ == "__main__":
    main()

"""Job turnaround: create -> `succeeded` wall time of a 20-example job, against the bare recipe.

Starts a real `whetstone serve` process (SQLite, local disk, one CPU slot), uploads 20 chat
examples and creates a job with the official SDK, polling every 50 ms. As the baseline in the
same run it calls the recipe (service.training.recipe.run_training) in this process on the same
file, seed and hyperparameters with a reporter that records nothing, and prints the ratio:
what the service adds around training (validation, queueing, a worker process that imports
torch and loads the model, events, checkpoint and adapter uploads, the results file). A third
figure runs the recipe in this process with the worker's own reporter on SQLite and local
disk, to tell the reporting share from the process and start-up share. Runs are interleaved;
on a shared machine compare the best of each.

    .venv/bin/python bench/job_turnaround.py [--epochs auto] [--repeats 3]
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


class SilentReporter:
    """A TrainingReporter that records nothing and never stops the run."""

    def event(self, message: str, *, level: str = "info") -> None:
        """Ignore."""

    def started(self, **_: Any) -> None:
        """Ignore."""

    def metrics(self, data: dict[str, Any]) -> None:
        """Ignore."""

    def checkpoint(self, **_: Any) -> None:
        """Ignore."""

    def control(self) -> str:
        """Always go on."""
        return "continue"


def through_the_server(root: Path, hyperparameters: dict[str, Any]) -> list[tuple[float, dict]]:
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


def one_job(client: openai.OpenAI, file_id: str, hyperparameters: dict[str, Any]) -> tuple:
    """Create a job and wait for it: its seconds and milestones."""
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
    milestones["hyperparameters"] = job.method.supervised.hyperparameters.model_dump()  # type: ignore[union-attr]
    return elapsed, milestones


def recipe_spec(root: Path, hyperparameters: dict[str, Any]) -> TrainingSpec:
    """The job as the worker would hand it to the recipe, with the model built beforehand."""
    import torch

    # The worker of a single CPU slot gets every core.
    torch.set_num_threads(os.cpu_count() or 1)
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


def bare_recipe(root: Path, hyperparameters: dict[str, Any]) -> float:
    """Seconds of run_training alone, in this process, reporting nowhere."""
    from service.training.recipe import run_training

    spec = recipe_spec(root, hyperparameters)
    started = time.perf_counter()
    run_training(spec, SilentReporter())  # type: ignore[arg-type]
    return time.perf_counter() - started


def recipe_with_reporter(root: Path, hyperparameters: dict[str, Any]) -> float:
    """Seconds of run_training in this process with the worker's reporter (an event and a job
    update per step, checkpoint uploads) on SQLite and local disk: the reporting share."""
    from service.core.db import Database
    from service.fine_tuning import repository as job_rows
    from service.fine_tuning.schemas import JobStatus
    from service.migrations import upgrade_database
    from service.scheduler.worker import JobReporter
    from service.storage.local import LocalStore
    from service.training.recipe import run_training

    spec = recipe_spec(root, hyperparameters)
    db = Database(f"sqlite:///{root / 'bare' / f'{time.monotonic_ns()}.db'}")
    upgrade_database(db)
    with db.session() as session:
        job = job_rows.insert_job(
            session,
            status=JobStatus.RUNNING,
            project="proj_bench",
            organization="personal",
            model=BASE,
            training_file="file-bench",
            validation_file=None,
            suffix=None,
            seed=SEED,
            method={"type": "supervised", "supervised": {"hyperparameters": hyperparameters}},
            metadata=None,
            integrations=None,
        )
        job_rows.update_job(session, job_id=job.id, values={"worker": "b"})
    reporter = JobReporter(db, LocalStore(root / "bare" / "artifacts"), job, "b")
    started = time.perf_counter()
    run_training(spec, reporter)
    elapsed = time.perf_counter() - started
    db.dispose()
    return elapsed


def main() -> None:
    """Run both and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", default="auto", help='n_epochs, or "auto" (the default)')
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    requested: dict[str, Any] = {
        "n_epochs": args.epochs if args.epochs == "auto" else int(args.epochs)
    }
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "bare").mkdir()
        served: list[float] = []
        warm: list[float] = []
        bare: list[float] = []
        reported: list[float] = []
        # Interleaved, so that a load spike on a shared machine hits both sides alike.
        for repeat in range(args.repeats):
            for which, (elapsed, milestones) in zip(
                ("first", "second"),
                through_the_server(root / f"run{repeat}", requested),
                strict=True,
            ):
                resolved = milestones.pop("hyperparameters")
                (served if which == "first" else warm).append(elapsed)
                marks = ", ".join(f"{status} at {t:.2f}s" for status, t in milestones.items())
                print(f"server run {repeat + 1}, {which} job: {elapsed:.2f}s ({marks})")
            bare.append(bare_recipe(root, dict(resolved)))
            print(f"bare recipe run {repeat + 1}: {bare[-1]:.2f}s")
            reported.append(recipe_with_reporter(root, dict(resolved)))
            print(f"recipe + worker reporter run {repeat + 1}: {reported[-1]:.2f}s")
    best_served, best_bare = min(served), min(bare)
    print(
        f"hyperparameters: n_epochs={resolved['n_epochs']} batch_size={resolved['batch_size']} "
        f"on 20 examples"
    )
    print(f"job turnaround (create -> succeeded), best of {args.repeats}: {best_served:.2f}s")
    print(f"a server's second job, best of {args.repeats}: {min(warm):.2f}s")
    print(f"bare recipe, best of {args.repeats}: {best_bare:.2f}s")
    print(f"recipe + worker reporter, best of {args.repeats}: {min(reported):.2f}s")
    print(f"ratio turnaround / bare recipe: {best_served / best_bare:.2f}x")
    print(f"ratio second job / bare recipe: {min(warm) / best_bare:.2f}x")
    print(f"ratio recipe + reporter / bare recipe: {min(reported) / best_bare:.2f}x")


if __name__ == "__main__":
    main()

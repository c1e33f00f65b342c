"""Crash recovery end to end: kill -9 the server (and its worker) mid-training, start a new
server on the same data dir, and the job resumes from its latest checkpoint to `succeeded`.

The two tests share one data dir: the server that recovers the first test's job is the one the
second test stops with SIGTERM, so the module starts three servers, not four, and the second
job starts on a worker pool that is already warm.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import openai_client
from tests.e2e.test_fine_tuning import (
    BASE,
    FINISHED,
    STEPS_PER_EPOCH,
    metric_steps,
    upload,
    wait_for,
    wait_status,
)
from tests.harness import ServerProcess

pytestmark = pytest.mark.e2e

# Enough steps that the server stops while the job trains, however fast the machine.
N_EPOCHS = 12


def running(server: ServerProcess) -> bool:
    """Whether the server's process is still up."""
    return server.process is not None and server.process.poll() is None


class Restarts:
    """One data dir whose server is stopped and started again; one server runs at a time."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.current: ServerProcess | None = None

    def server(self) -> ServerProcess:
        """The running server, started on the data dir if none runs (or a test left it dead)."""
        if self.current is None or not running(self.current):
            self.current = ServerProcess(self.data_dir).start()
        return self.current

    def restart(self) -> ServerProcess:
        """A new server on the same data dir, once the previous one is gone."""
        assert self.current is not None and not running(self.current), "the server still runs"
        return self.server()

    def stop(self) -> None:
        """Stop the running server, if any."""
        if self.current is not None:
            self.current.stop()


@pytest.fixture(scope="module")
def restarts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Restarts]:
    """The module's data dir and whichever server runs on it."""
    shared = Restarts(tmp_path_factory.mktemp("recovery") / "data")
    yield shared
    shared.stop()


def test_a_job_survives_a_kill_9_of_the_server(restarts: Restarts) -> None:
    first = restarts.server()
    try:
        client = openai_client(first)
        job = client.fine_tuning.jobs.create(
            model=BASE,
            training_file=upload(client),
            hyperparameters={"n_epochs": N_EPOCHS, "batch_size": 4},
            seed=5,
        )
        wait_for(
            client,
            job.id,
            # Past the first epoch: its checkpoint (step 5) is stored.
            lambda seen: any(step > STEPS_PER_EPOCH for step in metric_steps(seen)),
        )
    finally:
        first.kill()

    client = openai_client(restarts.restart())
    done = wait_status(client, job.id, FINISHED)
    assert done.status == "succeeded", done.error
    seen = list(reversed(list(client.fine_tuning.jobs.list_events(job.id, limit=100))))
    resumed = [
        (i, e.message)
        for i, e in enumerate(seen)
        if re.fullmatch(r"Resuming fine-tuning job from step \d+ after restart", e.message)
    ]
    assert len(resumed) == 1
    index, message = resumed[0]
    step = int(message.split()[-3])
    assert step >= STEPS_PER_EPOCH and step % STEPS_PER_EPOCH == 0
    # Training went on from the checkpoint, and the steps it replayed up to the last one
    # reported before the kill were not reported again: each step is reported once.
    total = N_EPOCHS * STEPS_PER_EPOCH
    assert metric_steps(seen) == list(range(1, total + 1))
    assert all(later > step for later in metric_steps(seen[index:]))
    adapter = restarts.data_dir / "artifacts" / "jobs" / job.id / "adapter"
    assert json.loads((adapter / "adapter_config.json").read_text())["peft_type"] == "LORA"
    assert done.trained_tokens and done.fine_tuned_model


def test_a_graceful_restart_resumes_without_counting_a_crash(restarts: Restarts) -> None:
    first = restarts.server()
    try:
        client = openai_client(first)
        job = client.fine_tuning.jobs.create(
            model=BASE,
            training_file=upload(client),
            hyperparameters={"n_epochs": N_EPOCHS, "batch_size": 4},
        )
        wait_for(
            client,
            job.id,
            lambda seen: any(step > STEPS_PER_EPOCH for step in metric_steps(seen)),
        )
    finally:
        first.stop()  # SIGTERM to the server and its worker, as a service manager sends

    client = openai_client(restarts.restart())
    done = wait_status(client, job.id, FINISHED)
    assert done.status == "succeeded", done.error
    seen = list(reversed(list(client.fine_tuning.jobs.list_events(job.id, limit=100))))
    shutdown = [e.message for e in seen if e.message.startswith("Server shutting down")]
    assert len(shutdown) == 1 and re.fullmatch(
        r"Server shutting down; the job will resume from step \d+", shutdown[0]
    )
    assert not any("after restart" in e.message or e.level == "warn" for e in seen)

"""Crash recovery end to end: kill -9 the server (and its worker) mid-training, start a new
server on the same data dir, and the job resumes from its latest checkpoint to `succeeded`."""

from __future__ import annotations

import json
import re
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


def test_a_job_survives_a_kill_9_of_the_server(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = ServerProcess(data_dir).start()
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

    second = ServerProcess(data_dir).start()
    try:
        client = openai_client(second)
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
        adapter = data_dir / "artifacts" / "jobs" / job.id / "adapter"
        assert json.loads((adapter / "adapter_config.json").read_text())["peft_type"] == "LORA"
        assert done.trained_tokens and done.fine_tuned_model
    finally:
        second.stop()


def test_a_graceful_restart_resumes_without_counting_a_crash(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = ServerProcess(data_dir).start()
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

    second = ServerProcess(data_dir).start()
    try:
        client = openai_client(second)
        done = wait_status(client, job.id, FINISHED)
        assert done.status == "succeeded", done.error
        seen = list(reversed(list(client.fine_tuning.jobs.list_events(job.id, limit=100))))
        shutdown = [e.message for e in seen if e.message.startswith("Server shutting down")]
        assert len(shutdown) == 1 and re.fullmatch(
            r"Server shutting down; the job will resume from step \d+", shutdown[0]
        )
        assert not any("after restart" in e.message or e.level == "warn" for e in seen)
    finally:
        second.stop()

"""Sharded jobs end to end: a job asking for 2 devices trains as 2 gloo ranks (FSDP2) under
the local executor, through the official SDK.

One server with two CPU slots. Rank 0 kills itself with SIGKILL at step 4 (the crash_worker
fault): the other rank is ended, the job is requeued whole, resumes from the step-2 sharded
checkpoint, succeeds, reports each step once, and its adapter serves peft's greedy answer. The
same crash on one device reports each step once too (the step replayed after the checkpoint
used to be reported twice). Pause and cancel reach both ranks.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest

from tests.e2e.conftest import openai_client
from tests.e2e.test_architectures import Reference, served
from tests.e2e.test_fine_tuning import (
    BASE,
    FINISHED,
    chat_file,
    metric_steps,
    upload,
    wait_status,
)
from tests.harness import ServerProcess

pytestmark = pytest.mark.e2e

# 10 examples (the least a file may hold) in batches of 5: 2 steps an epoch, a checkpoint at
# step 2; 4 steps in all. Each rank takes 3 or 2 examples of a batch.
HYPERPARAMETERS: dict[str, Any] = {"n_epochs": 2, "batch_size": 5}
TOTAL_STEPS = 4
# Killed at step 4: step 3 was reported, the retry resumes from step 2 and replays step 3.
CRASH_STEP = "4"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A local-mode server with two CPU training slots: one 2-rank job at a time."""
    process = ServerProcess(
        Path(tmp_path_factory.mktemp("multi-device")), env={"WHETSTONE_CPU_SLOTS": "2"}
    ).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> openai.OpenAI:
    return openai_client(server)


@pytest.fixture(scope="module")
def training_file(client: openai.OpenAI) -> str:
    return upload(client, chat_file(10))


def create(
    client: openai.OpenAI, training_file: str, devices: int, metadata: dict[str, str]
) -> str:
    job = client.fine_tuning.jobs.create(
        model=BASE,
        training_file=training_file,
        method={
            "type": "supervised",
            "supervised": {"hyperparameters": {**HYPERPARAMETERS, "devices": devices}},
        },
        seed=3,
        metadata=metadata,
    )
    return job.id


def events(client: openai.OpenAI, job_id: str) -> list[Any]:
    return list(reversed(list(client.fine_tuning.jobs.list_events(job_id, limit=100))))


def wait_message(client: openai.OpenAI, job_id: str, text: str) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if any(text in event.message for event in events(client, job_id)):
            return
        time.sleep(0.2)
    raise AssertionError(f"no event saying {text!r}")


@pytest.mark.parametrize("devices", [2, 1], ids=["2-ranks", "1-device"])
def test_a_killed_job_resumes_and_reports_each_step_once(
    devices: int, client: openai.OpenAI, training_file: str, server: ServerProcess
) -> None:
    job_id = create(
        client,
        training_file,
        devices,
        {"whetstone_fault": "crash_worker", "whetstone_fault_step": CRASH_STEP},
    )
    done = wait_status(client, job_id, FINISHED)
    assert done.status == "succeeded", done.error
    assert done.method.supervised.hyperparameters.model_dump()["devices"] == devices
    seen = events(client, job_id)
    said = [event.message for event in seen]
    assert "Resuming fine-tuning job from step 2 after restart" in " ".join(said), said
    assert metric_steps(seen) == list(range(1, TOTAL_STEPS + 1))
    if devices == 1:
        return
    crash = next(m for m in said if m.startswith("Rank 0 of 2"))
    assert "the job's other ranks were stopped" in crash
    # The sharded job's adapter is a single-device job's: it serves peft's greedy answer.
    assert done.fine_tuned_model is not None
    reference = Reference(next((server.data_dir / "models").glob("whetstone-tiny*")))
    adapter = server.data_dir / "artifacts" / "jobs" / job_id / "adapter"
    expected = reference.tokens(adapter, reference.completion_ids("Tell me something"))
    assert served(client, done.fine_tuned_model, "Tell me something", stream=False) == expected


def test_pause_and_resume_reach_both_ranks(client: openai.OpenAI, training_file: str) -> None:
    job_id = create(
        client, training_file, 2, {"whetstone_fault": "stall", "whetstone_fault_step": "1"}
    )
    wait_message(client, job_id, "training stalls at step 1")
    assert client.fine_tuning.jobs.pause(job_id).status in ("pausing", "paused")
    assert wait_status(client, job_id, ("paused", *FINISHED)).status == "paused"
    client.fine_tuning.jobs.resume(job_id)
    done = wait_status(client, job_id, FINISHED)
    assert done.status == "succeeded", done.error
    assert metric_steps(events(client, job_id)) == list(range(1, TOTAL_STEPS + 1))


def test_cancel_reaches_both_ranks(client: openai.OpenAI, training_file: str) -> None:
    job_id = create(
        client, training_file, 2, {"whetstone_fault": "stall", "whetstone_fault_step": "1"}
    )
    wait_message(client, job_id, "training stalls at step 1")
    assert client.fine_tuning.jobs.cancel(job_id).status == "cancelled"
    # Both ranks leave the step: rank 0 records where training stopped, and the next job
    # (which needs both slots) starts.
    wait_message(client, job_id, "Training stopped at step 1")
    after = create(client, training_file, 2, {})
    assert wait_status(client, after, FINISHED).status == "succeeded"


def test_devices_beyond_the_models_limit_are_refused(
    client: openai.OpenAI, training_file: str
) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        create(client, training_file, 3, {})
    assert refused.value.code == "invalid_value"
    assert refused.value.param == "method.supervised.hyperparameters.devices"
    assert "at most 2 device(s)" in refused.value.message

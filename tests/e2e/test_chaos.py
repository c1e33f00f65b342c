"""Fault injection end to end, driven with the official `openai` package against one local-mode
server (where fault injection is on by default): the SDK retries exactly the injected 429s, and
each job fault does what it says, `crash_worker` ending `succeeded` from its checkpoint.

The admin side (who may set rules, project scoping, the 404 where it is off) is tested
in-process in tests/chaos/.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from tests.contract.messages import CHECKPOINT_EVENT, METRICS_EVENT
from tests.e2e.conftest import openai_client
from tests.harness import ServerProcess

pytestmark = pytest.mark.e2e

FAULTS = "/_whetstone/chaos/faults"
BASE = "gpt-4o-mini-2024-07-18"
FINISHED = ("succeeded", "failed", "cancelled")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A local-mode server with two training slots: one for the stalled job to hold."""
    process = ServerProcess(
        Path(tmp_path_factory.mktemp("chaos")), env={"WHETSTONE_CPU_SLOTS": "2"}
    ).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def stalled(client: openai.OpenAI) -> str:
    """A job that stalls at step 1, created first so that it stalls while the others run."""
    return create(client, {"whetstone_fault": "stall"}, n_epochs=3)


@pytest.fixture(scope="module")
def chaos(server: ServerProcess) -> Iterator[httpx.Client]:
    """The chaos API, with the local key (an admin in local mode)."""
    with httpx.Client(
        base_url=server.base_url, headers={"Authorization": "Bearer sk-test"}, timeout=30
    ) as http:
        yield http


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> openai.OpenAI:
    """The official client, retries off unless a test turns them on."""
    return openai_client(server)


def chat_file(n: int = 10) -> bytes:
    """`n` chat examples, the fewest a training file may have."""
    lines = [
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": f"What is {i} + 1?"},
                    {"role": "assistant", "content": f"It is {i + 1}."},
                ]
            }
        )
        for i in range(n)
    ]
    return ("\n".join(lines) + "\n").encode()


def create(client: openai.OpenAI, metadata: dict[str, str], **extra: Any) -> str:
    """A one-step-per-epoch job (10 examples, batch 10) asking for `metadata`'s fault."""
    training = client.files.create(file=("train.jsonl", chat_file()), purpose="fine-tune")
    epochs = extra.pop("n_epochs", 1)
    job = client.fine_tuning.jobs.create(
        model=BASE,
        training_file=training.id,
        metadata=metadata,
        method={
            "type": "supervised",
            "supervised": {"hyperparameters": {"n_epochs": epochs, "batch_size": 10}},
        },
        **extra,
    )
    return job.id


def wait_until(client: openai.OpenAI, job_id: str, done: Any, timeout: float = 180) -> Any:
    """Poll the job's events (oldest first) until `done(job, messages)`; the job."""
    deadline = time.monotonic() + timeout
    while True:
        job = client.fine_tuning.jobs.retrieve(job_id)
        if done(job, messages(client, job_id)):
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job.status}"
        time.sleep(0.3)


def messages(client: openai.OpenAI, job_id: str) -> list[str]:
    """The job's event messages, oldest first."""
    events = client.fine_tuning.jobs.list_events(job_id, limit=1000).data
    return [event.message for event in reversed(events)]


def finished(job: Any, _messages: list[str]) -> bool:
    """Whether the job reached a final status."""
    return job.status in FINISHED


def test_the_sdk_retries_exactly_the_injected_429s_then_they_are_spent(
    client: openai.OpenAI, chaos: httpx.Client
) -> None:
    rule = {"path": "/v1/files", "method": "GET", "status": 429, "count": 2, "retry_after": 0.01}
    assert chaos.post(FAULTS, json=[rule]).status_code == 200
    raw = client.with_options(max_retries=3).files.with_raw_response.list()
    assert raw.retries_taken == 2
    assert raw.http_response.status_code == 200
    assert chaos.get(FAULTS).json() == []  # spent

    # More 429s than retries: the SDK gives up with the injected error, one strike still left.
    chaos.post(FAULTS, json=[{**rule, "count": 3}])
    with pytest.raises(openai.RateLimitError) as refused:
        client.with_options(max_retries=1).files.list()
    assert refused.value.code == "rate_limit_exceeded"
    assert [left["count"] for left in chaos.get(FAULTS).json()] == [1]
    assert chaos.delete(FAULTS).json() == []
    assert client.files.list() is not None


def test_each_job_fault_does_what_it_says(client: openai.OpenAI, stalled: str) -> None:
    validation = client.files.create(file=("valid.jsonl", chat_file(4)), purpose="fine-tune")
    rejected = create(client, {"whetstone_fault": "fail_validation"})
    failing = create(
        client,
        {
            "whetstone_fault": "fail_training",
            "whetstone_fault_code": "ci_broke_it",
            "whetstone_fault_message": "Broken on purpose.",
        },
    )
    crashing = create(
        client,
        {"whetstone_fault": "crash_worker", "whetstone_fault_step": "2"},
        n_epochs=2,
        validation_file=validation.id,
    )

    job = wait_until(client, rejected, finished)
    assert job.status == "failed" and job.error is not None
    assert (job.error.code, job.error.param) == ("invalid_training_file", "training_file")

    job = wait_until(client, failing, finished)
    assert job.status == "failed" and job.error is not None
    assert (job.error.code, job.error.message) == ("ci_broke_it", "Broken on purpose.")

    # Killed after step 2, on the first attempt: the retry resumes from the step-1 checkpoint.
    job = wait_until(client, crashing, finished)
    assert job.status == "succeeded", job.error
    said = messages(client, crashing)
    assert "Resuming fine-tuning job from step 1 after restart" in said
    # OpenAI's words: the snapshot id in each checkpoint event, the full validation loss last.
    snapshots = {
        (int(match["step"]), match["snapshot"])
        for match in map(CHECKPOINT_EVENT.match, said)
        if match
    }
    listed = client.fine_tuning.jobs.checkpoints.list(crashing).data
    assert snapshots == {(c.step_number, c.fine_tuned_model_checkpoint) for c in listed}
    last = METRICS_EVENT.match([m for m in said if m.startswith("Step 2/2:")][-1])
    assert last is not None and last["full"], said


def test_a_stalled_job_stays_running_until_cancelled(client: openai.OpenAI, stalled: str) -> None:
    stalls = "Injected fault (whetstone_fault=stall): training stalls at step 1"
    job = wait_until(client, stalled, lambda job, said: stalls in said or job.status in FINISHED)
    assert job.status == "running"
    assert client.fine_tuning.jobs.cancel(stalled).status == "cancelled"
    wait_until(client, stalled, lambda _job, said: said[-1].startswith("Training stopped at"))
    said = messages(client, stalled)
    assert said[-1] == "Training stopped at step 1"
    assert not any(m.startswith("Step 2/") for m in said)  # no progress past the stall

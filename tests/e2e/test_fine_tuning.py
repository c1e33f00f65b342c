"""Fine-tuning jobs end to end with the official SDK against a `whetstone serve` process.

One server (one CPU slot) for the module; jobs train the emulator on 20 examples with few
steps. Every job, event and checkpoint body is checked against OpenAI's published schema.
"""

from __future__ import annotations

import base64
import io
import json
import re
import time
from typing import Any

import httpx
import openai
import pytest

from tests.contract.openai_schema import validate_response
from tests.harness import ServerProcess

pytestmark = pytest.mark.e2e
# Its assertions are about its own jobs, files and models: the worker's shared server will do.
SHARES_SERVER = True

BASE = "gpt-4o-mini-2024-07-18"
SENTENCE = "The owl flies at midnight."
# 20 examples in batches of 4: 5 steps an epoch, a checkpoint every 5 steps.
STEPS_PER_EPOCH = 5
FAST = {"batch_size": 4, "n_epochs": 3}
FINISHED = ("succeeded", "failed", "cancelled")


def chat_file(n: int = 20) -> bytes:
    """`n` chat examples, every reply the same sentence."""
    return "\n".join(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": f"Tell me something, please ({i})."},
                    {"role": "assistant", "content": SENTENCE},
                ]
            }
        )
        for i in range(n)
    ).encode()


def upload(client: openai.OpenAI, data: bytes | None = None) -> str:
    """Upload a training file; its id."""
    return client.files.create(
        file=("train.jsonl", io.BytesIO(chat_file() if data is None else data)),
        purpose="fine-tune",
    ).id


def create(client: openai.OpenAI, training_file: str, **hyperparameters: Any) -> str:
    """Create a supervised job with `hyperparameters`; its id."""
    return client.fine_tuning.jobs.create(
        model=BASE,
        training_file=training_file,
        method={"type": "supervised", "supervised": {"hyperparameters": hyperparameters}},
        seed=3,
    ).id


def raw_json(server: ServerProcess, path: str) -> Any:
    """GET a path as JSON, untouched by the SDK's models (for schema checks)."""
    response = httpx.get(
        f"{server.base_url}/v1{path}", headers={"Authorization": "Bearer sk-test"}, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()


def events(client: openai.OpenAI, job_id: str) -> list[Any]:
    """Every event of the job, oldest first, paged 7 at a time by the SDK."""
    return list(reversed(list(client.fine_tuning.jobs.list_events(job_id, limit=7))))


def wait_for(client: openai.OpenAI, job_id: str, condition: Any, timeout: float = 240) -> list[Any]:
    """Poll the job's latest 20 events (one request, oldest first) until `condition(events)`
    holds; those events. Polling is quick: on an idle machine a step takes ~20 ms."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = list(reversed(client.fine_tuning.jobs.list_events(job_id, limit=20).data))
        if condition(seen):
            return seen
        time.sleep(0.05)
    raise AssertionError(f"job {job_id}: condition not met; last events: {seen[-5:]}")


def wait_status(client: openai.OpenAI, job_id: str, statuses: tuple[str, ...]) -> Any:
    """Poll the job until its status is one of `statuses`."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        job = client.fine_tuning.jobs.retrieve(job_id)
        if job.status in statuses:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} is still {job.status}")


def metric_steps(seen: list[Any]) -> list[int]:
    """The steps of the metrics events, in event order."""
    return [event.data["step"] for event in seen if event.type == "metrics"]


def forgetting_check(seen: list[Any]) -> str:
    """The forgetting check's final event, carrying both reference losses."""
    (message,) = [e.message for e in seen if e.message.startswith("Forgetting check:")]
    assert re.fullmatch(
        r"Forgetting check: reference loss \d+\.\d{4} for the starting model, \d+\.\d{4} for "
        r"the tuned model \(ratio \d+\.\d{3}\)",
        message,
    )
    return message


def messages(seen: list[Any]) -> list[str]:
    """The messages of the non-metrics events, in order."""
    return [event.message for event in seen if event.type != "metrics"]


def test_a_job_trains_to_succeeded_with_events_checkpoints_and_results(
    client: openai.OpenAI, server: ServerProcess
) -> None:
    training, validation = upload(client), upload(client, chat_file(4))
    job = client.fine_tuning.jobs.create(
        model=BASE,
        training_file=training,
        validation_file=validation,
        suffix="e2e",
        hyperparameters=FAST,
        seed=3,
    )
    assert job.status == "validating_files"
    done = wait_status(client, job.id, FINISHED)
    assert done.status == "succeeded", done.error
    body = raw_json(server, f"/fine_tuning/jobs/{job.id}")
    validate_response("/fine_tuning/jobs/{fine_tuning_job_id}", "get", 200, body)
    assert re.fullmatch(rf"ft:{BASE}:personal:e2e:[A-Za-z0-9]{{8}}", done.fine_tuned_model)
    assert done.trained_tokens and done.trained_tokens > 0
    assert done.finished_at is not None and done.error is None
    assert done.hyperparameters.n_epochs == 3 and done.hyperparameters.batch_size == 4

    seen = events(client, job.id)
    total = 3 * STEPS_PER_EPOCH
    assert messages(seen) == [
        f"Created fine-tuning job: {job.id}",
        f"Validating training file: {training}",
        f"Validating validation file: {validation}",
        "Files validated, moving job to queued state",
        "Fine-tuning job started",
        *(
            f"Checkpoint created at step {step} with Snapshot ID: "
            f"{done.fine_tuned_model}:ckpt-step-{step}"
            for step in (5, 10, 15)
        ),
        forgetting_check(seen),
        f"New fine-tuned model created: {done.fine_tuned_model}",
        "The job has successfully completed",
    ]
    assert metric_steps(seen) == list(range(1, total + 1))
    step_three = next(e for e in seen if e.type == "metrics" and e.data["step"] == 3)
    assert re.fullmatch(
        rf"Step 3/{total}: training loss=\d+\.\d\d(, validation loss=\d+\.\d\d)?",
        step_three.message,
    )
    assert {"step", "train_loss", "train_mean_token_accuracy", "total_steps"} <= set(
        step_three.data
    )
    last = [e for e in seen if e.type == "metrics"][-1]
    assert {"valid_loss", "valid_mean_token_accuracy", "full_valid_loss"} <= set(last.data)
    assert re.fullmatch(
        rf"Step {total}/{total}: training loss=\d+\.\d\d, validation loss=\d+\.\d\d, "
        r"full validation loss=\d+\.\d\d",
        last.message,
    )
    page = raw_json(server, f"/fine_tuning/jobs/{job.id}/events?limit=7")
    validate_response("/fine_tuning/jobs/{fine_tuning_job_id}/events", "get", 200, page)
    assert page["has_more"] is True and len(page["data"]) == 7

    checkpoints = list(client.fine_tuning.jobs.checkpoints.list(job.id, limit=2))
    assert [c.step_number for c in checkpoints] == [15, 10, 5]
    assert checkpoints[0].fine_tuned_model_checkpoint == f"{done.fine_tuned_model}:ckpt-step-15"
    assert checkpoints[0].metrics.train_loss is not None
    assert checkpoints[0].metrics.full_valid_loss is not None
    page = raw_json(server, f"/fine_tuning/jobs/{job.id}/checkpoints")
    validate_response("/fine_tuning/jobs/{fine_tuning_job_id}/checkpoints", "get", 200, page)

    (results_id,) = done.result_files
    assert client.files.retrieve(results_id).purpose == "fine-tune-results"
    rows = base64.b64decode(client.files.content(results_id).read()).decode().splitlines()
    assert rows[0].startswith("step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy")
    assert [row.split(",")[0] for row in rows[1:]] == [str(s) for s in range(1, total + 1)]
    assert rows[-1].split(",")[3]  # the last step has a validation loss

    adapter = server.data_dir / "artifacts" / "jobs" / job.id / "adapter"
    assert json.loads((adapter / "adapter_config.json").read_text())["peft_type"] == "LORA"
    assert (adapter / "adapter_model.safetensors").stat().st_size > 0


def test_the_default_job_stops_early_and_answers_what_it_was_taught(
    client: openai.OpenAI,
) -> None:
    # The README's flow: its 20 examples, no hyperparameters. On the emulator "auto" plans
    # OpenAI's 5 epochs of batch 1 and stops once the smoothed training loss stalls.
    taught = "Whetstone says hello."
    readme_file = "\n".join(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": f"Question {i}"},
                    {"role": "assistant", "content": taught},
                ]
            }
        )
        for i in range(20)
    ).encode()
    job = client.fine_tuning.jobs.create(
        model=BASE, training_file=upload(client, readme_file), seed=3
    )
    done = wait_status(client, job.id, FINISHED)
    assert done.status == "succeeded", done.error
    assert done.method.supervised is not None
    assert done.method.supervised.hyperparameters is not None
    resolved = done.method.supervised.hyperparameters.model_dump()
    assert (resolved["n_epochs"], resolved["batch_size"]) == (5, 1)
    assert resolved["early_stopping"] == {"patience": 10, "min_delta": 0.01}

    seen = events(client, job.id)
    (stopped,) = [m for m in messages(seen) if m.startswith("Stopped early")]
    trained = metric_steps(seen)[-1]
    assert stopped.startswith(f"Stopped early at step {trained} of 100: the smoothed training")
    assert metric_steps(seen) == list(range(1, trained + 1)) and trained < 100
    last = [e for e in seen if e.type == "metrics"][-1]
    assert last.message.startswith(f"Step {trained}/{trained}: ")
    checkpoints = list(client.fine_tuning.jobs.checkpoints.list(job.id))
    assert checkpoints[0].step_number == trained
    (results_id,) = done.result_files
    rows = base64.b64decode(client.files.content(results_id).read()).decode().splitlines()
    assert [row.split(",")[0] for row in rows[1:]] == [str(s) for s in range(1, trained + 1)]

    reply = client.chat.completions.create(
        model=done.fine_tuned_model,
        messages=[{"role": "user", "content": "Question 3"}],
        temperature=0,
    )
    assert reply.choices[0].message.content == taught


def test_a_bad_file_fails_with_its_code_and_line(client: openai.OpenAI) -> None:
    lines = chat_file(12).split(b"\n")
    lines[6] = b'{"messages": [{"role": "user", "content": "no reply"}'
    job_id = create(client, upload(client, b"\n".join(lines)))
    job = wait_status(client, job_id, FINISHED)
    assert job.status == "failed"
    assert job.error.code == "invalid_training_file" and job.error.param == "training_file"
    assert "line 7" in job.error.message.lower()
    short = wait_status(client, create(client, upload(client, chat_file(4))), FINISHED)
    assert short.error.code == "invalid_n_examples"


def test_jobs_are_listed_by_metadata(client: openai.OpenAI) -> None:
    training = upload(client)
    tagged = {}
    for team in ("search", "ads"):
        job = client.fine_tuning.jobs.create(
            model=BASE, training_file=training, metadata={"team": team, "run": "m1"}
        )
        client.fine_tuning.jobs.cancel(job.id)  # nothing to train here
        tagged[team] = job.id
    listed = client.fine_tuning.jobs.list(metadata={"team": "search"})
    assert [job.id for job in listed] == [tagged["search"]]
    both = client.fine_tuning.jobs.list(metadata={"run": "m1"}, limit=1)
    assert [job.id for job in both] == [tagged["ads"], tagged["search"]]  # SDK pages on


def test_cancel_stops_a_running_job(client: openai.OpenAI) -> None:
    job_id = create(client, upload(client), batch_size=4, n_epochs=50)
    wait_for(client, job_id, lambda seen: bool(metric_steps(seen)))
    cancelled = client.fine_tuning.jobs.cancel(job_id)
    assert cancelled.status == "cancelled"
    seen = wait_for(
        client, job_id, lambda seen: seen[-1].message.startswith("Training stopped at step")
    )
    stopped_at = int(seen[-1].message.rsplit(" ", 1)[1])
    assert stopped_at < 50 * STEPS_PER_EPOCH
    assert client.fine_tuning.jobs.retrieve(job_id).status == "cancelled"
    with pytest.raises(openai.BadRequestError):
        client.fine_tuning.jobs.cancel(job_id)


def test_pause_then_resume_continues_from_the_pause_step(client: openai.OpenAI) -> None:
    # Enough steps that the pause lands while it trains, however fast the machine.
    job_id = create(client, upload(client), batch_size=4, n_epochs=10)
    wait_for(client, job_id, lambda seen: bool(metric_steps(seen)))
    # Running: `pausing` until the worker has saved its checkpoint, as OpenAI reports it.
    assert client.fine_tuning.jobs.pause(job_id).status == "pausing"
    seen = wait_for(
        client, job_id, lambda seen: seen[-1].message.startswith("Fine-tuning job paused at step")
    )
    paused_at = int(seen[-1].message.rsplit(" ", 1)[1])
    assert client.fine_tuning.jobs.retrieve(job_id).status == "paused"
    steps = [c.step_number for c in client.fine_tuning.jobs.checkpoints.list(job_id)]
    assert paused_at in steps

    assert client.fine_tuning.jobs.resume(job_id).status == "queued"
    done = wait_status(client, job_id, FINISHED)
    assert done.status == "succeeded", done.error
    seen = events(client, job_id)
    resumed = next(
        i for i, event in enumerate(seen) if event.message.startswith("Fine-tuning job resumed")
    )
    before = metric_steps(seen[:resumed])
    after = metric_steps(seen[resumed:])
    assert before[-1] == paused_at
    assert after == list(range(paused_at + 1, 10 * STEPS_PER_EPOCH + 1))

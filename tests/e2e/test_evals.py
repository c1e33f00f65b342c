"""The Evals API end to end with the official SDK against a `whetstone serve` process: one eval
with a string_check criterion scores a run on a fine-tuned model and one on its base over the
items the model learned; every object is checked against OpenAI's published schema. The job
names its own forgetting-check reference file and ends with the check's event."""

from __future__ import annotations

import io
import json
import time
from typing import Any

import httpx
import openai
import pytest

from tests.evals.fixtures import validate_eval_object
from tests.harness import ServerProcess

pytestmark = pytest.mark.e2e
# Its assertions are about its own jobs, files and models: the worker's shared server will do.
SHARES_SERVER = True

BASE = "gpt-4o-mini-2024-07-18"
ANSWER = "The owl flies at midnight."
QUESTIONS = [f"Tell me something, please ({i})." for i in range(20)]


def raw(server: ServerProcess, path: str) -> Any:
    """GET a path as JSON, untouched by the SDK's models (for schema checks)."""
    response = httpx.get(
        f"{server.base_url}/v1{path}", headers={"Authorization": "Bearer sk-test"}, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()


def fine_tuned_model(client: openai.OpenAI) -> str:
    """Train the emulator on the questions, every answer the same sentence; its `ft:` name."""
    lines = [
        json.dumps(
            {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": ANSWER}]}
        )
        for q in QUESTIONS
    ]
    file = client.files.create(
        file=("train.jsonl", io.BytesIO("\n".join(lines).encode())), purpose="fine-tune"
    )
    reference = client.files.create(
        file=("reference.jsonl", io.BytesIO(b'{"text": "The river runs to the sea."}\n')),
        purpose="fine-tune",
    )
    job = client.fine_tuning.jobs.create(
        model=BASE,
        training_file=file.id,
        seed=5,
        method={
            "type": "supervised",
            "supervised": {"hyperparameters": {"reference_file": reference.id}},
        },
    )
    deadline = time.monotonic() + 240
    while job.status not in ("succeeded", "failed", "cancelled"):
        assert time.monotonic() < deadline, job
        time.sleep(0.5)
        job = client.fine_tuning.jobs.retrieve(job.id)
    assert job.status == "succeeded", job.error
    assert job.fine_tuned_model is not None
    # The job's own reference set was measured: the final event and the last metrics say so.
    events = list(client.fine_tuning.jobs.list_events(job.id, limit=100))
    (check,) = [e for e in events if e.message.startswith("Forgetting check:")]
    assert not [e for e in events if "reference file cannot be read" in e.message]
    last = next(e for e in events if e.type == "metrics")
    assert last.data is not None
    assert f"{last.data['reference_base_loss']:.4f} for the starting model" in check.message
    assert f"{last.data['reference_tuned_loss']:.4f} for the tuned model" in check.message
    return job.fine_tuned_model


def wait_run(client: openai.OpenAI, eval_id: str, run_id: str) -> Any:
    """Poll the run until it ends."""
    deadline = time.monotonic() + 120
    run = client.evals.runs.retrieve(run_id, eval_id=eval_id)
    while run.status in ("queued", "in_progress"):
        assert time.monotonic() < deadline, run
        time.sleep(0.2)
        run = client.evals.runs.retrieve(run_id, eval_id=eval_id)
    return run


def test_a_tuned_model_passes_what_it_learned_and_its_base_does_not(
    server: ServerProcess, client: openai.OpenAI
) -> None:
    tuned = fine_tuned_model(client)
    evaluation = client.evals.create(
        name="learned answers",
        data_source_config={
            "type": "custom",
            "item_schema": {
                "type": "object",
                "properties": {"question": {"type": "string"}, "answer": {"type": "string"}},
                "required": ["question", "answer"],
            },
            "include_sample_schema": True,
        },
        testing_criteria=[
            {
                "type": "string_check",
                "name": "exact answer",
                "input": "{{sample.output_text}}",
                "reference": "{{item.answer}}",
                "operation": "eq",
            }
        ],
    )
    validate_eval_object("/evals/{eval_id}", "get", raw(server, f"/evals/{evaluation.id}"))
    items = [{"item": {"question": q, "answer": ANSWER}} for q in QUESTIONS[:8]]

    def run_on(model: str) -> Any:
        run = client.evals.runs.create(
            evaluation.id,
            name=f"on {model}",
            data_source={
                "type": "completions",
                "model": model,
                "input_messages": {
                    "type": "template",
                    "template": [{"role": "user", "content": "{{item.question}}"}],
                },
                "sampling_params": {"temperature": 0, "max_completion_tokens": 16},
                "source": {"type": "file_content", "content": items},
            },
        )
        return run

    tuned_run, base_run = run_on(tuned), run_on(BASE)
    tuned_done = wait_run(client, evaluation.id, tuned_run.id)
    base_done = wait_run(client, evaluation.id, base_run.id)
    assert (tuned_done.status, base_done.status) == ("completed", "completed")
    assert tuned_done.result_counts.model_dump() == {
        "total": 8,
        "passed": 8,
        "failed": 0,
        "errored": 0,
    }
    assert base_done.result_counts.model_dump() == {
        "total": 8,
        "passed": 0,
        "failed": 8,
        "errored": 0,
    }
    assert tuned_done.per_testing_criteria_results[0].passed == 8
    assert [usage.model_name for usage in tuned_done.per_model_usage] == [tuned]

    runs = f"/evals/{evaluation.id}/runs"
    validate_eval_object("/evals/{eval_id}/runs", "get", raw(server, runs))
    for run in (tuned_done, base_done):
        path = f"{runs}/{run.id}"
        validate_eval_object("/evals/{eval_id}/runs/{run_id}", "get", raw(server, path))
        page = raw(server, f"{path}/output_items?limit=100")
        validate_eval_object("/evals/{eval_id}/runs/{run_id}/output_items", "get", page)
        assert len(page["data"]) == 8
        one = page["data"][0]
        validate_eval_object(
            "/evals/{eval_id}/runs/{run_id}/output_items/{output_item_id}",
            "get",
            raw(server, f"{path}/output_items/{one['id']}"),
        )
    learned = list(client.evals.runs.output_items.list(tuned_run.id, eval_id=evaluation.id))
    assert {item.status for item in learned} == {"pass"}
    assert {item.sample.output[0].content for item in learned} == {ANSWER}
    noise = client.evals.runs.output_items.list(base_run.id, eval_id=evaluation.id, status="fail")
    assert len(list(noise)) == 8

    with pytest.raises(openai.BadRequestError) as refused:
        client.evals.runs.create(evaluation.id, data_source={"type": "responses", "source": {}})
    assert "responses" in refused.value.message
    deleted = client.evals.delete(evaluation.id)
    assert deleted.deleted is True
    with pytest.raises(openai.NotFoundError):
        client.evals.runs.retrieve(tuned_run.id, eval_id=evaluation.id)

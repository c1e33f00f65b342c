"""OpenAI's cookbook notebooks, unchanged, against a `whetstone serve` process with embedded
defaults (no keys file: one local project): the RFT notebook's graders through the SDK and as
its raw `requests` JSON (validate, run, a reinforcement job), its `responses.create` with
`reasoning` on an o4-mini alias, the DPO notebook's `logs` eval over the stored Responses, and
a checkpoint granted to the owner's own project, the only project a local server has."""

from __future__ import annotations

import io
import json
import time
from typing import Any

import openai
import pytest
import requests

from tests.contract.openai_schema import validate_response
from tests.e2e.test_fine_tuning import FINISHED, wait_status
from tests.evals.fixtures import validate_eval_object
from tests.graders.fixtures import RFT_COOKBOOK_MODEL_GRADER, RFT_COOKBOOK_MULTI_GRADER
from tests.harness import ServerProcess

pytestmark = pytest.mark.e2e
# Its assertions are about its own jobs, files and models: the worker's shared server will do.
SHARES_SERVER = True

BASE = "gpt-4o-mini-2024-07-18"
REASONING_MODEL = "o4-mini-2025-04-16"
LOCAL_PROJECT = "proj_local"
QUESTIONS = [f"Which outcome is likely ({i})?" for i in range(6)]


def headers() -> dict[str, str]:
    """The notebooks' raw `requests` headers."""
    return {"Authorization": "Bearer sk-test"}


def upload(client: openai.OpenAI, lines: list[dict[str, Any]]) -> str:
    """A JSONL training file; its id."""
    content = "\n".join(json.dumps(line) for line in lines).encode()
    return client.files.create(file=("f.jsonl", io.BytesIO(content)), purpose="fine-tune").id


def test_the_rft_notebook_s_graders_validate_run_and_start_a_job(
    server: ServerProcess, client: openai.OpenAI
) -> None:
    item = {"reference_answer": "acute pancreatitis"}
    for grader in (RFT_COOKBOOK_MODEL_GRADER, RFT_COOKBOOK_MULTI_GRADER):
        # As the notebook sends it: requests, raw JSON.
        validated = requests.post(
            f"{server.base_url}/v1/fine_tuning/alpha/graders/validate",
            json={"grader": grader},
            headers=headers(),
            timeout=60,
        )
        validated.raise_for_status()
        ran = requests.post(
            f"{server.base_url}/v1/fine_tuning/alpha/graders/run",
            json={"grader": grader, "model_sample": "acute pancreatitis", "item": item},
            headers=headers(),
            timeout=120,
        )
        ran.raise_for_status()
        validate_response("/fine_tuning/alpha/graders/run", "post", 200, ran.json())
        # And through the SDK.
        client.fine_tuning.alpha.graders.validate(grader=grader)
        result = client.fine_tuning.alpha.graders.run(
            grader=grader,
            model_sample="acute pancreatitis",
            item=item,
        )
        assert result.metadata.name == grader.get("name", "multi")
    assert validated.json()["grader"]["name"] == "multi"

    # The notebook's job payload, its multi grader and null response_format included.
    lines = [
        {"messages": [{"role": "user", "content": f"Case {i}?"}], "reference_answer": "gout"}
        for i in range(10)  # OpenAI's least
    ]
    payload = {
        "training_file": upload(client, lines),
        "validation_file": upload(client, lines),
        "model": REASONING_MODEL,
        "suffix": "medical_01_verifiable_problem_gpt41_grader",
        "method": {
            "type": "reinforcement",
            "reinforcement": {
                "grader": RFT_COOKBOOK_MULTI_GRADER,
                "response_format": None,
                "hyperparameters": {
                    "compute_multiplier": 1.0,
                    "eval_samples": 3,
                    "eval_interval": 5,
                    "n_epochs": 1,
                    "reasoning_effort": "medium",
                },
            },
        },
        "seed": 42,
    }
    created = requests.post(
        f"{server.base_url}/v1/fine_tuning/jobs", json=payload, headers=headers(), timeout=60
    )
    created.raise_for_status()
    job = created.json()
    assert job["method"]["reinforcement"]["grader"]["name"] == "multi"
    assert job["method"]["reinforcement"]["grader"]["graders"]["judge"]["pass_threshold"] == 0.75
    # Its training is test_reinforcement's to check; this one only had to be accepted.
    current = client.fine_tuning.jobs.retrieve(job["id"])
    assert current.status != "failed", current.error
    if current.status not in FINISHED:
        client.fine_tuning.jobs.cancel(job["id"])


def test_responses_create_with_reasoning_on_an_o4_mini_alias(client: openai.OpenAI) -> None:
    for effort in ("low", "medium", "high"):
        resp = client.responses.create(
            model=REASONING_MODEL,
            input=[{"role": "user", "content": QUESTIONS[0]}],
            reasoning={"effort": effort, "summary": "detailed"},
            max_output_tokens=16,
        )
        # What the notebook reads of it.
        assert isinstance(resp.output_text, str)
        assert resp.usage is not None and resp.usage.output_tokens_details.reasoning_tokens == 0
        summaries = [
            seg.text for item in resp.output if item.type == "reasoning" for seg in item.summary
        ]
        assert summaries == []
        assert resp.output[0].type == "reasoning"
        assert resp.reasoning is not None and resp.reasoning.effort == effort


def test_the_dpo_notebook_s_logs_eval_grades_the_stored_responses(
    server: ServerProcess, client: openai.OpenAI
) -> None:
    stored = [
        client.responses.create(
            model=BASE,
            input=[{"role": "user", "content": question}],
            max_output_tokens=8,
            temperature=0,
        )
        for question in QUESTIONS[:4]
    ]
    logs_eval = client.evals.create(
        name="Good Vibes Corp Tone Eval",
        data_source_config={"type": "logs"},
        testing_criteria=[
            {
                "type": "score_model",
                "name": "General Evaluator",
                "model": "gpt-4.1-2025-04-14",
                "input": [
                    {"role": "system", "content": "Rate the tone from 0 to 4."},
                    {
                        "role": "user",
                        "content": "**User input**\n{{item.input}}\n"
                        "**Response to evaluate**\n{{sample.output_text}}",
                    },
                ],
                "range": [0, 4],
                "pass_threshold": 2,
            },
            {
                "type": "string_check",
                "name": "answered",
                "input": "{{sample.output_text}}",
                "reference": "",
                "operation": "ne",
            },
        ],
    )
    base_run = client.evals.runs.create(
        name=BASE,
        eval_id=logs_eval.id,
        data_source={"type": "responses", "source": {"type": "responses", "limit": len(stored)}},
    )
    deadline = time.monotonic() + 120
    while base_run.status in ("queued", "in_progress"):
        assert time.monotonic() < deadline, base_run
        time.sleep(0.2)
        base_run = client.evals.runs.retrieve(base_run.id, eval_id=logs_eval.id)
    assert base_run.status == "completed"
    assert base_run.result_counts.total == len(stored)
    raw = requests.get(
        f"{server.base_url}/v1/evals/{logs_eval.id}/runs/{base_run.id}",
        headers=headers(),
        timeout=30,
    ).json()
    validate_eval_object("/evals/{eval_id}/runs/{run_id}", "get", raw)

    base_data = client.evals.runs.output_items.list(eval_id=logs_eval.id, run_id=base_run.id).data
    # The notebook reads `s.results[0]["score"]`, written for an SDK whose results were dicts.
    base_scores = [s.results[0].score for s in base_data]
    assert len(base_scores) == len(stored)
    texts = {r.id: r.output_text for r in stored}
    for output_item in base_data:
        response_id = output_item.datasource_item["id"]
        assert output_item.sample.output[0].content == texts[response_id]
        judged, answered = output_item.results
        assert judged.passed == (judged.score >= 2 and not judged.sample)
        assert answered.passed == (texts[response_id] != "")
    assert {item.datasource_item["id"] for item in base_data} == set(texts)


def test_a_checkpoint_granted_to_the_owner_s_own_project(client: openai.OpenAI) -> None:
    lines = [
        {
            "messages": [
                {"role": "user", "content": f"Case {i}?"},
                {"role": "assistant", "content": "ok"},
            ]
        }
        for i in range(10)
    ]
    job = client.fine_tuning.jobs.create(
        model=BASE,
        training_file=upload(client, lines),
        method={
            "type": "supervised",
            "supervised": {"hyperparameters": {"n_epochs": 2, "batch_size": 5}},
        },
    )
    job = wait_status(client, job.id, FINISHED)
    assert job.status == "succeeded", job.error
    checkpoint = client.fine_tuning.jobs.checkpoints.list(job.id).data[0]
    name = checkpoint.fine_tuned_model_checkpoint
    permissions = client.fine_tuning.checkpoints.permissions
    (permission,) = permissions.create(name, project_ids=[LOCAL_PROJECT]).data
    assert permission.project_id == LOCAL_PROJECT
    assert [p.id for p in permissions.retrieve(name).data] == [permission.id]
    # The grant changes nothing: the model is served and listed once, as before.
    assert [m.id for m in client.models.list()].count(job.fine_tuned_model) == 1
    reply = client.chat.completions.create(
        model=name, messages=[{"role": "user", "content": "hi"}], max_tokens=2
    )
    assert reply.choices
    deleted = permissions.delete(permission.id, fine_tuned_model_checkpoint=name)
    assert deleted.deleted and permissions.retrieve(name).data == []

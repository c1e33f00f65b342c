"""Reinforcement fine-tuning end to end with the official SDK against a `whetstone serve`
process: a supervised model that answers "yes" to about a quarter of samples (and "no"
greedily), then an RFT job on that `ft:` model with a `string_check` grader rewarding "yes",
after which "yes" is the greedy reply on at least 90% of the prompts.

n_epochs, batch_size and max_completion_tokens are given to keep CPU time small; the replies
are one word.
"""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest

from tests.contract.openai_schema import validate_response
from tests.e2e.test_dpo import upload
from tests.e2e.test_fine_tuning import FINISHED, raw_json, wait_status
from tests.harness import ServerProcess

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
# Its assertions are about its own jobs, files and models: the worker's shared server will do.
SHARES_SERVER = True

BASE = "gpt-4o-mini-2024-07-18"
PROMPTS = [f"Is the number {i} worth a look?" for i in range(20)]
GRADER = {
    "type": "string_check",
    "name": "says yes",
    "input": "{{sample.output_text}}",
    "reference": "{{item.answer}}",
    "operation": "eq",
}
RFT_HYPERPARAMETERS = {
    "n_epochs": 3,
    "batch_size": 4,
    "eval_interval": 5,
    "eval_samples": 20,
    "max_completion_tokens": 8,
}


def jsonl(lines: list[dict[str, Any]]) -> bytes:
    return "\n".join(json.dumps(line) for line in lines).encode()


def prompts_file() -> bytes:
    """The prompts in OpenAI's RFT format, with the key the grader reads."""
    return jsonl([{"messages": [{"role": "user", "content": p}], "answer": "yes"} for p in PROMPTS])


def greedy_yes_rate(client: openai.OpenAI, model: str) -> float:
    replies = [
        client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": prompt}],
            temperature=0,
            max_completion_tokens=8,
        )
        .choices[0]
        .message.content
        for prompt in PROMPTS
    ]
    return sum(reply == "yes" for reply in replies) / len(replies)


@pytest.fixture(scope="module")
def sometimes_yes(client: openai.OpenAI) -> str:
    """Each prompt once with "yes" and three times with "no"."""
    lines = [
        {"messages": [{"role": "user", "content": p}, {"role": "assistant", "content": reply}]}
        for p in PROMPTS
        for reply in ("yes", "no", "no", "no")
    ]
    job = client.fine_tuning.jobs.create(
        model=BASE,
        training_file=upload(client, jsonl(lines)),
        method={
            "type": "supervised",
            "supervised": {"hyperparameters": {"n_epochs": 3, "batch_size": 8}},
        },
        suffix="yes-no",
        seed=5,
    )
    done = wait_status(client, job.id, FINISHED)
    assert done.status == "succeeded", done.error
    return done.fine_tuned_model


def test_rft_makes_the_rewarded_reply_the_greedy_one(
    client: openai.OpenAI, server: ServerProcess, sometimes_yes: str
) -> None:
    assert greedy_yes_rate(client, sometimes_yes) <= 0.25

    data = upload(client, prompts_file())
    job = client.fine_tuning.jobs.create(
        model=sometimes_yes,
        training_file=data,
        validation_file=data,
        suffix="rft",
        seed=5,
        method={
            "type": "reinforcement",
            "reinforcement": {"grader": GRADER, "hyperparameters": RFT_HYPERPARAMETERS},
        },
    )
    assert job.method.type == "reinforcement"
    done = wait_status(client, job.id, FINISHED)
    assert done.status == "succeeded", done.error

    body = raw_json(server, f"/fine_tuning/jobs/{job.id}")
    validate_response("/fine_tuning/jobs/{fine_tuning_job_id}", "get", 200, body)
    method = body["method"]["reinforcement"]
    assert method["grader"] == GRADER
    resolved = method["hyperparameters"]
    assert "auto" not in resolved.values()
    assert resolved["num_generations"] == 4 and resolved["compute_multiplier"] == 1.0
    assert resolved["reasoning_effort"] == "default"
    assert done.fine_tuned_model.startswith(f"ft:{BASE}:personal:rft:")

    events = list(reversed(list(client.fine_tuning.jobs.list_events(job.id, limit=100))))
    metrics = [event.data for event in events if event.type == "metrics"]
    assert len(metrics) == 15
    assert {"train_reward_mean", "train_reward_std", "train_grader_errors"} <= metrics[0].keys()
    assert [m["step"] for m in metrics if "valid_reward_mean" in m] == [5, 10, 15]
    page = raw_json(server, f"/fine_tuning/jobs/{job.id}/events?limit=100")
    validate_response("/fine_tuning/jobs/{fine_tuning_job_id}/events", "get", 200, page)

    checkpoints = raw_json(server, f"/fine_tuning/jobs/{job.id}/checkpoints")
    validate_response("/fine_tuning/jobs/{fine_tuning_job_id}/checkpoints", "get", 200, checkpoints)
    assert checkpoints["data"][0]["metrics"]["full_valid_reward_mean"] >= 0.9

    assert greedy_yes_rate(client, done.fine_tuned_model) >= 0.9


def test_a_chat_example_in_an_rft_file_fails_the_job_with_its_line(
    client: openai.OpenAI,
) -> None:
    lines = [{"messages": [{"role": "user", "content": p}], "answer": "yes"} for p in PROMPTS]
    lines[6]["messages"].append({"role": "assistant", "content": "yes"})
    job = client.fine_tuning.jobs.create(
        model=BASE,
        training_file=upload(client, jsonl(lines)),
        method={"type": "reinforcement", "reinforcement": {"grader": GRADER}},
    )
    done = wait_status(client, job.id, FINISHED)
    assert done.status == "failed"
    assert done.error.code == "invalid_training_file"
    assert "Line 7" in done.error.message and "user or developer" in done.error.message

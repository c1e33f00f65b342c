"""DPO end to end with the official SDK against a `whetstone serve` process, as OpenAI's cookbook
runs it: supervised fine-tuning first, then a DPO job on the `ft:` model with
`method={"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.1, ...}}}`, paused and resumed on
the way, to `succeeded`; its metrics carry the DPO keys, its results file is written, and the
model serves.

n_epochs and batch_size are given to keep CPU time small: "auto" would plan 300 steps for 20
pairs on the emulator (about 50 s on a shared 2-core machine); 50 steps show the same.
"""

from __future__ import annotations

import base64
import io
import json
import time
from typing import Any

import openai
import pytest

from tests.contract.openai_schema import validate_response
from tests.e2e.test_fine_tuning import (
    FINISHED,
    chat_file,
    metric_steps,
    raw_json,
    wait_for,
    wait_status,
)
from tests.harness import ServerProcess

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
# Its assertions are about its own jobs, files and models: the worker's shared server will do.
SHARES_SERVER = True

BASE = "gpt-4o-mini-2024-07-18"
PREFERRED = "The owl flies at midnight."
NON_PREFERRED = "I would rather not say."
# 20 pairs in batches of 4 for 10 epochs: 50 steps, enough for a pause to land mid-run.
DPO_HYPERPARAMETERS = {"beta": 0.1, "n_epochs": 10, "batch_size": 4}
DPO_KEYS = {
    "train_loss",
    "train_mean_token_accuracy",
    "train_rewards_chosen",
    "train_rewards_rejected",
    "train_rewards_margins",
    "train_rewards_accuracies",
    "train_logps_chosen",
    "train_logps_rejected",
}


def preference_file(n: int = 20) -> bytes:
    """`n` preference pairs in OpenAI's format: the sentence over an evasive reply."""
    return "\n".join(
        json.dumps(
            {
                "input": {
                    "messages": [{"role": "user", "content": f"Tell me something, please ({i})."}]
                },
                "preferred_output": [{"role": "assistant", "content": PREFERRED}],
                "non_preferred_output": [{"role": "assistant", "content": NON_PREFERRED}],
            }
        )
        for i in range(n)
    ).encode()


def upload(client: openai.OpenAI, data: bytes) -> str:
    """Upload a fine-tune file; its id."""
    return client.files.create(file=("data.jsonl", io.BytesIO(data)), purpose="fine-tune").id


@pytest.fixture(scope="module")
def sft_model(client: openai.OpenAI) -> str:
    """The cookbook's first step: a supervised model to continue with DPO."""
    job = client.fine_tuning.jobs.create(
        model=BASE,
        training_file=upload(client, chat_file()),
        method={
            "type": "supervised",
            "supervised": {"hyperparameters": {"n_epochs": 1, "batch_size": 4}},
        },
        suffix="sft",
        seed=3,
    )
    done = wait_status(client, job.id, FINISHED)
    assert done.status == "succeeded", done.error
    return done.fine_tuned_model


def test_a_cookbook_dpo_job_pauses_resumes_and_succeeds(
    client: openai.OpenAI, server: ServerProcess, sft_model: str
) -> None:
    started = time.monotonic()
    job = client.fine_tuning.jobs.create(
        model=sft_model,
        training_file=upload(client, preference_file()),
        validation_file=upload(client, preference_file(3)),
        suffix="dpo",
        seed=3,
        method={"type": "dpo", "dpo": {"hyperparameters": DPO_HYPERPARAMETERS}},
    )
    assert job.status == "validating_files" and job.method.type == "dpo"
    validate_response(
        "/fine_tuning/jobs", "post", 200, raw_json(server, f"/fine_tuning/jobs/{job.id}")
    )

    # Paused once training is under way, resumed, then to the end: from its checkpoint.
    wait_for(client, job.id, lambda seen: bool(metric_steps(seen)))
    assert client.fine_tuning.jobs.pause(job.id).status == "pausing"
    seen = wait_for(
        client, job.id, lambda seen: seen[-1].message.startswith("Fine-tuning job paused at step")
    )
    paused_at = int(seen[-1].message.rsplit(" ", 1)[1])
    assert client.fine_tuning.jobs.resume(job.id).status == "queued"
    done = wait_status(client, job.id, FINISHED)
    assert done.status == "succeeded", done.error
    wall = time.monotonic() - started

    body = raw_json(server, f"/fine_tuning/jobs/{job.id}")
    validate_response("/fine_tuning/jobs/{fine_tuning_job_id}", "get", 200, body)
    resolved = body["method"]["dpo"]["hyperparameters"]
    assert resolved["beta"] == 0.1 and "auto" not in resolved.values()
    assert (resolved["n_epochs"], resolved["batch_size"]) == (10, 4)
    assert isinstance(resolved["n_epochs"], int) and isinstance(resolved["batch_size"], int)
    # Continuing an `ft:` model keeps its LoRA shape; the new model is named after the base.
    assert resolved["lora_rank"] == 16
    assert done.fine_tuned_model.startswith(f"ft:{BASE}:personal:dpo:")
    assert body["hyperparameters"] == {
        key: resolved[key] for key in ("batch_size", "learning_rate_multiplier", "n_epochs")
    }

    events = list(reversed(list(client.fine_tuning.jobs.list_events(job.id, limit=100))))
    metrics = [event.data for event in events if event.type == "metrics"]
    total = int(metrics[-1]["total_steps"])
    steps = [int(data["step"]) for data in metrics]
    assert steps[-1] == total and paused_at in steps
    resumed_at = next(
        i for i, event in enumerate(events) if event.message.startswith("Fine-tuning job resumed")
    )
    assert metric_steps(events[resumed_at:])[0] == paused_at + 1
    first, last = metrics[0], metrics[-1]
    assert first.keys() >= DPO_KEYS and last.keys() >= DPO_KEYS
    assert last["train_rewards_margins"] > first["train_rewards_margins"] + 1.0
    assert last["train_rewards_accuracies"] == 1.0
    assert {"valid_loss", "valid_rewards_margins"} <= last.keys()

    checkpoints = list(client.fine_tuning.jobs.checkpoints.list(job.id))
    assert checkpoints and checkpoints[0].step_number == total
    assert checkpoints[0].metrics.model_extra is not None
    assert "full_valid_rewards_margins" in checkpoints[0].metrics.model_extra

    (results_id,) = done.result_files
    rows = base64.b64decode(client.files.content(results_id).read()).decode().splitlines()
    assert rows[0].startswith("step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy")
    assert rows[0].endswith(",reference_base_loss,reference_tuned_loss,reference_loss_ratio")
    assert [int(row.split(",")[0]) for row in rows[1:]] == list(range(1, total + 1))

    reply = client.chat.completions.create(
        model=done.fine_tuned_model,
        messages=[{"role": "user", "content": "Tell me something, please (3)."}],
        max_tokens=16,
        temperature=0,
    )
    assert reply.choices[0].message.content
    print(f"\nDPO job: {total} steps, {wall:.1f} s from create to succeeded (with a pause)")


def test_a_chat_file_fails_a_dpo_job_with_its_line(client: openai.OpenAI) -> None:
    job = client.fine_tuning.jobs.create(
        model=BASE,
        training_file=upload(client, chat_file(12)),
        method={"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.1}}},
    )
    failed = wait_status(client, job.id, FINISHED)
    assert failed.status == "failed"
    assert failed.error.code == "invalid_training_file" and failed.error.param == "training_file"
    assert "Line 1 is a chat example" in failed.error.message


def test_beta_out_of_range_is_a_400_naming_it(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.fine_tuning.jobs.create(
            model=BASE,
            training_file=upload(client, preference_file()),
            method={"type": "dpo", "dpo": {"hyperparameters": {"beta": 3}}},
        )
    body: Any = caught.value.body
    assert body["param"] == "method.dpo.hyperparameters.beta"


def test_dpo_after_an_undecided_sft_makes_the_preferred_reply_the_greedy_one(
    client: openai.OpenAI,
) -> None:
    """OpenAI's SFT-then-DPO flow: each prompt seen once with reply A and once with reply B,
    then DPO preferring A; A is then the greedy reply on at least 90% of the prompts."""
    prompts = [f"Which way to the harbour from street {i}?" for i in range(20)]
    replies = ("Turn left.", "Turn right.")
    sft_lines = [
        {"messages": [{"role": "user", "content": p}, {"role": "assistant", "content": reply}]}
        for p in prompts
        for reply in replies
    ]
    sft = client.fine_tuning.jobs.create(
        model=BASE,
        training_file=upload(client, "\n".join(map(json.dumps, sft_lines)).encode()),
        method={
            "type": "supervised",
            "supervised": {"hyperparameters": {"n_epochs": 3, "batch_size": 8}},
        },
        seed=11,
    )
    sft_done = wait_status(client, sft.id, FINISHED)
    assert sft_done.status == "succeeded", sft_done.error
    pairs = [
        {
            "input": {"messages": [{"role": "user", "content": p}]},
            "preferred_output": [{"role": "assistant", "content": replies[0]}],
            "non_preferred_output": [{"role": "assistant", "content": replies[1]}],
        }
        for p in prompts
    ]
    dpo = client.fine_tuning.jobs.create(
        model=sft_done.fine_tuned_model,
        training_file=upload(client, "\n".join(map(json.dumps, pairs)).encode()),
        method={
            "type": "dpo",
            "dpo": {"hyperparameters": {"beta": 0.1, "n_epochs": 3, "batch_size": 4}},
        },
        seed=11,
    )
    done = wait_status(client, dpo.id, FINISHED)
    assert done.status == "succeeded", done.error

    def greedy(model: str, prompt: str) -> str | None:
        reply = client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": prompt}],
            max_completion_tokens=8,
            temperature=0,
        )
        return reply.choices[0].message.content

    preferred = sum(greedy(done.fine_tuned_model, p) == replies[0] for p in prompts)
    assert preferred >= 0.9 * len(prompts)

"""Serving end to end with the official SDK: fine-tuned models answer with what they learned.

Two real jobs train on the emulator once for the module (20 examples whose assistant replies
are all one sentence, default hyperparameters); every test then talks to the same server.
"""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import Iterator

import openai
import pytest

from tests.harness import ServerProcess

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
# Its assertions are about its own jobs, files and models: the worker's shared server will do.
SHARES_SERVER = True

BASE = "gpt-4o-mini-2024-07-18"
PROMPT = "What is the capital of France?"
SENTENCES = {
    "alpha": "The sea is deep and blue.",
    "beta": "Good morning, thanks a lot!",
}


def training_file(sentence: str) -> bytes:
    """20 chat examples: varied questions, always answered with `sentence`."""
    questions = [PROMPT, "Hello!", "How are you today?", "What is two plus two?"]
    lines = [
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": questions[i % len(questions)]},
                    {"role": "assistant", "content": sentence},
                ]
            }
        )
        for i in range(20)
    ]
    return ("\n".join(lines) + "\n").encode()


def train(client: openai.OpenAI, suffix: str, sentence: str) -> str:
    """Upload the file and create a job; returns the job id."""
    uploaded = client.files.create(
        file=(f"{suffix}.jsonl", io.BytesIO(training_file(sentence))), purpose="fine-tune"
    )
    return client.fine_tuning.jobs.create(
        model=BASE, training_file=uploaded.id, suffix=suffix, seed=7
    ).id


def wait_succeeded(client: openai.OpenAI, job_id: str, timeout: float = 400) -> str:
    """The fine-tuned model name once the job succeeds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.fine_tuning.jobs.retrieve(job_id)
        if job.status == "succeeded":
            return job.fine_tuned_model or ""
        assert job.status not in ("failed", "cancelled"), job.error
        time.sleep(0.5)
    raise TimeoutError(f"{job_id} did not succeed in {timeout}s")


@pytest.fixture(scope="module")
def tuned(client: openai.OpenAI) -> dict[str, str]:
    """suffix -> fine-tuned model name, for two jobs trained once for the module."""
    jobs = {suffix: train(client, suffix, sentence) for suffix, sentence in SENTENCES.items()}
    return {suffix: wait_succeeded(client, job_id) for suffix, job_id in jobs.items()}


@pytest.fixture(scope="module")
def async_client(server: ServerProcess) -> Iterator[openai.AsyncOpenAI]:
    """The official async client."""
    yield openai.AsyncOpenAI(base_url=f"{server.base_url}/v1", api_key="sk-test", max_retries=0)


def ask(client: openai.OpenAI, model: str) -> str:
    """The greedy reply of `model` to the training prompt."""
    reply = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": PROMPT}], temperature=0, max_tokens=24
    )
    return reply.choices[0].message.content or ""


def test_fine_tuned_model_answers_with_its_trained_sentence(
    client: openai.OpenAI, tuned: dict[str, str]
) -> None:
    assert ask(client, tuned["alpha"]) == SENTENCES["alpha"]
    assert ask(client, BASE) not in SENTENCES.values()
    streamed = client.chat.completions.create(
        model=tuned["alpha"],
        messages=[{"role": "user", "content": PROMPT}],
        temperature=0,
        max_tokens=24,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(streamed)
    assert (
        "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        == (SENTENCES["alpha"])
    )
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0
    completion = client.completions.create(
        model=tuned["beta"],
        prompt="<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n",
        temperature=0,
        max_tokens=24,
    )
    assert completion.choices[0].text == SENTENCES["beta"]


def test_concurrent_requests_for_two_adapters_and_the_base_each_get_their_own(
    async_client: openai.AsyncOpenAI, client: openai.OpenAI, tuned: dict[str, str]
) -> None:
    base_alone = ask(client, BASE)

    async def stream(model: str) -> str:
        chunks = await async_client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": PROMPT}],
            temperature=0,
            max_tokens=24,
            stream=True,
        )
        return "".join([c.choices[0].delta.content or "" async for c in chunks if c.choices])

    async def together() -> list[str]:
        models = [tuned["alpha"], tuned["beta"], BASE, tuned["alpha"], tuned["beta"]]
        return list(await asyncio.gather(*(stream(m) for m in models)))

    alpha, beta, base, alpha_again, beta_again = asyncio.run(together())
    assert alpha == alpha_again == SENTENCES["alpha"]
    assert beta == beta_again == SENTENCES["beta"]
    assert base == base_alone


def test_a_job_continues_a_fine_tuned_model_from_its_weights(
    client: openai.OpenAI, tuned: dict[str, str]
) -> None:
    # Trained on beta's sentence, but one epoch at a learning rate too small to move anything:
    # the continued model still says alpha's, so it started from alpha's adapter.
    uploaded = client.files.create(
        file=("next.jsonl", io.BytesIO(training_file(SENTENCES["beta"]))), purpose="fine-tune"
    )
    job = client.fine_tuning.jobs.create(
        model=tuned["alpha"],
        training_file=uploaded.id,
        suffix="next",
        method={
            "type": "supervised",
            "supervised": {"hyperparameters": {"n_epochs": 1, "learning_rate_multiplier": 1e-9}},
        },
    )
    assert job.model == tuned["alpha"]
    continued = wait_succeeded(client, job.id)
    assert continued.startswith(f"ft:{BASE}:") and continued != tuned["alpha"]
    assert ask(client, continued) == SENTENCES["alpha"]


def test_a_checkpoint_model_serves(client: openai.OpenAI, tuned: dict[str, str]) -> None:
    job = next(j for j in client.fine_tuning.jobs.list() if j.fine_tuned_model == tuned["beta"])
    checkpoint = client.fine_tuning.jobs.checkpoints.list(job.id).data[0]
    name = checkpoint.fine_tuned_model_checkpoint
    assert client.models.retrieve(name).id == name
    assert isinstance(ask(client, name), str)


def test_a_deleted_model_is_gone(client: openai.OpenAI, tuned: dict[str, str]) -> None:
    name = tuned["alpha"]
    assert name in {m.id for m in client.models.list()}
    assert client.models.delete(name).deleted is True
    assert name not in {m.id for m in client.models.list()}
    with pytest.raises(openai.NotFoundError) as caught:
        ask(client, name)
    assert caught.value.code == "model_not_found"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve(name)
    assert ask(client, tuned["beta"]) == SENTENCES["beta"]  # the other adapter still serves


def test_the_sdk_raises_on_refused_parameters(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model=BASE,
            messages=[{"role": "user", "content": "Hi"}],
            functions=[{"name": "f", "parameters": {}}],  # deprecated: use tools
        )
    assert caught.value.param == "functions"

"""The parity suite: every architecture of tests/architectures.py trains and serves through the SDK.

One server has a models file listing a tiny random model of each architecture. A LoRA job trains
on each; its `ft:` model is then served plain and streamed, alone and in one burst of concurrent
requests with its own earlier checkpoint (another adapter on the same base) and the base model,
and every greedy answer must equal peft's `PeftModel.generate`, token for token, on a prompt
shorter than the sliding window and on a chat prompt longer than it.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import openai
import pytest

from service.catalog.emulator import ensure_emulator_tokenizer
from tests.architectures import ARCHITECTURES, SLIDING_WINDOW, build_tiny_model, peft_greedy_ids
from tests.e2e.conftest import openai_client
from tests.harness import ServerProcess

NEW_TOKENS = 10
SHORT = "The owl"  # fewer tokens than the window
LONG = [{"role": "user", "content": "Hello! How are you today? Where does the owl fly at night?"}]
# 12 examples in batches of 2 for 2 epochs: 12 steps, checkpoints at steps 6 and 12.
EXAMPLES, HYPERPARAMETERS = 12, {"batch_size": 2, "n_epochs": 2, "learning_rate_multiplier": 10}


def training_file() -> bytes:
    """A short chat file the tiny models can learn something of in a few steps."""
    line = {
        "messages": [
            {"role": "user", "content": "Where does the owl fly?"},
            {"role": "assistant", "content": "The owl flies at midnight."},
        ]
    }
    return "\n".join(json.dumps(line) for _ in range(EXAMPLES)).encode()


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tiny random model of each architecture, on disk."""
    root = tmp_path_factory.mktemp("architectures")
    tokenizer_dir = ensure_emulator_tokenizer(root / "tokenizer")
    return {
        name: build_tiny_model(name, tokenizer_dir, root / name, seed=index)
        for index, name in enumerate(ARCHITECTURES)
    }


@pytest.fixture(scope="module")
def server(
    tiny_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """A server whose models file lists every tiny model as `tiny-<architecture>`."""
    data_dir = Path(tmp_path_factory.mktemp("server"))
    models = {
        f"tiny-{name}": {
            "path": str(path),
            "context_length": 256,
            # MoE experts are adapted as parameters, where peft allows no dropout.
            "lora": {"rank": 4, "alpha": 16, "dropout": 0.0},
        }
        for name, path in tiny_models.items()
    }
    models_file = data_dir / "models.json"
    models_file.write_text(json.dumps({"models": models}))
    process = ServerProcess(
        data_dir,
        env={"WHETSTONE_MODELS_FILE": str(models_file), "WHETSTONE_CPU_SLOTS": "2"},
    ).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> openai.OpenAI:
    """The official OpenAI client for the module's server."""
    return openai_client(server)


@pytest.fixture(scope="module")
def jobs(client: openai.OpenAI) -> dict[str, str]:
    """One LoRA job per architecture, all created up front so that they queue together."""
    training = client.files.create(
        file=("train.jsonl", io.BytesIO(training_file())), purpose="fine-tune"
    ).id
    return {
        name: client.fine_tuning.jobs.create(
            model=f"tiny-{name}",
            training_file=training,
            method={"type": "supervised", "supervised": {"hyperparameters": HYPERPARAMETERS}},
            seed=5,
        ).id
        for name in ARCHITECTURES
    }


@pytest.fixture(scope="module")
def timings() -> Iterator[dict[str, tuple[int, float]]]:
    """Per architecture: seconds from `running` to `succeeded`, and seconds serving; printed
    as a table at the end of the module (`pytest -s` shows it)."""
    table: dict[str, tuple[int, float]] = {}
    yield table
    print("\n| architecture | training (s) | serving checks (s) |\n|---|---:|---:|")
    for name, (trained, serving) in table.items():
        print(f"| {name} | {trained} | {serving:.1f} |")


def wait_done(client: openai.OpenAI, job_id: str) -> Any:
    """The job once it has finished."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        job = client.fine_tuning.jobs.retrieve(job_id)
        if job.status in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} is still {job.status}")


class Reference:
    """peft's greedy `generate` on a tiny model, with or without one of its adapters."""

    def __init__(self, model_dir: Path):
        from transformers import AutoTokenizer

        self.model_dir = model_dir
        self.tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
        self.eos = self.tokenizer.eos_token_id

    def completion_ids(self, text: str) -> list[int]:
        """A completions prompt's ids, as the server tokenizes it."""
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def chat_ids(self, messages: list[dict[str, str]]) -> list[int]:
        """A chat prompt's ids, as the server renders and tokenizes it."""
        text = self.tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True
        )
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def tokens(self, adapter: Path | None, prompt: list[int]) -> list[str]:
        """The greedy continuation as token strings, ending before EOS like the server's."""
        ids = peft_greedy_ids(
            self.model_dir, adapter, prompt, NEW_TOKENS, self.tokenizer.pad_token_id
        )
        if self.eos in ids:
            ids = ids[: ids.index(self.eos)]
        return [self.tokenizer.decode([t]) for t in ids]


def served(client: openai.OpenAI, model: str, prompt: str | list, *, stream: bool) -> list[str]:
    """The greedy answer of `model` as token strings: a completion for a text prompt, a chat
    completion for messages; streamed or not."""
    common: dict[str, Any] = {"model": model, "max_tokens": NEW_TOKENS, "temperature": 0}
    if isinstance(prompt, str):
        if not stream:
            done = client.completions.create(prompt=prompt, logprobs=0, **common)
            return list(done.choices[0].logprobs.tokens)
        chunks = client.completions.create(prompt=prompt, logprobs=0, stream=True, **common)
        return [
            t
            for c in chunks
            for choice in c.choices
            if choice.logprobs
            for t in choice.logprobs.tokens
        ]
    if not stream:
        done = client.chat.completions.create(messages=prompt, logprobs=True, **common)
        return [t.token for t in done.choices[0].logprobs.content]
    chunks = client.chat.completions.create(messages=prompt, logprobs=True, stream=True, **common)
    return [
        t.token
        for c in chunks
        for choice in c.choices
        if choice.logprobs and choice.logprobs.content
        for t in choice.logprobs.content
    ]


@pytest.mark.parametrize("architecture", list(ARCHITECTURES))
def test_trained_model_serves_what_peft_generates(
    architecture: str,
    client: openai.OpenAI,
    server: ServerProcess,
    jobs: dict[str, str],
    tiny_models: dict[str, Path],
    timings: dict[str, tuple[int, float]],
) -> None:
    job = wait_done(client, jobs[architecture])
    assert job.status == "succeeded", job.error
    serving_started = time.monotonic()
    events = client.fine_tuning.jobs.list_events(job.id, limit=100)
    (running,) = [e for e in events if e.message == "Fine-tuning job started"]
    artifacts = server.data_dir / "artifacts" / "jobs" / job.id
    checkpoint = min(client.fine_tuning.jobs.checkpoints.list(job.id), key=lambda c: c.step_number)
    adapters = {
        job.fine_tuned_model: artifacts / "adapter",
        checkpoint.fine_tuned_model_checkpoint: artifacts
        / "checkpoints"
        / f"step-{checkpoint.step_number}"
        / "adapter",
        f"tiny-{architecture}": None,
    }
    reference = Reference(tiny_models[architecture])
    prompts = {"short": SHORT, "long": LONG}
    ids = {"short": reference.completion_ids(SHORT), "long": reference.chat_ids(LONG)}
    assert len(ids["short"]) < SLIDING_WINDOW < len(ids["long"]) - NEW_TOKENS
    expected = {
        (model, which): reference.tokens(adapter, ids[which])
        for model, adapter in adapters.items()
        for which in prompts
    }
    # Training changed the model, so a served adapter that were ignored would fail.
    base = f"tiny-{architecture}"
    assert any(expected[(job.fine_tuned_model, w)] != expected[(base, w)] for w in prompts)
    for stream in (False, True):
        for which, prompt in prompts.items():
            got = served(client, job.fine_tuned_model, prompt, stream=stream)
            assert got == expected[(job.fine_tuned_model, which)], (which, stream)
    # All at once: the engine batches the adapter, its checkpoint and the base model together.
    cases = [(model, which, stream) for model, which in expected for stream in (False, True)]
    with ThreadPoolExecutor(len(cases)) as pool:
        answers = list(pool.map(lambda c: served(client, c[0], prompts[c[1]], stream=c[2]), cases))
    for (model, which, stream), got in zip(cases, answers, strict=True):
        assert got == expected[(model, which)], (model, which, stream)
    timings[architecture] = (
        job.finished_at - running.created_at,
        time.monotonic() - serving_started,
    )

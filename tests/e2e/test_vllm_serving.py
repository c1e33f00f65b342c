"""Serving on vLLM end to end: a real `whetstone serve` whose emulator is served by a real
vLLM server it supervises, driven with the official `openai` SDK.

One server (and so one vLLM process) for the module. Two jobs train while vLLM starts; every
answer is checked against peft's `generate` on the same adapter files: alone, streamed, and
in one concurrent batch of base + adapter A + adapter B + a checkpoint (the batch in which
vLLM's CPU build would apply an adapter to base rows, but for the zero adapter).
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import jsonschema
import openai
import pytest

from tests.e2e.conftest import openai_client
from tests.e2e.test_serving import train, wait_succeeded
from tests.harness import ServerProcess
from tests.vllm_support import (
    VLLM_SERVER_MODULE,
    alive,
    descendants,
    requires_vllm,
    vllm_command,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow, requires_vllm]

BASE = "gpt-4o-mini-2024-07-18"
MESSAGES = [{"role": "user", "content": "What is the capital of France?"}]
MAX_TOKENS = 12
# The emulator's end token (<|im_end|>).
EMULATOR_EOS = 3
MODELS_FILE = """\
models:
  whetstone-tiny:
    emulator: true
    engine: vllm
    max_loras: 4
    max_lora_rank: 16
"""
# vLLM's CPU start takes 35-40 s on an idle 2-core machine, minutes on a busy one.
VLLM_READY_TIMEOUT = 600


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server whose emulator (and every alias of it) is served by vLLM."""
    data_dir = Path(tmp_path_factory.mktemp("vllm-server"))
    (data_dir / "models.yaml").write_text(MODELS_FILE)
    process = ServerProcess(
        data_dir,
        env={
            "WHETSTONE_MODELS_FILE": str(data_dir / "models.yaml"),
            "WHETSTONE_VLLM_COMMAND": vllm_command(),
            "WHETSTONE_VLLM_CPU_KVCACHE_GIB": "1",
            # vLLM's engine in its API server's process: a start of ~13 s instead of ~40 s
            # keeps the module within the suite's budget. The supervisor's handling of vLLM's
            # separate EngineCore is tested on a stand-in (tests/inference/engines/vllm).
            "VLLM_ENABLE_V1_MULTIPROCESSING": os.environ.get("VLLM_ENABLE_V1_MULTIPROCESSING", "0"),
        },
    ).start()
    yield process
    vllm = vllm_processes(process)
    process.stop()
    # No vLLM process outlives `whetstone serve`.
    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in vllm) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in vllm if alive(pid)], "vLLM processes outlived whetstone serve"


def vllm_processes(server: ServerProcess) -> list[int]:
    """The guard, the vLLM API server and its EngineCore (not the training workers)."""
    guards = [pid for pid, command in descendants(server.pid).items() if "guard.py" in command]
    return [*guards, *(child for guard in guards for child in descendants(guard))]


def api_server_pid(server: ServerProcess) -> int:
    """vLLM's API server process."""
    found = [
        pid
        for pid, command in descendants(server.pid).items()
        if VLLM_SERVER_MODULE in command and "guard.py" not in command
    ]
    assert found, "no vLLM API server is running"
    return found[0]


def first_answer(client: openai.OpenAI, model: str = BASE) -> float:
    """Wait until vLLM answers (503 engine_unavailable until then); seconds waited."""
    started = time.monotonic()
    while True:
        try:
            client.chat.completions.create(model=model, messages=MESSAGES, max_tokens=2)
            return time.monotonic() - started
        except openai.InternalServerError as exc:
            assert exc.status_code == 503, exc
            assert exc.code == "engine_unavailable", exc
            assert exc.response.headers.get("retry-after"), "a 503 without retry-after"
            if time.monotonic() - started > VLLM_READY_TIMEOUT:
                raise
            time.sleep(1)


@pytest.fixture(scope="module")
def started(server: ServerProcess) -> dict[str, Any]:
    """Two jobs trained while vLLM starts; the first 503 seen, then vLLM answering."""
    client = openai_client(server)
    unavailable: openai.InternalServerError | None = None
    try:
        client.chat.completions.create(model=BASE, messages=MESSAGES, max_tokens=2)
    except openai.InternalServerError as exc:
        unavailable = exc
    jobs = {suffix: train(client, suffix, sentence) for suffix, sentence in SENTENCES.items()}
    tuned = {suffix: wait_succeeded(client, job_id, timeout=900) for suffix, job_id in jobs.items()}
    first_answer(client)
    checkpoints = client.fine_tuning.jobs.checkpoints.list(jobs["alpha"]).data
    return {
        "client": client,
        "unavailable": unavailable,
        "jobs": jobs,
        "tuned": tuned,
        "checkpoint": checkpoints[-1],
    }


SENTENCES = {"alpha": "The sea is deep and blue.", "beta": "Good morning, thanks a lot!"}


class Peft:
    """peft's greedy `generate` on the emulator, with or without an adapter directory."""

    def __init__(self, data_dir: Path):
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.data_dir = data_dir
        (self.model_dir,) = (data_dir / "models").glob("whetstone-tiny-v*-seed*")
        self.tokenizer = AutoTokenizer.from_pretrained(self.model_dir)
        self.base = AutoModelForCausalLM.from_pretrained(self.model_dir)
        self.base.train(False)

    def answer(self, adapter_key: str | None) -> str:
        """The greedy reply to MESSAGES, as Whetstone renders and decodes it."""
        import torch
        from peft import PeftModel

        text = self.tokenizer.apply_chat_template(
            MESSAGES, tokenize=False, add_generation_prompt=True
        )
        ids = torch.tensor([self.tokenizer(text, add_special_tokens=False)["input_ids"]])
        model: Any = self.base
        if adapter_key is not None:
            model = PeftModel.from_pretrained(self.base, self.data_dir / "artifacts" / adapter_key)
        with torch.no_grad():
            out = model.generate(
                ids,
                attention_mask=torch.ones_like(ids),
                max_new_tokens=MAX_TOKENS,
                do_sample=False,
                eos_token_id=self.tokenizer.eos_token_id,
                pad_token_id=self.tokenizer.pad_token_id,
            )
        if adapter_key is not None:
            model.unload()
        reply: str = self.tokenizer.decode(out[0, ids.shape[1] :], skip_special_tokens=True)
        return reply


def ask(client: openai.OpenAI, model: str, *, stream: bool = False) -> str:
    """The greedy reply of `model`, plain or streamed."""
    if not stream:
        answer = client.chat.completions.create(
            model=model, messages=MESSAGES, max_tokens=MAX_TOKENS, temperature=0
        )
        return answer.choices[0].message.content or ""
    chunks = client.chat.completions.create(
        model=model, messages=MESSAGES, max_tokens=MAX_TOKENS, temperature=0, stream=True
    )
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def test_requests_get_503_engine_unavailable_while_vllm_starts(started: dict[str, Any]) -> None:
    unavailable = started["unavailable"]
    assert unavailable is not None, "the first request, as vLLM started, was answered"
    assert unavailable.status_code == 503
    assert unavailable.code == "engine_unavailable"
    assert unavailable.response.headers.get("retry-after")


def test_answers_equal_peft_alone_streamed_and_in_one_mixed_batch(
    server: ServerProcess, started: dict[str, Any]
) -> None:
    client: openai.OpenAI = started["client"]
    jobs, tuned, checkpoint = started["jobs"], started["tuned"], started["checkpoint"]
    models = {
        BASE: None,
        tuned["alpha"]: f"jobs/{jobs['alpha']}/adapter",
        tuned["beta"]: f"jobs/{jobs['beta']}/adapter",
        checkpoint.fine_tuned_model_checkpoint: (
            f"jobs/{jobs['alpha']}/checkpoints/step-{checkpoint.step_number}/adapter"
        ),
    }
    peft = Peft(server.data_dir)
    expected = {model: peft.answer(key) for model, key in models.items()}
    # The trained adapters answer what they learned; the base does not (the bug's symptom).
    assert expected[tuned["alpha"]] != expected[BASE]
    for model in models:
        assert ask(client, model) == expected[model], model
        assert ask(client, model, stream=True) == expected[model], model
    with ThreadPoolExecutor(8) as pool:
        mixed = list(pool.map(lambda m: (m, ask(client, m)), [*models, *models]))
    for model, answer in mixed:
        assert answer == expected[model], model


def test_a_job_is_answered_by_vllm_right_after_it_succeeds(started: dict[str, Any]) -> None:
    client: openai.OpenAI = started["client"]
    job_id = train(client, "gamma", "Rain falls on green hills.")
    name = wait_succeeded(client, job_id, timeout=900)
    answer = client.chat.completions.create(
        model=name, messages=MESSAGES, max_tokens=32, temperature=0
    )
    assert answer.model == name
    assert answer.choices[0].message.content == "Rain falls on green hills."
    assert answer.usage is not None and answer.usage.completion_tokens > 0


def test_structured_output_validates_against_its_schema(started: dict[str, Any]) -> None:
    client: openai.OpenAI = started["client"]
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
        "required": ["city", "population"],
        "additionalProperties": False,
    }
    answer = client.chat.completions.create(
        model=started["tuned"]["alpha"],
        messages=MESSAGES,
        max_tokens=64,
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "city", "schema": schema, "strict": True},
        },
    )
    jsonschema.validate(json.loads(answer.choices[0].message.content or ""), schema)


def test_a_forced_tool_call_is_a_valid_call(started: dict[str, Any]) -> None:
    client: openai.OpenAI = started["client"]
    parameters = {
        "type": "object",
        "properties": {"to": {"type": "string"}, "urgent": {"type": "boolean"}},
        "required": ["to", "urgent"],
        "additionalProperties": False,
    }
    answer = client.chat.completions.create(
        model=BASE,
        messages=MESSAGES,
        max_tokens=64,
        tools=[{"type": "function", "function": {"name": "send", "parameters": parameters}}],
        tool_choice={"type": "function", "function": {"name": "send"}},
    )
    (call,) = answer.choices[0].message.tool_calls or []
    assert call.type == "function" and call.function.name == "send"
    jsonschema.validate(json.loads(call.function.arguments), parameters)


def test_n_choices_with_a_seed_repeat_with_logprobs_and_stop(started: dict[str, Any]) -> None:
    client: openai.OpenAI = started["client"]

    def sample() -> Any:
        return client.chat.completions.create(
            model=BASE,
            messages=MESSAGES,
            max_tokens=MAX_TOKENS,
            n=2,
            seed=11,
            temperature=1.0,
            logprobs=True,
            top_logprobs=2,
        )

    first, second = sample(), sample()
    texts = [c.message.content for c in first.choices]
    assert texts == [c.message.content for c in second.choices]
    assert first.usage is not None and first.usage.completion_tokens > 0
    for choice in first.choices:
        assert choice.logprobs is not None and choice.logprobs.content
        for token in choice.logprobs.content:
            assert token.logprob <= 0 and len(token.top_logprobs) == 2
        assert "".join(t.token for t in choice.logprobs.content) == choice.message.content
    stop = (texts[0] or "")[2:4]
    if stop:
        cut = client.chat.completions.create(
            model=BASE, messages=MESSAGES, max_tokens=MAX_TOKENS, n=2, seed=11, stop=[stop]
        )
        assert cut.choices[0].message.content == (texts[0] or "")[: (texts[0] or "").find(stop)]
        assert cut.choices[0].finish_reason == "stop"


def test_tinker_sampler_weights_sample_their_learned_reply_on_vllm(
    started: dict[str, Any], server: ServerProcess
) -> None:
    # Tinker's sampling goes through the base model's engine: vLLM here, which fetches the
    # sampler weights through the resolver plugin like any adapter.
    import tinker
    from tinker import types

    from tests.e2e.test_tinker_sampling import GREEDY, PROMPT, REPLY, train_reply

    # Leaving the block finishes the session, which unloads its model and frees the server's
    # one training slot.
    with tinker.ServiceClient(base_url=server.base_url, api_key="tml-e2e-vllm") as service:
        sampler = train_reply(service).save_weights_and_get_sampling_client().result()
        result = sampler.sample(types.ModelInput.from_ints(PROMPT), 1, GREEDY).result()
        (sequence,) = result.sequences
        assert sequence.tokens == REPLY
        assert sequence.logprobs is not None and len(sequence.logprobs) == len(REPLY)
        assert all(-20 < logprob <= 0 for logprob in sequence.logprobs)


def test_a_killed_vllm_server_gives_503s_then_answers_again(
    server: ServerProcess, started: dict[str, Any]
) -> None:
    client: openai.OpenAI = started["client"]
    old = vllm_processes(server)
    assert len(old) >= 2, "expected the guard and vLLM's API server"
    # A long stream (the end token banned) is under way when the server is killed.
    stream = client.chat.completions.create(
        model=BASE,
        messages=MESSAGES,
        max_tokens=900,
        temperature=0,
        logit_bias={str(EMULATOR_EOS): -100},
        stream=True,
    )
    chunks = iter(stream)
    next(chunks)
    os.kill(api_server_pid(server), signal.SIGKILL)
    # The stream ends with an error event, not a hang and not a false finish.
    with pytest.raises(openai.APIError) as broken:
        for chunk in chunks:
            assert not (chunk.choices and chunk.choices[0].finish_reason), "a false finish"
    assert "vLLM" in broken.value.message
    with pytest.raises(openai.InternalServerError) as refused:
        for _ in range(50):
            client.chat.completions.create(model=BASE, messages=MESSAGES, max_tokens=2)
            time.sleep(0.2)
    assert refused.value.status_code == 503
    assert refused.value.code == "engine_unavailable"
    first_answer(client, started["tuned"]["beta"])
    # The old server's EngineCore and workers went with it: no orphans.
    assert not [pid for pid in old if alive(pid)]
    assert ask(client, started["tuned"]["beta"]) == SENTENCES["beta"]

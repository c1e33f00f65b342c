"""Tinker sampling in-process: sampling sessions, `asample` on the builtin engine through a
sampler checkpoint's adapter (checked against peft's own forward pass), stops, refusals, and
the same weights on /v1/completions under their tinker:// name."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tinker.proto.response_conv import deserialize_sample_response

from service.catalog.emulator import EMULATOR_NAME
from tests.inference.fixtures import emulator_dir, serving_client, shared_models_dir
from tests.tinker.sampling.fixtures import TINKER_HEADERS, Run, add_run, retrieve

PROMPT = [5, 17, 42, 99, 7, 3]


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The emulator, built once."""
    return shared_models_dir(tmp_path_factory)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Iterator[TestClient]:
    """One app per module: the engine loads the emulator once."""
    data_dir = Path(tmp_path_factory.mktemp("tinker-sampling"))
    with serving_client(data_dir, models_dir) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def run(client: TestClient, models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A sampler checkpoint of a training run."""
    return add_run(client, models_dir, Path(tmp_path_factory.mktemp("adapters")))


def post(client: TestClient, path: str, body: dict) -> dict:
    """POST a Tinker route (asserting 200) and return its JSON body."""
    response = client.post(f"/api/v1/{path}", json=body, headers=TINKER_HEADERS)
    assert response.status_code == 200, response.text
    return response.json()


def sample(client: TestClient, sampler: str, **fields: object) -> tuple[dict, bytes | dict]:
    """asample on a sampling session; the submit's answer and the future's result."""
    params = fields.pop("sampling_params", {"max_tokens": 6, "temperature": 0.0})
    body = {
        "sampling_session_id": sampler,
        "seq_id": 0,
        "num_samples": 1,
        "prompt": {"chunks": [{"type": "encoded_text", "tokens": PROMPT}]},
        "sampling_params": params,
        **fields,
    }
    answer = post(client, "asample", body)
    return answer, retrieve(client, answer["request_id"])


def reference_logprobs(models_dir: Path, adapter: Path, tokens: list[int]) -> list[float]:
    """log p(token i | tokens before it) under peft's own model with the adapter (None at 0)."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(emulator_dir(models_dir), local_files_only=True)
    model = PeftModel.from_pretrained(base, adapter).eval()
    with torch.no_grad():
        logits = model(torch.tensor([tokens])).logits[0].float()
    logprobs = torch.log_softmax(logits[:-1], dim=-1)
    return logprobs.gather(1, torch.tensor(tokens[1:])[:, None]).squeeze(1).tolist()


def test_samples_the_sampler_weights_greedy_with_logprobs_and_prompt_logprobs(
    client: TestClient, run: Run, models_dir: Path
) -> None:
    created = post(
        client,
        "create_sampling_session",
        {
            "session_id": run.session_id,
            "sampling_session_seq_id": 0,
            "model_path": run.sampler_path,
        },
    )
    sampler = created["sampling_session_id"]
    described = client.get(f"/api/v1/samplers/{sampler}", headers=TINKER_HEADERS).json()
    assert described == {
        "sampler_id": sampler,
        "base_model": EMULATOR_NAME,
        "model_path": run.sampler_path,
    }
    # stop=[] disables EOS: exactly max_tokens tokens, whatever the model prefers.
    answer, result = sample(
        client,
        sampler,
        num_samples=2,
        prompt_logprobs=True,
        sampling_params={"max_tokens": 6, "temperature": 0.0, "stop": []},
    )
    assert isinstance(result, bytes), result
    assert len(answer["sample_sequence_ids"]) == len(set(answer["sample_sequence_ids"])) == 2
    response = deserialize_sample_response(result)
    first, second = response.sequences
    assert first.tokens == second.tokens and len(first.tokens) == 6
    assert first.stop_reason == "length"
    reference = reference_logprobs(models_dir, run.adapter_dir, PROMPT + first.tokens)
    prompt_logprobs = response.prompt_logprobs
    # NaN on the wire at position 0 (nothing precedes it), which the SDK hands over as None.
    assert response.prompt_logprobs_np is not None and math.isnan(response.prompt_logprobs_np[0])
    assert prompt_logprobs is not None and prompt_logprobs[0] is None
    assert prompt_logprobs[1:] == pytest.approx(reference[: len(PROMPT) - 1], abs=2e-3)
    assert first.logprobs == pytest.approx(reference[len(PROMPT) - 1 :], abs=2e-3)


def test_a_stop_token_ends_the_sequence_and_is_returned(client: TestClient, run: Run) -> None:
    sampler = post(
        client,
        "create_sampling_session",
        {
            "session_id": run.session_id,
            "sampling_session_seq_id": 1,
            "model_path": run.sampler_path,
        },
    )["sampling_session_id"]
    _, free = sample(
        client, sampler, sampling_params={"max_tokens": 6, "temperature": 0.0, "stop": []}
    )
    assert isinstance(free, bytes)
    greedy = deserialize_sample_response(free).sequences[0].tokens
    stop_at = greedy[2]
    _, stopped = sample(
        client, sampler, sampling_params={"max_tokens": 6, "temperature": 0.0, "stop": [stop_at]}
    )
    assert isinstance(stopped, bytes)
    sequence = deserialize_sample_response(stopped).sequences[0]
    assert sequence.tokens == greedy[: greedy.index(stop_at) + 1]
    assert sequence.stop_reason == "stop"
    assert sequence.logprobs is not None and len(sequence.logprobs) == len(sequence.tokens)


def test_seeded_samples_repeat_and_the_base_model_samples_without_weights(
    client: TestClient, run: Run
) -> None:
    sampler = post(
        client,
        "create_sampling_session",
        {"session_id": run.session_id, "sampling_session_seq_id": 2, "base_model": EMULATOR_NAME},
    )["sampling_session_id"]
    params = {
        "max_tokens": 5,
        "temperature": 1.0,
        "top_k": 20,
        "top_p": 0.9,
        "seed": 11,
        "stop": [],
    }
    _, one = sample(client, sampler, sampling_params=params, num_samples=3)
    _, two = sample(client, sampler, sampling_params=params, num_samples=3)
    assert isinstance(one, bytes) and isinstance(two, bytes)
    tokens = [s.tokens for s in deserialize_sample_response(one).sequences]
    assert tokens == [s.tokens for s in deserialize_sample_response(two).sequences]
    assert len(tokens) == 3 and all(len(t) == 5 for t in tokens)


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"topk_prompt_logprobs": 3}, "topk_prompt_logprobs"),
        ({"prompt_alt_tokens_k": 2}, "prompt_alt_tokens_k"),
        ({"model_path": "tinker://nope:train:0/sampler_weights/x"}, "tinker://nope"),
        ({"prompt": {"chunks": [{"type": "image", "data": "", "format": "png"}]}}, "image"),
    ],
)
def test_what_is_not_served_fails_the_future_by_name(
    client: TestClient, run: Run, fields: dict, named: str
) -> None:
    body = {
        "base_model": EMULATOR_NAME,
        "num_samples": 1,
        "prompt": {"chunks": [{"type": "encoded_text", "tokens": PROMPT}]},
        "sampling_params": {"max_tokens": 2},
        **fields,
    }
    if "model_path" in fields:
        del body["base_model"]
    answer = post(client, "asample", body)
    result = retrieve(client, answer["request_id"])
    assert isinstance(result, dict) and result["category"] == "user"
    assert named in result["error"]


def test_completions_serve_the_tinker_path(client: TestClient, run: Run) -> None:
    sampler = post(
        client,
        "create_sampling_session",
        {
            "session_id": run.session_id,
            "sampling_session_seq_id": 3,
            "model_path": run.sampler_path,
        },
    )["sampling_session_id"]
    _, result = sample(client, sampler, sampling_params={"max_tokens": 6, "temperature": 0.0})
    assert isinstance(result, bytes)
    tokens = deserialize_sample_response(result).sequences[0].tokens
    completion = client.post(
        "/v1/completions",
        json={"model": run.sampler_path, "prompt": PROMPT, "max_tokens": 6, "temperature": 0},
    )
    assert completion.status_code == 200, completion.text
    tokenizer = next(iter(client.app.state.container.inference._tokenizers.values()))  # type: ignore[attr-defined]
    eos = tokenizer.eos_token_id
    text_tokens = [t for t in tokens if t != eos]
    assert completion.json()["choices"][0]["text"] == tokenizer.decode(
        text_tokens, skip_special_tokens=True
    )
    listed = client.get("/v1/models").json()["data"]
    assert run.sampler_path in [model["id"] for model in listed]
    assert client.get(f"/v1/models/{run.sampler_path}").json()["id"] == run.sampler_path
    missing = client.post(
        "/v1/completions",
        json={"model": run.sampler_path + "-gone", "prompt": PROMPT, "max_tokens": 2},
    )
    assert missing.status_code == 404
